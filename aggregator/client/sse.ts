/**
 * Server-Sent Events read from a fetch body (EventSource cannot send the
 * X-Xmargin-Auth header): the text/event-stream rules of the HTML standard,
 * as far as the service uses them. Comments (the heartbeat) are skipped.
 */

export interface SseMessage {
  readonly event: string
  readonly id: string | undefined
  readonly data: string
}

/** The messages of `body` until it ends or `signal` aborts. */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseMessage> {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader()
  // Not every fetch ties its body to the signal (an in-process app's does not): cancel it here.
  const cancel = () => void reader.cancel().catch(() => {})
  signal?.addEventListener('abort', cancel, { once: true })
  let buffer = ''
  let event = ''
  let id: string | undefined
  let data: string[] = []
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      buffer += value
      const lines = buffer.split(/\r\n|\r|\n/)
      // The last piece may be a line still arriving (or a lone \r before its \n).
      buffer = lines.pop()!
      for (const line of lines) {
        if (line === '') {
          if (data.length > 0) yield { event: event || 'message', id, data: data.join('\n') }
          event = ''
          id = undefined
          data = []
          continue
        }
        if (line.startsWith(':')) continue
        const colon = line.indexOf(':')
        const field = colon < 0 ? line : line.slice(0, colon)
        const raw = colon < 0 ? '' : line.slice(colon + 1)
        const value = raw.startsWith(' ') ? raw.slice(1) : raw
        if (field === 'event') event = value
        else if (field === 'data') data.push(value)
        else if (field === 'id') id = value
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel)
    // Stopping early (a consumer's break, an abort) must close the connection, not leave it open.
    await reader.cancel().catch(() => {})
  }
}
