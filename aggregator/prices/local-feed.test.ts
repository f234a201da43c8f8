/** The local feed: its walk (seeded, per underlying, at its vol), the operator's moves and their publish times. */
import fc from 'fast-check'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InputError } from '../errors.ts'
import { LocalFeed, type LocalFeedOptions } from './local-feed.ts'
import type { PriceUpdate } from './price-feed.ts'

const ETH = { price: 3000, vol: 0.7 }
const BTC = { price: 90_000, vol: 0.55 }

function path(options: LocalFeedOptions, steps: number, underlying = 'ETH'): number[] {
  const feed = new LocalFeed({ now: () => 0, ...options })
  const prices: number[] = []
  feed.subscribe((u) => {
    if (u.underlying === underlying) prices.push(u.price)
  })
  for (let i = 0; i < steps; i++) feed.step()
  return prices
}

function caught(f: () => unknown): unknown {
  try {
    f()
  } catch (err) {
    return err
  }
  throw new Error('did not throw')
}

describe('LocalFeed walk', () => {
  it('the same seed gives the same path; prices stay finite and positive', () => {
    const walk = fc.record({
      annualVol: fc.double({ min: 0, max: 5, noNaN: true }),
      jumpProbability: fc.double({ min: 0, max: 1, noNaN: true }),
      jumpSize: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.double({ min: 1e-6, max: 1e9, noNaN: true }),
        walk,
        fc.integer({ min: 1, max: 200 }),
        fc.integer({ min: 1, max: 86_400_000 }),
        (seed, price, w, steps, tickMs) => {
          const options = { seed, tickMs, underlyings: { ETH: { price, vol: 0.5, walk: w } } }
          const first = path(options, steps)
          expect(path(options, steps)).toEqual(first)
          expect(first.every((p) => Number.isFinite(p) && p > 0)).toBe(true)
        },
      ),
    )
  })

  it('different seeds give different paths', () => {
    expect(path({ seed: 1, underlyings: { ETH } }, 5)).not.toEqual(
      path({ seed: 2, underlyings: { ETH } }, 5),
    )
  })

  it("an underlying's path does not depend on the others", () => {
    expect(path({ underlyings: { ETH, BTC } }, 50)).toEqual(path({ underlyings: { ETH } }, 50))
  })

  it('walks at its annual vol (a year of hourly steps, seed 1)', () => {
    const prices = path(
      { tickMs: 3_600_000, underlyings: { ETH: { ...ETH, walk: { jumpProbability: 0 } } } },
      24 * 365,
    )
    const returns = prices.slice(1).map((p, i) => Math.log(p / prices[i]!))
    const mean = returns.reduce((a, r) => a + r, 0) / returns.length
    const variance = returns.reduce((a, r) => a + (r - mean) ** 2, 0) / (returns.length - 1)
    expect(Math.sqrt(variance * 24 * 365)).toBeCloseTo(0.7, 1)
  })

  it('reports the configured vol, confidence and funding rate', () => {
    const feed = new LocalFeed({
      now: () => 100,
      underlyings: { ETH: { ...ETH, confidence: 0.001, fundingRate: 0.0001 } },
    })
    feed.step()
    expect(feed.latest('ETH')).toMatchObject({ vol: 0.7, publishTime: 100 })
    expect(feed.latest('ETH')!.confidence).toBeCloseTo(feed.latest('ETH')!.price * 0.001, 12)
    expect(feed.fundingRate('ETH')).toBe(0.0001)
    expect(new LocalFeed({ underlyings: { BTC } }).fundingRate('BTC')).toBe(0)
  })
})

describe('LocalFeed timer', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('start publishes the current prices, then steps every tickMs until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const feed = new LocalFeed({ tickMs: 250, now: () => 0, underlyings: { ETH, BTC } })
    const seen: PriceUpdate[] = []
    feed.subscribe((u) => seen.push(u))
    await feed.start()
    expect(seen.map((u) => [u.underlying, u.price])).toEqual([
      ['ETH', 3000],
      ['BTC', 90_000],
    ])
    vi.advanceTimersByTime(1000)
    expect(seen).toHaveLength(2 + 4 * 2)
    await feed.stop()
    vi.advanceTimersByTime(1000)
    expect(seen).toHaveLength(10)
    expect(vi.getTimerCount()).toBe(0)
  })
})

