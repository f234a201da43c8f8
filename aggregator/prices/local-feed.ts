/**
 * The deterministic local feed, the default of `npm start`: per underlying
 * a seeded random walk (geometric Brownian motion at the walk's vol, plus
 * occasional jumps), one step every `tickMs` once started, and the
 * operator's set/move on top. Same seed, same path: the walk depends on the
 * step count alone, never on the clock, and each underlying has its own
 * generator.
 *
 * Publish times: `now()` in unix seconds, fractional. An update that would
 * carry the same or an earlier time than the underlying's last one (two
 * moves in one millisecond, a clock held still by a test, a clock stepping
 * back) is stamped 1 ms after the last instead, so every step and every
 * operator move is delivered: the PriceFeed contract drops updates that are
 * not strictly newer.
 *
 * Before start(), step() and the operator's moves publish as they would
 * running (tests and demos drive the feed by hand); after stop() they are
 * refused: a stopped feed delivers nothing, and says so.
 */
import { InputError, UnavailableError } from '../errors.ts'
import type { FeedErrorHandler } from './feed-error.ts'
import type { PriceMoved } from './operator.ts'
import type { PriceFeed, PriceListener, PriceUpdate } from './price-feed.ts'
import { mulberry32, normal, seedFor, type Uniform } from './prng.ts'
import { Publisher } from './publisher.ts'
import { checkNonEmpty, checkNumber, checkRecord } from './validate.ts'

export interface LocalWalk {
  /** Annualised vol of the walk itself; defaults to the underlying's (implied) vol. */
  readonly annualVol?: number
  /** Chance per step of a jump, in [0, 1]. Default 0.0005 (about two an hour at 1 s steps). */
  readonly jumpProbability?: number
  /** Standard deviation of a jump's log-return. Default 0.03. */
  readonly jumpSize?: number
}

export interface LocalUnderlying {
  /** Starting price, USD. */
  readonly price: number
  /** Annualised implied vol reported with every update. */
  readonly vol: number
  /** Confidence as a fraction of price. Default 0.0005. */
  readonly confidence?: number
  /** Funding rate per funding interval. Default 0. */
  readonly fundingRate?: number
  readonly walk?: LocalWalk
}

export interface LocalFeedOptions {
  readonly underlyings: Readonly<Record<string, LocalUnderlying>>
  /** Integer in [0, 2^32). Default 1. */
  readonly seed?: number
  /** Milliseconds between steps once started. Default 1000. */
  readonly tickMs?: number
  /** Unix seconds. Default: the wall clock, to the millisecond. */
  readonly now?: () => number
  /** Where a subscriber's error goes. */
  readonly onError?: FeedErrorHandler
}

const DEFAULT_CONFIDENCE = 0.0005
const DEFAULT_JUMP_PROBABILITY = 0.0005
const DEFAULT_JUMP_SIZE = 0.03
const SECONDS_PER_YEAR = 365 * 24 * 3600
/** The bump given to a publish time that is not after the last one. */
const BUMP_SECONDS = 0.001
/** setInterval's ceiling: a longer delay fires after 1 ms instead. */
const MAX_TICK_MS = 2 ** 31 - 1

/** One underlying's walk, resolved from its options. */
interface Walker {
  readonly name: string
  readonly vol: number
  readonly confidence: number
  readonly fundingRate: number
  readonly annualVol: number
  readonly jumpProbability: number
  readonly jumpSize: number
  readonly uniform: Uniform
  price: number
}

export class LocalFeed implements PriceFeed {
  readonly underlyings: readonly string[]
  readonly tickMs: number
  readonly #walkers = new Map<string, Walker>()
  readonly #publisher: Publisher
  readonly #now: () => number
  #timer: NodeJS.Timeout | undefined
  #stopped = false

