/**
 * GET /v1/accounts/{address}/stream: the account live, a snapshot then each
 * event, read over fetch. A dropped connection is reopened after
 * `reconnectMs` with Last-Event-ID set to the last seq seen, so nothing is
 * missed or repeated, and with a fresh ReadAccount each time, since a nonce
 * is good for one request. A refusal (an ApiError other than 503) ends it.
 */
import { decodeEvent } from '../../accounts/events.ts'
import type { ClientContext } from '../context.ts'
import { ApiError } from '../errors.ts'
import { send } from '../http.ts'
import { readSse } from '../sse.ts'
import type { AccountView, StreamMessage } from '../types.ts'
import { readAuth } from './account.ts'

export interface StreamOptions {
  /** Resume after this seq (no snapshot then); default: start with a snapshot. */
  readonly lastEventId?: bigint
  /** Before reopening a dropped connection; default 1 s. */
  readonly reconnectMs?: number
  readonly signal?: AbortSignal
}

/** The account's messages until `signal` aborts or the service refuses the stream. */
export async function* accountMessages(
  ctx: ClientContext,
  options: StreamOptions = {},
): AsyncGenerator<StreamMessage> {
  const { signal } = options
  let last = options.lastEventId
  while (!signal?.aborted) {
    try {
      const res = await open(ctx, last, signal)
      for await (const m of readSse(res.body!, signal)) {
        const message = parse(m.event, m.id, m.data)
        if (!message) continue
        last = message.seq
        yield message
      }
    } catch (err) {
      if (signal?.aborted) return
      if (err instanceof ApiError && err.status !== 503) throw err
    }
    if (!signal?.aborted) await pause(options.reconnectMs ?? 1_000, signal)
  }
}

export interface StreamHandle {
  close(): void
  /** Settles when the stream ends: resolves on close(), rejects on a refusal. */
  readonly closed: Promise<void>
}

/** Call `onMessage` with each message (in order, one at a time) until close(). */
export function stream(
  ctx: ClientContext,
  onMessage: (message: StreamMessage) => void | Promise<void>,
  options: Omit<StreamOptions, 'signal'> = {},
): StreamHandle {
  const controller = new AbortController()
  const closed = (async () => {
    for await (const m of accountMessages(ctx, { ...options, signal: controller.signal }))
      await onMessage(m)
  })()
  // Whoever never awaits `closed` must not get an unhandled rejection for it.
  closed.catch(() => {})
  return { close: () => controller.abort(), closed }
}

async function open(
  ctx: ClientContext,
  last: bigint | undefined,
  signal: AbortSignal | undefined,
): Promise<Response> {
  const headers: Record<string, string> = {
    accept: 'text/event-stream',
    'x-xmargin-auth': await readAuth(ctx),
  }
  if (last !== undefined) headers['last-event-id'] = last.toString()
  return send(ctx, `/v1/accounts/${ctx.address}/stream`, {
    headers,
    ...(signal && { signal }),
  })
}

function parse(event: string, id: string | undefined, data: string): StreamMessage | undefined {
  if (id === undefined || !/^\d+$/.test(id)) return undefined
  const seq = BigInt(id)
  if (event === 'snapshot') return { type: 'snapshot', seq, view: JSON.parse(data) as AccountView }
  if (event === 'event') return { type: 'event', seq, event: decodeEvent(JSON.parse(data)) }
  return undefined
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
  })
}
