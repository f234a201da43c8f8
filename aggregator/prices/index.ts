/**
 * aggregator/prices: the prices capability. It owns the price feeds (Pyth
 * Hermes, and the deterministic local walk with its operator controls)
 * behind one PriceFeed interface, the quality rule every price is judged by
 * (stale, uncertain, missing: quality.ts), and the last good price per
 * underlying, which is what the rest of the aggregator margins and trades
 * at. PriceService, here, is its entry.
 *
 * The last good price is the newest whose confidence is within the limit:
 * an uncertain update never replaces it (the status says 'uncertain' until
 * a good one comes), and a good price that ages past maxAgeSeconds stays
 * the last good price, marked 'stale'. Subscribers get a PriceTick for
 * every new good price and for every change of status, including one that
 * time alone makes (checked every checkMs, or by checkNow()).
 */
import type { Logger } from 'pino'
import type { MetricSample } from '../../relayer/metrics.ts'
import { InputError } from '../errors.ts'
import { silentLogger } from '../log.ts'
import { limitsOf, type PriceConfig } from './config.ts'
import { createFeed } from './create-feed.ts'
import { HermesFeed } from './hermes-feed.ts'
import { LocalFeed } from './local-feed.ts'
import { priceMetrics, type UnderlyingMetrics } from './metrics.ts'
import type { PriceOperator } from './operator.ts'
import type { PriceFeed, PriceUpdate } from './price-feed.ts'
import { assessPrice, type PriceStatus, type QualityLimits } from './quality.ts'
import { checkNumber, checkRecord } from './validate.ts'

export type { FeedSelection, PriceConfig, UnderlyingPriceConfig } from './config.ts'
export { limitsOf, validatePriceConfig } from './config.ts'
export { createFeed } from './create-feed.ts'
export { DEFAULT_PRICE_CONFIG } from './defaults.ts'
export { PriceFeedError, type PriceFeedErrorCode } from './feed-error.ts'
export { HermesFeed, type HermesFeedOptions, type HermesFeedState } from './hermes-feed.ts'
export { LocalFeed, type LocalFeedOptions } from './local-feed.ts'
export type { PriceMoved, PriceOperator } from './operator.ts'
export type { PriceFeed, PriceListener, PriceUpdate } from './price-feed.ts'
export { assessPrice, type PriceQuality, type PriceStatus, type QualityLimits } from './quality.ts'

/** An underlying's last good price and what it is good for now. */
export interface CurrentPrice {
  readonly price: number
  readonly vol: number
  readonly confidence: number
  /** Unix seconds. */
  readonly publishTime: number
  readonly status: PriceStatus
  readonly ageSeconds: number
}

/** What subscribers get: the last good price of `underlying` and its status. */
export interface PriceTick {
  readonly underlying: string
  readonly price: number
  readonly vol: number
  readonly confidence: number
  readonly publishTime: number
  readonly status: PriceStatus
}

export type TickListener = (tick: PriceTick) => void

export interface PriceServiceOptions {
  /** Unix seconds. Default: the wall clock. */
  readonly now?: () => number
  /** Milliseconds between checks of status for the passage of time. Default 1000. */
  readonly checkMs?: number
  /** Where a subscriber's error (and, from fromConfig, the feed's) is logged. */
  readonly logger?: Logger
}

interface Entry {
  readonly limits: QualityLimits
  good: PriceUpdate | undefined
  /** Publish time of the newest update taken, good or not. */
  newest: number
  /** The newest update taken was uncertain. */
  uncertain: boolean
  /** The status subscribers were last told (or would have been, with a price). */
  told: PriceStatus
}

export class PriceService {
  readonly underlyings: readonly string[]
  /** The local feed's set/move, for the operator route; null when prices come from Hermes. */
  readonly operator: PriceOperator | null
  readonly #feed: PriceFeed
  readonly #entries = new Map<string, Entry>()
  readonly #listeners = new Set<TickListener>()
  readonly #now: () => number
  readonly #checkMs: number
  readonly #logger: Logger
  #unsubscribe: (() => void) | undefined
  #timer: NodeJS.Timeout | undefined

  /** The service on the feed `config` selects, its errors logged. */
  static fromConfig(config: PriceConfig, options: PriceServiceOptions = {}): PriceService {
    const logger = options.logger ?? silentLogger
    const feed = createFeed(config, {
      ...(options.now && { now: options.now }),
      onError: (err) => logger.warn({ err, code: err.code }, 'price feed: %s', err.shortMessage),
    })
    return new PriceService(feed, limitsOf(config), options)
  }