  constructor(options: LocalFeedOptions) {
    const underlyings = checkNonEmpty(options.underlyings, 'underlyings')
    const seed = checkNumber(options.seed ?? 1, 'seed', { min: 0, below: 2 ** 32, integer: true })
    this.tickMs = checkNumber(options.tickMs ?? 1000, 'tickMs', { min: 1, max: MAX_TICK_MS })
    for (const name of Object.keys(underlyings)) {
      this.#walkers.set(name, walker(name, underlyings[name], seed))
    }
    this.underlyings = [...this.#walkers.keys()]
    this.#now = options.now ?? (() => Date.now() / 1000)
    this.#publisher = new Publisher(options.onError)
  }

  latest(underlying: string): PriceUpdate | undefined {
    return this.#publisher.latest(underlying)
  }

  subscribe(listener: PriceListener): () => void {
    return this.#publisher.subscribe(listener)
  }

  fundingRate(underlying: string): number {
    return this.#walker(underlying).fundingRate
  }

  /** Publish the current prices, then step every tickMs until stopped. */
  async start(): Promise<void> {
    if (this.#timer !== undefined) return
    this.#stopped = false
    for (const w of this.#walkers.values()) this.#publish(w)
    this.#timer = setInterval(() => this.step(), this.tickMs)
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#stopped = true
  }

  /** Advance every underlying one step and publish it (what the timer does; tests call it directly). */
  step(): void {
    this.#refuseIfStopped()
    for (const w of this.#walkers.values()) {
      w.price = nextPrice(w, this.tickMs / 1000 / SECONDS_PER_YEAR)
      this.#publish(w)
    }
  }

  /** Set `underlying`'s price and publish it at once; the walk goes on from there. */
  set(underlying: string, price: number): PriceMoved {
    this.#refuseIfStopped()
    const w = this.#walker(underlying)
    checkNumber(price, 'set', { above: 0 })
    return this.#moveTo(w, price)
  }

  /** Multiply `underlying`'s price by 1 + fraction and publish it at once. */
  move(underlying: string, fraction: number): PriceMoved {
    this.#refuseIfStopped()
    const w = this.#walker(underlying)
    checkNumber(fraction, 'move', { above: -1 })
    const price = w.price * (1 + fraction)
    if (!Number.isFinite(price) || price <= 0) {
      throw new InputError(
        'move',
        'out_of_range',
        `moving ${underlying} by ${fraction} leaves no finite positive price`,
      )
    }
    return this.#moveTo(w, price)
  }

  #moveTo(w: Walker, price: number): PriceMoved {
    const previous = w.price
    w.price = price
    return { price, previous, publishTime: this.#publish(w).publishTime }
  }

  #publish(w: Walker): PriceUpdate {
    const last = this.#publisher.latest(w.name)?.publishTime ?? Number.NEGATIVE_INFINITY
    const update: PriceUpdate = {
      underlying: w.name,
      price: w.price,
      confidence: w.price * w.confidence,
      publishTime: Math.max(this.#now(), last + BUMP_SECONDS),
      vol: w.vol,
    }
    this.#publisher.offer(update)
    return update
  }

  #refuseIfStopped(): void {
    if (this.#stopped)
      throw new UnavailableError('shutting_down', 'the local price feed is stopped', 1)
  }

  #walker(underlying: string): Walker {
    const w = this.#walkers.get(underlying)
    if (!w) {
      throw new InputError(
        'underlying',
        'unknown_reference',
        `the local feed has no underlying ${underlying}`,
      )
    }
    return w
  }
}

function walker(name: string, input: unknown, seed: number): Walker {
  const field = `underlyings.${name}`
  const u = checkRecord(input, field, ['price', 'vol', 'confidence', 'fundingRate', 'walk'])
  const vol = checkNumber(u['vol'], `${field}.vol`, { above: 0 })
  const walk = checkRecord(u['walk'] ?? {}, `${field}.walk`, [
    'annualVol',
    'jumpProbability',
    'jumpSize',
  ])
  return {
    name,
    vol,
    price: checkNumber(u['price'], `${field}.price`, { above: 0 }),
    confidence: checkNumber(u['confidence'] ?? DEFAULT_CONFIDENCE, `${field}.confidence`, {
      min: 0,
      below: 1,
    }),
    fundingRate: checkNumber(u['fundingRate'] ?? 0, `${field}.fundingRate`, {
      above: -1,
      below: 1,
    }),
    annualVol: checkNumber(walk['annualVol'] ?? vol, `${field}.walk.annualVol`, { min: 0 }),
    jumpProbability: checkNumber(
      walk['jumpProbability'] ?? DEFAULT_JUMP_PROBABILITY,
      `${field}.walk.jumpProbability`,
      { min: 0, max: 1 },
    ),
    jumpSize: checkNumber(walk['jumpSize'] ?? DEFAULT_JUMP_SIZE, `${field}.walk.jumpSize`, {
      min: 0,
    }),
    uniform: mulberry32(seedFor(seed, name)),
  }
}

/**
 * One step of `years`: a lognormal move whose drift keeps the expected
 * price flat, and a jump with probability jumpProbability. The
 * draws are the same in number every step, jump or not, so the path
 * depends on the seed and the step count alone.
 */
function nextPrice(w: Walker, years: number): number {
  const diffusion = normal(w.uniform)
  const jumps = w.uniform() < w.jumpProbability
  const jump = normal(w.uniform)
  const variance = w.annualVol ** 2 * years
  const logReturn =
    -variance / 2 + Math.sqrt(variance) * diffusion + (jumps ? w.jumpSize * jump : 0)
  const next = w.price * Math.exp(logReturn)
  // A walk that would leave the finite positive numbers (a price set near the edge) stays put.
  return Number.isFinite(next) && next > 0 ? next : w.price
}