describe('LocalFeed operator', () => {
  it('set and move publish at once and the walk goes on from there', () => {
    const feed = new LocalFeed({ now: () => 500, underlyings: { ETH } })
    const seen: PriceUpdate[] = []
    feed.subscribe((u) => seen.push(u))
    expect(feed.set('ETH', 2500)).toEqual({ price: 2500, previous: 3000, publishTime: 500 })
    const moved = feed.move('ETH', -0.1)
    expect(moved.price).toBeCloseTo(2250, 9)
    expect(moved.previous).toBe(2500)
    feed.step()
    expect(seen.map((u) => u.price).slice(0, 2)).toEqual([2500, moved.price])
    expect(seen[2]!.price / moved.price).toBeGreaterThan(0.9)
    expect(seen[2]!.price / moved.price).toBeLessThan(1.1)
  })

  it('publish times strictly increase on a clock that stands still or steps back', () => {
    let clock = 1000
    const feed = new LocalFeed({ now: () => clock, underlyings: { ETH } })
    const times: number[] = []
    feed.subscribe((u) => times.push(u.publishTime))
    feed.set('ETH', 1)
    feed.set('ETH', 2)
    feed.move('ETH', 0.5)
    clock = 900
    feed.step()
    clock = 2000
    feed.step()
    expect(times).toHaveLength(5)
    expect(times[0]).toBe(1000)
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!)
    expect(times[4]).toBe(2000)
  })

  const refusals: readonly [string, (f: LocalFeed) => unknown, string, string][] = [
    ['set to zero', (f) => f.set('ETH', 0), 'set', 'out_of_range'],
    ['set negative', (f) => f.set('ETH', -1), 'set', 'out_of_range'],
    ['set to NaN', (f) => f.set('ETH', Number.NaN), 'set', 'not_finite'],
    ['set to Infinity', (f) => f.set('ETH', Number.POSITIVE_INFINITY), 'set', 'not_finite'],
    ['move by -1', (f) => f.move('ETH', -1), 'move', 'out_of_range'],
    ['move by -2', (f) => f.move('ETH', -2), 'move', 'out_of_range'],
    ['move by NaN', (f) => f.move('ETH', Number.NaN), 'move', 'not_finite'],
    ['set an unknown underlying', (f) => f.set('DOGE', 1), 'underlying', 'unknown_reference'],
    ['move an unknown underlying', (f) => f.move('DOGE', 0.1), 'underlying', 'unknown_reference'],
    [
      'fundingRate of an unknown underlying',
      (f) => f.fundingRate('DOGE'),
      'underlying',
      'unknown_reference',
    ],
  ]
  it.each(refusals)('refuses to %s, naming the field', (_, act, field, rule) => {
    const feed = new LocalFeed({ now: () => 0, underlyings: { ETH } })
    feed.step()
    const before = feed.latest('ETH')
    expect(caught(() => act(feed))).toMatchObject({ name: 'InputError', field, rule })
    expect(feed.latest('ETH')).toBe(before)
  })

  it('refuses a move that leaves the finite numbers', () => {
    const feed = new LocalFeed({ now: () => 0, underlyings: { ETH: { price: 1e308, vol: 0.7 } } })
    expect(caught(() => feed.move('ETH', 1))).toMatchObject({ field: 'move', rule: 'out_of_range' })
    expect(feed.latest('ETH')).toBeUndefined()
  })

  it('refuses bad options, naming the field', () => {
    const bad: readonly [unknown, string][] = [
      [{ underlyings: {} }, 'underlyings'],
      [{ underlyings: { ETH: { vol: 0.7 } } }, 'underlyings.ETH.price'],
      [{ underlyings: { ETH: { price: 1, vol: 0 } } }, 'underlyings.ETH.vol'],
      [{ underlyings: { ETH: { ...ETH, confidence: 1 } } }, 'underlyings.ETH.confidence'],
      [
        { underlyings: { ETH: { ...ETH, walk: { jumpProbability: 2 } } } },
        'underlyings.ETH.walk.jumpProbability',
      ],
      [{ underlyings: { ETH: { ...ETH, walk: { drift: 1 } } } }, 'underlyings.ETH.walk.drift'],
      [{ underlyings: { ETH }, seed: -1 }, 'seed'],
      [{ underlyings: { ETH }, seed: 1.5 }, 'seed'],
      [{ underlyings: { ETH }, tickMs: 0 }, 'tickMs'],
      [{ underlyings: { ETH }, tickMs: 2 ** 31 }, 'tickMs'],
    ]
    for (const [options, field] of bad) {
      const err = caught(() => new LocalFeed(options as LocalFeedOptions))
      expect(err).toBeInstanceOf(InputError)
      expect((err as InputError).field).toBe(field)
    }
  })
})

describe('LocalFeed stopped', () => {
  it('refuses steps and moves once stopped, and takes them again once restarted', async () => {
    const feed = new LocalFeed({ now: () => 0, underlyings: { ETH } })
    await feed.start()
    await feed.stop()
    expect(caught(() => feed.step())).toMatchObject({
      name: 'UnavailableError',
      code: 'shutting_down',
    })
    expect(caught(() => feed.set('ETH', 1))).toMatchObject({ code: 'shutting_down' })
    expect(caught(() => feed.move('ETH', 0.1))).toMatchObject({ code: 'shutting_down' })
    await feed.start()
    expect(feed.set('ETH', 1).price).toBe(1)
    await feed.stop()
  })
})
