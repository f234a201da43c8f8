/**
 * One connection to the Hermes SSE price stream. The URL and credentials
 * are those HermesClient.getPriceUpdatesStream (3.1.0) builds: GET
 * {endpoint}/v2/updates/price/stream?ids[]=…&parsed=true with the access
 * token as `Authorization: Bearer`, read by the same EventSource (the
 * `eventsource` package). It goes through a fetch of its own because the
 * client's hides the HTTP response, and a 429's Retry-After is on it.
 *
 * A connection never reconnects by itself (EventSource would, every 3 s,
 * whatever the cause): it reports its end once, and the feed decides when
 * to try again.
 */
import { EventSource, type FetchLike } from 'eventsource'

export interface StreamEnd {
  /** The HTTP status, when the source answered with something other than a stream. */
  readonly status?: number
  /** The Retry-After header of that answer. */
  readonly retryAfter?: string
  /** What the source or the connection said. */
  readonly message: string
}

export interface StreamHandlers {
  onOpen(): void
  onMessage(data: string): void
  /** The stream failed, was refused or ended; called at most once, never after close(). */
  onEnd(end: StreamEnd): void
}

export interface HermesStream {
  close(): void
}

/** A Hermes v2 URL as HermesClient builds it: relative to the endpoint, kept as a directory. */
export function hermesUrl(endpoint: string, path: string, ids: readonly string[]): URL {
  const url = new URL(`./v2/${path}`, endpoint.endsWith('/') ? endpoint : `${endpoint}/`)
  for (const id of ids) url.searchParams.append('ids[]', id)
  url.searchParams.append('parsed', 'true')
  return url
}

export function openHermesStream(
  url: URL,
  accessToken: string | undefined,
  handlers: StreamHandlers,
): HermesStream {
  let refused: { status: number; retryAfter?: string; body: string } | undefined
  let ended = false
  const auth: Record<string, string> =
    accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` }
  const fetchWithToken: FetchLike = async (input, init) => {
    const response = await fetch(input, { ...init, headers: { ...init.headers, ...auth } })
    if (response.status === 200) return response
    // Read a refusal whole: it says why, and an unread body would hold its socket.
    const retryAfter = response.headers.get('retry-after') ?? undefined
    refused = {
      status: response.status,
      body: await response.text().catch(() => ''),
      ...(retryAfter !== undefined && { retryAfter }),
    }
    return new Response(null, { status: response.status })
  }
  const source = new EventSource(url, { fetch: fetchWithToken })
  const close = () => {
    ended = true
    source.close()
    // EventSource arms its own reconnect timer just after dispatching the error we
    // answer here; closing again once that has run clears it.
    queueMicrotask(() => source.close())
  }
  source.addEventListener('open', () => handlers.onOpen())
  source.addEventListener('message', (event) => handlers.onMessage(event.data))
  source.addEventListener('error', (event) => {
    if (ended) return
    close()
    handlers.onEnd(endOf(refused, event.message))
  })
  return { close }
}

function endOf(
  refused: { status: number; retryAfter?: string; body: string } | undefined,
  message: string | undefined,
): StreamEnd {
  if (!refused) return { message: message ?? 'the stream ended' }
  const said = refused.body.trim().slice(0, 200)
  return {
    status: refused.status,
    ...(refused.retryAfter !== undefined && { retryAfter: refused.retryAfter }),
    message: `HTTP ${refused.status}${said ? `: ${said}` : ''}`,
  }
}
