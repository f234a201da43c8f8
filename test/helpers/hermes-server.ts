/**
 * A Hermes stand-in for tests: node:http on 127.0.0.1 (port 0) answering
 * the two v2 routes a HermesFeed uses, in Hermes's wire format (prices as
 * integer strings scaled by 10^expo, parsed=true bodies with the binary
 * beside them):
 *
 *   GET /v2/updates/price/latest?ids[]=…  the last price published per id
 *   GET /v2/updates/price/stream?ids[]=…  SSE, `data: <same body>\n\n` per publish
 *
 * and the faults a test needs: the next N requests answered 429 (with a
 * Retry-After), the open streams cut (sockets destroyed), an access token
 * required (as HermesClient sends it: Authorization: Bearer), and a count of
 * requests per route. Publishing an older price pushes it as given, so a
 * client's ordering is what gets tested.
 */
import { EventEmitter, once } from 'node:events'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface HermesQuote {
  /** USD. */
  readonly price: number
  /** USD. */
  readonly conf: number
  /** Unix seconds, whole. */
  readonly publishTime: number
}

export type HermesRoute = 'latest' | 'stream'

export interface HermesServerOptions {
  /** Require `Authorization: Bearer <token>`; else every request is answered. */
  readonly accessToken?: string
  /** Default -8, as Pyth's crypto feeds. */
  readonly expo?: number
}

interface Stream {
  readonly ids: ReadonlySet<string>
  readonly res: ServerResponse
}

export class HermesServer {
  readonly url: string
  /** The Authorization header of every request, in order (undefined when absent). */
  readonly authorizations: (string | undefined)[] = []
  readonly #server: Server
  readonly #expo: number
  readonly #latest = new Map<string, HermesQuote>()
  readonly #streams = new Set<Stream>()
  readonly #requests = { latest: 0, stream: 0 }
  readonly #events = new EventEmitter()
  #accessToken: string | undefined
  #limited = 0
  #retryAfter: number | undefined
  #slot = 1

  private constructor(server: Server, options: HermesServerOptions) {
    this.#server = server
    this.#expo = options.expo ?? -8
    this.#accessToken = options.accessToken
    const { port } = server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
  }

  static async start(options: HermesServerOptions = {}): Promise<HermesServer> {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const hermes = new HermesServer(server, options)
    server.on('request', (req, res) => hermes.#handle(req, res))
    return hermes
  }

  /** Store `quote` as the latest of `id` and push it to every open stream of `id`; how many streams got it. */
  publish(id: string, quote: HermesQuote): number {
    const key = bare(id)
    this.#latest.set(key, quote)
    return this.#push(key, `data: ${JSON.stringify(this.#body([[key, quote]]))}\n\n`)
  }

  /** Send `data` as is to every open stream (a malformed event). */
  pushRaw(data: string): void {
    for (const s of this.#streams) s.res.write(`data: ${data}\n\n`)
  }

  /** Answer the next `count` requests 429, with Retry-After: retryAfterSeconds when given. */
  rateLimit(count: number, retryAfterSeconds?: number): void {
    this.#limited = count
    this.#retryAfter = retryAfterSeconds
  }

  /** Destroy the socket of every open stream, as a network cut or a restarting Hermes would. */
  cutStreams(): void {
    for (const s of this.#streams) s.res.socket?.destroy()
    this.#streams.clear()
    this.#events.emit('streams')
  }

  /** Require another token from now on (undefined: none). */
  requireToken(token: string | undefined): void {
    this.#accessToken = token
  }

  requests(route: HermesRoute): number {
    return this.#requests[route]
  }

  get openStreams(): number {
    return this.#streams.size
  }

  /** Resolves once exactly `count` streams are open. */
  async awaitStreams(count: number): Promise<void> {
    while (this.#streams.size !== count) await once(this.#events, 'streams')
  }

  async close(): Promise<void> {
    this.cutStreams()
    this.#server.closeAllConnections()
    this.#server.close()
    await once(this.#server, 'close')
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url)
    const route = ROUTES[url.pathname]
    if (req.method !== 'GET' || !route) {
      res.writeHead(404).end('not found')
      return
    }
    this.#requests[route]++
    this.authorizations.push(req.headers.authorization)
    const ids = url.searchParams.getAll('ids[]').map(bare)
    if (this.#limited > 0) this.#tooMany(res)
    else if (!this.#authorized(req))
      res.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized')
    else if (ids.length === 0) res.writeHead(400).end('no ids')
    else if (route === 'latest') this.#answerLatest(ids, res)
    else this.#openStream(ids, res)
  }

  #authorized(req: IncomingMessage): boolean {
    return (
      this.#accessToken === undefined || req.headers.authorization === `Bearer ${this.#accessToken}`
    )
  }

  #tooMany(res: ServerResponse): void {
    this.#limited--
    const headers =
      this.#retryAfter === undefined ? {} : { 'retry-after': String(this.#retryAfter) }
    res.writeHead(429, { 'content-type': 'text/plain', ...headers }).end('Too Many Requests')
  }

  #answerLatest(ids: readonly string[], res: ServerResponse): void {
    const known = ids.flatMap((id) => {
      const quote = this.#latest.get(id)
      return quote ? [[id, quote] as const] : []
    })
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify(this.#body(known)))
  }

  #openStream(ids: readonly string[], res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    })
    res.flushHeaders()
    const stream: Stream = { ids: new Set(ids), res }
    this.#streams.add(stream)
    this.#events.emit('streams')
    res.on('close', () => {
      if (this.#streams.delete(stream)) this.#events.emit('streams')
    })
  }

  #push(id: string, event: string): number {
    let sent = 0
    for (const s of this.#streams) {
      if (!s.ids.has(id)) continue
      s.res.write(event)
      sent++
    }
    return sent
  }

  #body(quotes: readonly (readonly [string, HermesQuote])[]): unknown {
    return {
      binary: {
        encoding: 'hex',
        data: quotes.map(([id, q]) => `504e4155${id.slice(0, 8)}${q.publishTime.toString(16)}`),
      },
      parsed: quotes.map(([id, q]) => this.#parsed(id, q)),
    }
  }

  #parsed(id: string, q: HermesQuote): unknown {
    const price = {
      price: scaled(q.price, this.#expo),
      conf: scaled(q.conf, this.#expo),
      expo: this.#expo,
      publish_time: q.publishTime,
    }
    const slot = this.#slot++
    return {
      id,
      price,
      ema_price: price,
      metadata: {
        slot,
        proof_available_time: q.publishTime + 1,
        prev_publish_time: q.publishTime - 1,
      },
    }
  }
}

const ROUTES: Readonly<Record<string, HermesRoute>> = {
  '/v2/updates/price/latest': 'latest',
  '/v2/updates/price/stream': 'stream',
}

/** Hermes takes ids with or without 0x and answers without. */
function bare(id: string): string {
  return id.replace(/^0x/i, '').toLowerCase()
}

function scaled(usd: number, expo: number): string {
  return BigInt(Math.round(usd * 10 ** -expo)).toString()
}
