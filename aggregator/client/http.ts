/**
 * One HTTP exchange with the service (or a venue): a refusal becomes an
 * ApiError with the service's code and field, no answer an
 * ApiUnreachableError naming the URL.
 */
import { ApiError, ApiUnreachableError } from './errors.ts'
import type { RefusalFigures } from './types.ts'

export interface Http {
  /** The service's base URL, without a trailing slash. */
  readonly api: string
  readonly fetch: typeof fetch
  /** Who answers at `api`, for an ApiUnreachableError; default the xmargin API. */
  readonly what?: string
}

/** Send, and return the response when it is a success; throw otherwise. */
export async function send(http: Http, path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response
  try {
    res = await http.fetch(`${http.api}${path}`, init)
  } catch (err) {
    if (init.signal?.aborted) throw err
    throw new ApiUnreachableError(http.api, err, http.what)
  }
  if (!res.ok) throw await toApiError(res)
  return res
}

/** GET or POST returning JSON. */
export async function sendJson<T>(http: Http, path: string, init: RequestInit = {}): Promise<T> {
  const res = await send(http, path, init)
  try {
    return (await res.json()) as T
  } catch {
    throw new ApiError(res.status, 'bad_response', `${path} answered ${res.status} without JSON`)
  }
}

export function postJson(body: unknown): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
}

interface ErrorBody {
  readonly error?: {
    readonly code?: unknown
    readonly message?: unknown
    readonly field?: unknown
    readonly allowed?: unknown
    readonly figures?: unknown
  }
}

async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text()
  let body: ErrorBody = {}
  try {
    body = JSON.parse(text) as ErrorBody
  } catch {}
  const e = body.error
  if (typeof e?.code !== 'string') {
    return new ApiError(res.status, 'bad_response', `HTTP ${res.status}: ${text.slice(0, 200)}`)
  }
  const message = typeof e.message === 'string' ? e.message : e.code
  const field = typeof e.field === 'string' ? e.field : null
  const allowed =
    typeof e.allowed === 'string' && /^\d+$/.test(e.allowed) ? BigInt(e.allowed) : undefined
  return new ApiError(res.status, e.code, message, field, allowed, figuresOf(e.figures))
}

/** The numeric figures of a refusal, by name; anything not a number is not a figure. */
function figuresOf(value: unknown): RefusalFigures | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined
  const figures: Record<string, number> = Object.fromEntries(
    Object.entries(value).filter(([, v]) => typeof v === 'number'),
  )
  return Object.keys(figures).length > 0 ? figures : undefined
}
