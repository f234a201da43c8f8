/** Reading Server-Sent Events from a fetch Response, message by message, for tests. */
export interface SseMessage {
  readonly event: string
  readonly id: string | undefined
  readonly data: string
}

export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>
  readonly #decoder = new TextDecoder()
  #buffer = ''
  /** Comment lines seen (heartbeats). */
  comments = 0

  constructor(response: Response) {
    this.#reader = response.body!.getReader()
  }

  /** The next message (comments are counted, not returned). */
  async next(): Promise<SseMessage> {
    for (;;) {
      const end = this.#buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = this.#buffer.slice(0, end)
        this.#buffer = this.#buffer.slice(end + 2)
        const message = parse(block)
        if (message) return message
        this.comments++
        continue
      }
      const { value, done } = await this.#reader.read()
      if (done) throw new Error('the stream ended')
      this.#buffer += this.#decoder.decode(value, { stream: true })
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel()
  }
}

function parse(block: string): SseMessage | undefined {
  let event = 'message'
  let id: string | undefined
  const data: string[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue
    const [field, ...rest] = line.split(':')
    const value = rest.join(':').replace(/^ /, '')
    if (field === 'event') event = value
    else if (field === 'id') id = value
    else if (field === 'data') data.push(value)
  }
  return data.length === 0 && id === undefined ? undefined : { event, id, data: data.join('\n') }
}
