/**
 * What every PriceFeed must do, as vitest cases any implementation can
 * register with a driver that publishes from the source side: updates in
 * publish-time order per underlying, an older or equal one never delivered
 * as news, latest() the newest, unsubscribe and a throwing subscriber
 * affecting that subscriber alone, nothing after stop() (a feed that is
 * its own source may refuse to publish instead). Each case starts
 * its publish times past whatever the feed already holds, so a driver may
 * hand over a feed that has published before.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { PriceFeed, PriceUpdate } from './price-feed.ts'

export interface PublishedPrice {
  readonly underlying: string
  readonly price: number
  readonly confidence: number
  /** Unix seconds, whole. */
  readonly publishTime: number
}

export interface FeedDriver {
  /** Started. */
  readonly feed: PriceFeed
  /** Two underlyings the feed prices. */
  readonly underlyings: readonly [string, string]
  /** Publish at the source; resolves once it is sent (delivery may come later). */
  publish(price: PublishedPrice): Promise<void>
  /** Resolves once the source has seen the feed stop (a closed connection). */
  settle?(): Promise<void>
  /** The source stamps an older publish time forward instead of sending it (the local feed). */
  readonly restampsOlder?: boolean
  /** The source sets the confidence itself (the local feed: a fraction of price). */
  readonly ownConfidence?: boolean
  /** Stop the feed and the source. */
  close(): Promise<void>
}

/** How long a case waits for an update before it says what it was waiting for. */
const DELIVERY_GUARD_MS = 10_000

interface Collector {
  readonly seen: PriceUpdate[]
  of(underlying: string): PriceUpdate[]
  until(what: string, done: (seen: readonly PriceUpdate[]) => boolean): Promise<void>
  unsubscribe(): void
}

function collect(feed: PriceFeed): Collector {
  const seen: PriceUpdate[] = []
  const waiters = new Set<() => void>()
  const unsubscribe = feed.subscribe((u) => {
    seen.push(u)
    for (const w of [...waiters]) w()
  })
  return {
    seen,
    of: (underlying) => seen.filter((u) => u.underlying === underlying),
    unsubscribe,
    until: (what, done) =>
      new Promise<void>((resolve, reject) => {
        const guard = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no delivery of ${what}; seen: ${JSON.stringify(seen)}`))
        }, DELIVERY_GUARD_MS)
        const check = () => {
          if (!done(seen)) return
          clearTimeout(guard)
          waiters.delete(check)
          resolve()
        }
        waiters.add(check)
        check()
      }),
  }
}

const hasPrice = (underlying: string, price: number) => (seen: readonly PriceUpdate[]) =>
  seen.some((u) => u.underlying === underlying && u.price === price)

function expectIncreasing(updates: readonly PriceUpdate[]): void {
  for (let i = 1; i < updates.length; i++) {
    expect(updates[i]!.publishTime).toBeGreaterThan(updates[i - 1]!.publishTime)
  }
}

export function describePriceFeed(name: string, makeDriver: () => Promise<FeedDriver>): void {
  describe(`PriceFeed conformance: ${name}`, () => {
    let driver: FeedDriver
    let a: string
    let b: string
    /** A whole second past every publish time the feed holds. */
    let base: number
    const publish = (underlying: string, price: number, at: number, confidence = price / 1000) =>
      driver.publish({ underlying, price, confidence, publishTime: base + at })

    beforeEach(async () => {
      driver = await makeDriver()
      ;[a, b] = driver.underlyings
      const times = driver.feed.underlyings.map((u) => driver.feed.latest(u)?.publishTime ?? 0)
      base = Math.ceil(Math.max(0, ...times)) + 100
    })
    afterEach(async () => {
      await driver.close()
    })

    it('prices the underlyings it names', () => {
      expect(driver.feed.underlyings).toEqual(expect.arrayContaining([a, b]))
      expect(Number.isFinite(driver.feed.fundingRate(a))).toBe(true)
    })

    it('delivers every update in publish-time order per underlying', async () => {
      const c = collect(driver.feed)
      await publish(a, 101, 1, 0.5)
      await publish(b, 201, 1)
      await publish(a, 102, 2)
      await publish(a, 103, 3)
      await publish(b, 202, 2)
      await c.until(`${a} 103 and ${b} 202`, (s) => hasPrice(a, 103)(s) && hasPrice(b, 202)(s))
      expect(c.of(a).map((u) => u.price)).toEqual([101, 102, 103])
      expect(c.of(b).map((u) => u.price)).toEqual([201, 202])
      expectIncreasing(c.of(a))
      expectIncreasing(c.of(b))
      const first = c.of(a)[0]!
      expect(first.publishTime).toBe(base + 1)
      expect(first.vol).toBeGreaterThan(0)
      if (!driver.ownConfidence) expect(first.confidence).toBe(0.5)
      else expect(first.confidence).toBeGreaterThanOrEqual(0)
      c.unsubscribe()
    })

    it('never delivers an older or equal update as news', async () => {
      const c = collect(driver.feed)
      await publish(a, 111, 10)
      await publish(a, 112, 5)
      await publish(a, 113, 10)
      await publish(a, 114, 11)
      await c.until(`${a} 114`, hasPrice(a, 114))
      expectIncreasing(c.of(a))
      const expected = driver.restampsOlder ? [111, 112, 113, 114] : [111, 114]
      expect(c.of(a).map((u) => u.price)).toEqual(expected)
      expect(driver.feed.latest(a)?.price).toBe(114)
      c.unsubscribe()
    })

    it('latest() is the newest update per underlying', async () => {
      const c = collect(driver.feed)
      await publish(a, 121, 1)
      await publish(b, 221, 1)
      await publish(a, 122, 2)
      await c.until(`${a} 122 and ${b} 221`, (s) => hasPrice(a, 122)(s) && hasPrice(b, 221)(s))
      expect(driver.feed.latest(a)).toEqual(c.of(a).at(-1))
      expect(driver.feed.latest(b)).toEqual(c.of(b).at(-1))
      expect(driver.feed.latest('NO-SUCH-UNDERLYING')).toBeUndefined()
      c.unsubscribe()
    })

    it('unsubscribe stops delivery to that subscriber alone', async () => {
      const gone = collect(driver.feed)
      const stays = collect(driver.feed)
      gone.unsubscribe()
      gone.unsubscribe()
      await publish(a, 131, 1)
      await stays.until(`${a} 131`, hasPrice(a, 131))
      expect(gone.seen).toEqual([])
      stays.unsubscribe()
    })

    it('a subscriber that throws does not keep the update from the others', async () => {
      const unsubscribe = driver.feed.subscribe(() => {
        throw new Error('a subscriber failing')
      })
      const c = collect(driver.feed)
      await publish(a, 141, 1)
      await publish(a, 142, 2)
      await c.until(`${a} 142`, hasPrice(a, 142))
      expect(c.of(a).map((u) => u.price)).toEqual([141, 142])
      unsubscribe()
      c.unsubscribe()
    })

    it('delivers nothing after stop()', async () => {
      const c = collect(driver.feed)
      await publish(a, 151, 1)
      await c.until(`${a} 151`, hasPrice(a, 151))
      await driver.feed.stop()
      await driver.feed.stop()
      await driver.settle?.()
      const before = driver.feed.latest(a)
      // A feed that is its own source (the local feed) may refuse to publish at all.
      await publish(a, 152, 2).catch(() => {})
      await new Promise((resolve) => setImmediate(resolve))
      expect(c.of(a).map((u) => u.price)).toEqual([151])
      expect(driver.feed.latest(a)).toEqual(before)
      c.unsubscribe()
    })
  })
}
