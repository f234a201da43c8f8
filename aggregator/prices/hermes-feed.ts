/**
 * Pyth prices from Hermes: on start the latest price of every feed
 * (HermesClient.getLatestPriceUpdates), then the SSE stream of updates,
 * kept open for good: a stream that fails, is refused or ends is reopened
 * after an exponential backoff with jitter (backoff.ts), a 429's
 * Retry-After honoured, the backoff reset by the first good message after.
 * Prices are USD per unit as Pyth scales them (integer * 10^expo); an
 * update not newer than the last delivered for its underlying is dropped
 * (Publisher).
 *
 * The access token goes as `Authorization: Bearer <token>` on both the
 * latest request and the stream, as HermesClient 3.1.0 sends it (its doc
 * comment mentions an ACCESS_TOKEN query parameter for streams; its code
 * sends the header, and a header does not end up in access logs).
 *
 * start() rejects when Hermes refuses the credentials (401/403): a config
 * error, no use retrying. Any other failure is reported (onError, state())
 * and retried in the background; start() then resolves without prices.
 */
import { HermesClient } from '@pythnetwork/hermes-client'
import { InputError } from '../errors.ts'
import {
  type Backoff,
  type BackoffOptions,
  backoffDelay,
  resolveBackoff,
  retryAfterMs,
} from './backoff.ts'
import { type FeedErrorHandler, PriceFeedError } from './feed-error.ts'
import { type HermesPrice, readHermesPrices } from './hermes-message.ts'
import { type HermesStream, hermesUrl, openHermesStream, type StreamEnd } from './hermes-stream.ts'
import type { PriceFeed, PriceListener, PriceUpdate } from './price-feed.ts'
import { Publisher } from './publisher.ts'
import { systemTimers, type Timers } from './timers.ts'
import {
  checkHttpUrl,
  checkNonEmpty,
  checkNumber,
  checkPythId,
  checkRecord,
  checkString,
} from './validate.ts'

export interface HermesFeedSource {
  /** Pyth feed id, hex, 0x optional. */
  readonly id: string
  /** Annualised implied vol reported with every update (Pyth does not publish one). */
  readonly vol: number
  /** Per funding interval. Default 0. */
  readonly fundingRate?: number
}

export interface HermesFeedOptions {
  /** E.g. https://hermes.pyth.network */
  readonly endpoint: string
  readonly accessToken?: string
  readonly feeds: Readonly<Record<string, HermesFeedSource>>
  readonly backoff?: BackoffOptions
  /** Unix seconds, for lastMessageAt. Default: the wall clock. */
  readonly now?: () => number
  /** Every failure, as it happens (state().lastError keeps the last). */
  readonly onError?: FeedErrorHandler
  /** Where retries are scheduled. Default: the process's timers. */
  readonly timers?: Timers
  /** Uniform in [0, 1), for the jitter. Default Math.random. */
  readonly random?: () => number
}

/** The connection's health, for metrics. */
export interface HermesFeedState {
  /** The stream is open. */
  readonly connected: boolean
  /** Streams opened after the first. */
  readonly reconnects: number
  /** Unix seconds of the last message read, if any. */
  readonly lastMessageAt: number | undefined
  /** The last failure, if any. */
  readonly lastError: string | undefined
}

interface Feed {
  readonly underlying: string
  readonly vol: number
  readonly fundingRate: number
}

export class HermesFeed implements PriceFeed {
  readonly underlyings: readonly string[]
  readonly #byId = new Map<string, Feed>()
  readonly #byUnderlying = new Map<string, Feed>()
  readonly #ids: readonly string[]
  readonly #endpoint: string
  readonly #accessToken: string | undefined
  readonly #backoff: Backoff
  readonly #now: () => number
  readonly #onError: FeedErrorHandler
  readonly #timers: Timers
  readonly #random: () => number
  readonly #publisher: Publisher
  readonly #client: HermesClient
  #running = false
  #stream: HermesStream | undefined
  #retry: unknown
  #latestRequest: AbortController | undefined
  #attempt = 0
  #connected = false
  #reconnects = 0
  #lastMessageAt: number | undefined
  #lastError: string | undefined

