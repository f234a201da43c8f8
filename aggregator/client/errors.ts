/**
 * What the client throws, in the project's hierarchy (XmarginError): the
 * service's refusals as ApiError (its status and `{ error: { code, message,
 * field, allowed?, figures? } }`), a service (or venue) it cannot reach as
 * ApiUnreachableError, and a wait that ran out as WaitTimeoutError.
 */
import { XmarginError } from '../errors.ts'
import type { RefusalFigures } from './types.ts'

/** The service answered with an error: switch on `code`, which the API keeps stable. */
export class ApiError extends XmarginError {
  override name = 'ApiError'
  readonly status: number
  /** The request field at fault (dotted path, as the service names it), or null. */
  readonly field: string | null
  /** Base units that could be withdrawn now, on `exceeds_withdrawable`. */
  readonly allowed: bigint | undefined
  /** The margin figures behind a refused fill (`insufficient_margin` and the like), USD. */
  readonly figures: RefusalFigures | undefined

  constructor(
    status: number,
    code: string,
    message: string,
    field: string | null = null,
    allowed?: bigint,
    figures?: RefusalFigures,
  ) {
    super(message, { code })
    this.status = status
    this.field = field
    this.allowed = allowed
    this.figures = figures
  }
}

/** No answer at all: refused, reset, or not an HTTP server. */
export class ApiUnreachableError extends XmarginError {
  override name = 'ApiUnreachableError'
  readonly url: string
  /** `what` says whose URL it is: a venue's is not the xmargin API. */
  constructor(url: string, cause: unknown, what = 'the xmargin API') {
    super(`cannot reach ${what} at ${url}: ${describe(cause)}`, {
      code: 'unreachable',
      cause,
    })
    this.url = url
  }
}

/** waitForWithdrawal ran out of time with the withdrawal still outstanding. */
export class WaitTimeoutError extends XmarginError {
  override name = 'WaitTimeoutError'
  constructor(
    readonly withdrawal: string,
    readonly lastStatus: string,
    timeoutMs: number,
  ) {
    super(`withdrawal ${withdrawal} is still ${lastStatus} after ${timeoutMs / 1000} s`, {
      code: 'wait_timeout',
    })
  }
}

/** fetch hides the reason in `cause` (ECONNREFUSED and the like): one line of it. */
function describe(err: unknown): string {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err
  const code = (inner as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  return (inner instanceof Error ? inner.message : String(inner)).split('\n')[0]!
}