  constructor(
    feed: PriceFeed,
    limits: Readonly<Record<string, QualityLimits>>,
    options: PriceServiceOptions = {},
  ) {
    this.#feed = feed
    this.underlyings = feed.underlyings
    for (const name of feed.underlyings) {
      this.#entries.set(name, {
        limits: checkLimits(limits, name),
        good: undefined,
        newest: Number.NEGATIVE_INFINITY,
        uncertain: false,
        told: 'missing',
      })
    }
    const extra = Object.keys(limits).find((name) => !this.#entries.has(name))
    if (extra !== undefined) {
      throw new InputError(
        `limits.${extra}`,
        'unknown_reference',
        `the feed does not price ${extra}`,
      )
    }
    this.#now = options.now ?? (() => Date.now() / 1000)
    this.#checkMs = checkNumber(options.checkMs ?? 1000, 'checkMs', { min: 1, max: 2 ** 31 - 1 })
    this.#logger = options.logger ?? silentLogger
    this.operator = feed instanceof LocalFeed ? operatorOf(feed) : null
  }

  /** The last good price of `underlying`, or undefined while there has been none. */
  current(underlying: string): CurrentPrice | undefined {
    const entry = this.#entries.get(underlying)
    if (!entry?.good) return undefined
    const now = this.#now()
    const { ageSeconds } = assessPrice(entry.good, entry.limits, now)
    const { price, vol, confidence, publishTime } = entry.good
    return { price, vol, confidence, publishTime, status: statusOf(entry, now), ageSeconds }
  }

  /** current() of every underlying. */
  snapshot(): Readonly<Record<string, CurrentPrice | undefined>> {
    return Object.fromEntries(this.underlyings.map((u) => [u, this.current(u)]))
  }

  subscribe(listener: TickListener): () => void {
    const own: TickListener = (tick) => listener(tick)
    this.#listeners.add(own)
    return () => {
      this.#listeners.delete(own)
    }
  }

  fundingRate(underlying: string): number {
    return this.#feed.fundingRate(underlying)
  }

  /** Follow the feed (its prices so far included), start it, and check status every checkMs. */
  async start(): Promise<void> {
    if (this.#unsubscribe) return
    this.#unsubscribe = this.#feed.subscribe((u) => this.#take(u))
    for (const name of this.underlyings) {
      const latest = this.#feed.latest(name)
      if (latest) this.#take(latest)
    }
    try {
      await this.#feed.start()
    } catch (err) {
      this.#unsubscribe()
      this.#unsubscribe = undefined
      throw err
    }
    // Observing time alone is no reason to keep the process up.
    this.#timer = setInterval(() => this.checkNow(), this.#checkMs).unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#feed.stop()
    this.#unsubscribe?.()
    this.#unsubscribe = undefined
  }

  /** Tell subscribers of every status the passage of time has changed (what the timer does). */
  checkNow(): void {
    const now = this.#now()
    for (const [name, entry] of this.#entries) {
      if (statusOf(entry, now) !== entry.told) this.#tell(name, entry, now)
    }
  }

  metrics(): MetricSample[] {
    const now = this.#now()
    const underlyings = [...this.#entries].map(([underlying, entry]): UnderlyingMetrics => {
      const status = statusOf(entry, now)
      if (!entry.good) return { underlying, status }
      const q = assessPrice(entry.good, entry.limits, now)
      return {
        underlying,
        status,
        price: {
          usd: entry.good.price,
          ageSeconds: q.ageSeconds,
          confidenceRatio: q.confidenceRatio,
        },
      }
    })
    return priceMetrics(
      underlyings,
      this.#feed instanceof HermesFeed ? this.#feed.state() : undefined,
    )
  }

  #take(update: PriceUpdate): void {
    const entry = this.#entries.get(update.underlying)
    if (!entry || update.publishTime <= entry.newest) return
    entry.newest = update.publishTime
    const now = this.#now()
    if (assessPrice(update, entry.limits, now).status === 'uncertain') {
      entry.uncertain = true
      if (statusOf(entry, now) !== entry.told) this.#tell(update.underlying, entry, now)
      return
    }
    entry.good = update
    entry.uncertain = false
    this.#tell(update.underlying, entry, now)
  }

  #tell(underlying: string, entry: Entry, now: number): void {
    entry.told = statusOf(entry, now)
    if (!entry.good) return
    const { price, vol, confidence, publishTime } = entry.good
    const tick: PriceTick = { underlying, price, vol, confidence, publishTime, status: entry.told }
    for (const listener of [...this.#listeners]) {
      try {
        listener(tick)
      } catch (err) {
        this.#logger.error({ err, underlying }, 'a price subscriber threw')
      }
    }
  }
}

/**
 * The status of an underlying's last good price now. An uncertain update
 * after it makes it 'uncertain' until a good one comes; a stale good price
 * is 'stale' whatever came after.
 */
function statusOf(entry: Entry, now: number): PriceStatus {
  if (!entry.good) return entry.uncertain ? 'uncertain' : 'missing'
  const status = assessPrice(entry.good, entry.limits, now).status
  return status === 'ok' && entry.uncertain ? 'uncertain' : status
}

function checkLimits(limits: Readonly<Record<string, QualityLimits>>, name: string): QualityLimits {
  const field = `limits.${name}`
  if (limits[name] === undefined) {
    throw new InputError(
      field,
      'missing_field',
      `no quality limits for ${name}, which the feed prices`,
    )
  }
  const l = checkRecord(limits[name], field, ['maxAgeSeconds', 'maxConfidenceRatio'])
  return {
    maxAgeSeconds: checkNumber(l['maxAgeSeconds'], `${field}.maxAgeSeconds`, { above: 0 }),
    maxConfidenceRatio: checkNumber(l['maxConfidenceRatio'], `${field}.maxConfidenceRatio`, {
      above: 0,
    }),
  }
}

function operatorOf(feed: LocalFeed): PriceOperator {
  return {
    set: (underlying, price) => feed.set(underlying, price),
    move: (underlying, fraction) => feed.move(underlying, fraction),
  }
}