  constructor(options: HermesFeedOptions) {
    this.#endpoint = checkHttpUrl(options.endpoint, 'endpoint')
    this.#accessToken =
      options.accessToken === undefined
        ? undefined
        : checkString(options.accessToken, 'accessToken')
    const feeds = checkNonEmpty(options.feeds, 'feeds')
    for (const [underlying, source] of Object.entries(feeds)) this.#addFeed(underlying, source)
    this.underlyings = Object.keys(feeds)
    this.#ids = [...this.#byId.keys()]
    this.#backoff = resolveBackoff(options.backoff)
    this.#now = options.now ?? (() => Date.now() / 1000)
    this.#onError = options.onError ?? (() => {})
    this.#timers = options.timers ?? systemTimers
    this.#random = options.random ?? Math.random
    this.#publisher = new Publisher((e) => this.#fail(e))
    this.#client = new HermesClient(this.#endpoint, {
      // The feed owns retrying (with Retry-After); the client's own would retry a 429 at once.
      httpRetries: 0,
      ...(this.#accessToken !== undefined && { accessToken: this.#accessToken }),
    })
  }

  latest(underlying: string): PriceUpdate | undefined {
    return this.#publisher.latest(underlying)
  }

  subscribe(listener: PriceListener): () => void {
    return this.#publisher.subscribe(listener)
  }

  fundingRate(underlying: string): number {
    const feed = this.#byUnderlying.get(underlying)
    if (!feed)
      throw new InputError(
        'underlying',
        'unknown_reference',
        `the Hermes feed has no underlying ${underlying}`,
      )
    return feed.fundingRate
  }

  state(): HermesFeedState {
    return {
      connected: this.#connected,
      reconnects: this.#reconnects,
      lastMessageAt: this.#lastMessageAt,
      lastError: this.#lastError,
    }
  }

  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    this.#attempt = 0
    try {
      await this.#loadLatest()
    } catch (error) {
      this.#running = false
      throw error
    }
    if (this.#running) this.#connect()
  }

  async stop(): Promise<void> {
    this.#running = false
    this.#latestRequest?.abort()
    this.#latestRequest = undefined
    this.#timers.clear(this.#retry)
    this.#retry = undefined
    this.#stream?.close()
    this.#stream = undefined
    this.#connected = false
  }

  /** The latest prices. A refused token rejects; any other failure is reported, left to the stream. */
  async #loadLatest(): Promise<void> {
    const request = new AbortController()
    this.#latestRequest = request
    try {
      const body = await this.#client.getLatestPriceUpdates(
        [...this.#ids],
        { parsed: true },
        { signal: request.signal },
      )
      if (this.#running) this.#read(body)
    } catch (cause) {
      if (!this.#running) return
      const error = latestError(cause)
      this.#fail(error)
      if (error.code === 'feed_unauthorized') throw error
    } finally {
      if (this.#latestRequest === request) this.#latestRequest = undefined
    }
  }

  #connect(): void {
    const url = hermesUrl(this.#endpoint, 'updates/price/stream', this.#ids)
    this.#stream = openHermesStream(url, this.#accessToken, {
      onOpen: () => {
        this.#connected = true
      },
      onMessage: (data) => this.#onMessage(data),
      onEnd: (end) => this.#onEnd(end),
    })
  }

  #onMessage(data: string): void {
    if (!this.#running) return
    this.#lastMessageAt = this.#now()
    let body: unknown
    try {
      body = JSON.parse(data)
    } catch (cause) {
      this.#fail(
        new PriceFeedError('feed_bad_message', 'Hermes sent an event that is not JSON', { cause }),
      )
      return
    }
    if (this.#read(body)) this.#attempt = 0
  }

  /** Offer every price of a Hermes body; whether it was one. */
  #read(body: unknown): boolean {
    const prices = readHermesPrices(body)
    if (prices instanceof PriceFeedError) {
      this.#fail(prices)
      return false
    }
    for (const price of prices) this.#offer(price)
    return true
  }

  #offer(price: HermesPrice): void {
    const feed = this.#byId.get(price.id)
    if (!feed) return
    if (!(price.price > 0) || !Number.isFinite(price.price) || !(price.confidence >= 0)) {
      this.#fail(
        new PriceFeedError(
          'feed_bad_message',
          `Hermes sent ${feed.underlying} at ${price.price}, not a price`,
        ),
      )
      return
    }
    this.#publisher.offer({
      underlying: feed.underlying,
      price: price.price,
      confidence: price.confidence,
      publishTime: price.publishTime,
      vol: feed.vol,
    })
  }

  #onEnd(end: StreamEnd): void {
    this.#stream = undefined
    this.#connected = false
    if (!this.#running) return
    this.#fail(streamError(end))
    const backoff = backoffDelay(this.#attempt, this.#backoff, this.#random)
    // Retry-After is honoured whatever the status that carried it (429, 503).
    const wait = Math.max(backoff, retryAfterMs(end.retryAfter) ?? 0)
    this.#attempt++
    this.#retry = this.#timers.set(() => {
      this.#retry = undefined
      if (!this.#running) return
      this.#reconnects++
      this.#connect()
    }, wait)
  }

  #fail(error: PriceFeedError): void {
    this.#lastError = error.message
    this.#onError(error)
  }

  #addFeed(underlying: string, input: unknown): void {
    const field = `feeds.${underlying}`
    const source = checkRecord(input, field, ['id', 'vol', 'fundingRate'])
    const id = checkPythId(source['id'], `${field}.id`)
    if (this.#byId.has(id)) {
      throw new InputError(
        `${field}.id`,
        'duplicate_key',
        `${field}.id is the feed of ${this.#byId.get(id)!.underlying} too`,
      )
    }
    const feed: Feed = {
      underlying,
      vol: checkNumber(source['vol'], `${field}.vol`, { above: 0 }),
      fundingRate: checkNumber(source['fundingRate'] ?? 0, `${field}.fundingRate`, {
        above: -1,
        below: 1,
      }),
    }
    this.#byId.set(id, feed)
    this.#byUnderlying.set(underlying, feed)
  }
}

/** HermesClient reports a refusal only in its message: "HTTP error! status: 401, body: …". */
function latestError(cause: unknown): PriceFeedError {
  const message = cause instanceof Error ? cause.message : String(cause)
  const status = Number(/status: (\d{3})/.exec(message)?.[1]) || undefined
  return classify(status, `latest prices: ${message}`, { cause })
}

function streamError(end: StreamEnd): PriceFeedError {
  const retryAfter = retryAfterMs(end.retryAfter)
  return classify(end.status, `price stream: ${end.message}`, {
    ...(retryAfter !== undefined && { retryAfterSeconds: retryAfter / 1000 }),
  })
}

function classify(
  status: number | undefined,
  message: string,
  extra: { readonly retryAfterSeconds?: number; readonly cause?: unknown },
): PriceFeedError {
  const options = { ...extra, ...(status !== undefined && { status }) }
  if (status === 401 || status === 403) {
    return new PriceFeedError(
      'feed_unauthorized',
      `Hermes refused the access token (${message})`,
      options,
    )
  }
  if (status === 429)
    return new PriceFeedError('feed_rate_limited', `Hermes is rate limiting (${message})`, options)
  return new PriceFeedError('feed_unavailable', `Hermes is unavailable (${message})`, options)
}
