/**
 * PriceService: the last good price per underlying, its status as updates
 * come and time passes, the ticks subscribers get, the operator's hand on
 * the local feed, and the metrics.
 */
import type { Logger } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderMetrics } from '../../relayer/metrics.ts'
import { HermesServer } from '../../test/helpers/hermes-server.ts'
import { silentLogger } from '../log.ts'
import { DEFAULT_PRICE_CONFIG, PYTH_ETH_USD } from './defaults.ts'
import { HermesFeed } from './hermes-feed.ts'
import { PriceService, type PriceTick } from './index.ts'
import { LocalFeed } from './local-feed.ts'
import type { PriceFeed, PriceUpdate } from './price-feed.ts'
import { Publisher } from './publisher.ts'

const T0 = 1_767_225_600
const LIMITS = { maxAgeSeconds: 60, maxConfidenceRatio: 0.02 }

/** A feed the test pushes updates into. */
class ScriptedFeed implements PriceFeed {
  readonly underlyings = ['ETH', 'BTC']
  readonly publisher = new Publisher()
  started = 0
  latest = (u: string) => this.publisher.latest(u)
  subscribe = (l: (u: PriceUpdate) => void) => this.publisher.subscribe(l)
  fundingRate = () => 0.0001
  async start() {
    this.started++
  }
  async stop() {}
  push(underlying: string, price: number, publishTime: number, confidence = price * 0.001): void {
    this.publisher.offer({ underlying, price, confidence, publishTime, vol: 0.7 })
  }
}

/** Resolves at the first tick at `price`. */
function tickOf(prices: PriceService, price: number): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribe = prices.subscribe((t) => {
      if (t.price !== price) return
      unsubscribe()
      resolve()
    })
  })
}

let clock = T0
const now = () => clock
let service: PriceService | undefined

afterEach(async () => {
  await service?.stop()
  service = undefined
  vi.useRealTimers()
})

async function scripted() {
  clock = T0
  const feed = new ScriptedFeed()
  service = new PriceService(feed, { ETH: LIMITS, BTC: LIMITS }, { now })
  const ticks: PriceTick[] = []
  service.subscribe((t) => ticks.push(t))
  await service.start()
  return { feed, service, ticks }
}

describe('PriceService', () => {
  it('takes every good update as the price and tells subscribers', async () => {
    const { feed, service, ticks } = await scripted()
    expect(service.current('ETH')).toBeUndefined()
    feed.push('ETH', 3000, T0 - 2)
    expect(service.current('ETH')).toEqual({
      price: 3000,
      vol: 0.7,
      confidence: 3,
      publishTime: T0 - 2,
      status: 'ok',
      ageSeconds: 2,
    })
    expect(ticks).toEqual([
      {
        underlying: 'ETH',
        price: 3000,
        vol: 0.7,
        confidence: 3,
        publishTime: T0 - 2,
        status: 'ok',
      },
    ])
    expect(service.snapshot()).toEqual({ ETH: service.current('ETH'), BTC: undefined })
    expect(service.fundingRate('ETH')).toBe(0.0001)
    expect(service.underlyings).toEqual(['ETH', 'BTC'])
  })

  it('takes the prices a feed already had when it starts', async () => {
    const feed = new ScriptedFeed()
    feed.push('BTC', 90_000, T0)
    service = new PriceService(feed, { ETH: LIMITS, BTC: LIMITS }, { now })
    await service.start()
    await service.start()
    expect(service.current('BTC')?.price).toBe(90_000)
    expect(feed.started).toBe(1)
  })

  it('goes stale by time alone: one tick with the status, the last good price kept', async () => {
    const { feed, service, ticks } = await scripted()
    feed.push('ETH', 3000, T0)
    clock = T0 + 60
    service.checkNow()
    expect(ticks).toHaveLength(1)
    clock = T0 + 61
    service.checkNow()
    service.checkNow()
    expect(ticks).toHaveLength(2)
    expect(ticks[1]).toMatchObject({ underlying: 'ETH', price: 3000, status: 'stale' })
    expect(service.current('ETH')).toMatchObject({ price: 3000, status: 'stale', ageSeconds: 61 })
    feed.push('ETH', 3005, T0 + 61)
    expect(ticks.at(-1)).toMatchObject({ price: 3005, status: 'ok' })
  })

  it('a stale update still becomes the price (the newest there is), marked stale', async () => {
    const { feed, service, ticks } = await scripted()
    feed.push('ETH', 3000, T0 - 120)
    expect(service.current('ETH')).toMatchObject({ price: 3000, status: 'stale' })
    expect(ticks.at(-1)).toMatchObject({ status: 'stale' })
  })

  it('an uncertain update does not replace the good price; the status says so until a good one', async () => {
    const { feed, service, ticks } = await scripted()
    feed.push('ETH', 3000, T0)
    feed.push('ETH', 2000, T0 + 1, 2000 * 0.05)
    expect(service.current('ETH')).toMatchObject({
      price: 3000,
      publishTime: T0,
      status: 'uncertain',
    })
    expect(ticks.at(-1)).toMatchObject({ price: 3000, status: 'uncertain' })
    feed.push('ETH', 1990, T0 + 2, 1990 * 0.05)
    expect(ticks).toHaveLength(2)
    feed.push('ETH', 2010, T0 + 3)
    expect(service.current('ETH')).toMatchObject({ price: 2010, status: 'ok' })
    expect(ticks.at(-1)).toMatchObject({ price: 2010, status: 'ok' })
  })

  it('with no good price yet an uncertain one gives no price and no tick', async () => {
    const { feed, service, ticks } = await scripted()
    feed.push('ETH', 3000, T0, 3000)
    expect(service.current('ETH')).toBeUndefined()
    expect(ticks).toEqual([])
    expect(renderMetrics(service.metrics())).toContain(
      'xmargin_price_status{underlying="ETH",status="uncertain"} 1',
    )
  })

  it('checks time on its own every checkMs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const feed = new ScriptedFeed()
    service = new PriceService(feed, { ETH: LIMITS, BTC: LIMITS }, { now, checkMs: 500 })
    const ticks: PriceTick[] = []
    service.subscribe((t) => ticks.push(t))
    await service.start()
    clock = T0
    feed.push('ETH', 3000, T0)
    clock = T0 + 90
    vi.advanceTimersByTime(500)
    expect(ticks.map((t) => t.status)).toEqual(['ok', 'stale'])
    await service.stop()
    expect(vi.getTimerCount()).toBe(0)
  })

  it('unsubscribe, and a subscriber that throws, affect that subscriber alone', async () => {
    const logged: unknown[] = []
    const logger = { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger
    const feed = new ScriptedFeed()
    service = new PriceService(feed, { ETH: LIMITS, BTC: LIMITS }, { now, logger })
    service.subscribe(() => {
      throw new Error('subscriber failing')
    })
    const ticks: PriceTick[] = []
    const gone: PriceTick[] = []
    service.subscribe((t) => ticks.push(t))
    const unsubscribe = service.subscribe((t) => gone.push(t))
    unsubscribe()
    await service.start()
    feed.push('ETH', 3000, T0)
    expect(ticks).toHaveLength(1)
    expect(gone).toEqual([])
    expect(logged).toHaveLength(1)
  })

  it('refuses limits that do not match the feed, naming the field', () => {
    const feed = new ScriptedFeed()
    const cases: readonly [Record<string, unknown>, string][] = [
      [{ ETH: LIMITS }, 'limits.BTC'],
      [{ ETH: LIMITS, BTC: LIMITS, SOL: LIMITS }, 'limits.SOL'],
      [{ ETH: LIMITS, BTC: { ...LIMITS, maxAgeSeconds: 0 } }, 'limits.BTC.maxAgeSeconds'],
      [{ ETH: { maxAgeSeconds: 60 }, BTC: LIMITS }, 'limits.ETH.maxConfidenceRatio'],
    ]
    for (const [limits, field] of cases) {
      expect(() => new PriceService(feed, limits as never), field).toThrow(
        expect.objectContaining({ field }),
      )
    }
    expect(() => new PriceService(feed, { ETH: LIMITS, BTC: LIMITS }, { checkMs: 0 })).toThrow(
      expect.objectContaining({ field: 'checkMs' }),
    )
  })
})

describe('PriceService on the local feed', () => {
  it('fromConfig runs the default local feed; the operator moves it and subscribers hear at once', async () => {
    clock = T0
    service = PriceService.fromConfig(DEFAULT_PRICE_CONFIG, { now, logger: silentLogger })
    const ticks: PriceTick[] = []
    service.subscribe((t) => ticks.push(t))
    await service.start()
    expect(service.current('ETH')).toMatchObject({ price: 3000, vol: 0.7, status: 'ok' })
    expect(service.current('BTC')).toMatchObject({ price: 90_000, vol: 0.55 })
    const moved = service.operator!.move('ETH', -0.2)
    expect(moved).toEqual({ price: 2400, previous: 3000, publishTime: T0 + 0.001 })
    expect(ticks.at(-1)).toMatchObject({ underlying: 'ETH', price: 2400, status: 'ok' })
    expect(service.operator!.set('BTC', 80_000).previous).toBe(90_000)
    expect(service.current('BTC')?.price).toBe(80_000)
    expect(() => service!.operator!.set('DOGE', 1)).toThrow(
      expect.objectContaining({ field: 'underlying' }),
    )
  })

  it('metrics: price, age, confidence ratio and one status gauge per status', async () => {
    clock = T0
    const feed = new LocalFeed({
      underlyings: {
        ETH: { price: 3000, vol: 0.7, confidence: 0.001 },
        BTC: { price: 90_000, vol: 0.55 },
      },
      now,
      tickMs: 2 ** 31 - 1,
    })
    service = new PriceService(feed, { ETH: LIMITS, BTC: LIMITS }, { now })
    await service.start()
    clock = T0 + 61
    feed.set('BTC', 91_000)
    const text = renderMetrics(service.metrics())
    for (const line of [
      '# TYPE xmargin_price_usd gauge',
      'xmargin_price_usd{underlying="ETH"} 3000',
      'xmargin_price_usd{underlying="BTC"} 91000',
      'xmargin_price_age_seconds{underlying="ETH"} 61',
      'xmargin_price_age_seconds{underlying="BTC"} 0',
      'xmargin_price_confidence_ratio{underlying="ETH"} 0.001',
      'xmargin_price_status{underlying="ETH",status="ok"} 0',
      'xmargin_price_status{underlying="ETH",status="stale"} 1',
      'xmargin_price_status{underlying="ETH",status="uncertain"} 0',
      'xmargin_price_status{underlying="ETH",status="missing"} 0',
      'xmargin_price_status{underlying="BTC",status="ok"} 1',
    ]) {
      expect(text).toContain(line)
    }
    expect(text).not.toContain('xmargin_price_feed_connected')
  })
})

describe('PriceService on Hermes', () => {
  it('has no operator, and reports the connection in its metrics', async () => {
    clock = T0
    const server = await HermesServer.start()
    try {
      server.publish(PYTH_ETH_USD, { price: 3000, conf: 1, publishTime: T0 })
      const feed = new HermesFeed({
        endpoint: server.url,
        feeds: { ETH: { id: PYTH_ETH_USD, vol: 0.7 } },
      })
      service = new PriceService(feed, { ETH: LIMITS }, { now })
      await service.start()
      expect(service.operator).toBeNull()
      expect(service.current('ETH')).toMatchObject({ price: 3000, status: 'ok' })
      await server.awaitStreams(1)
      server.publish(PYTH_ETH_USD, { price: 3001, conf: 1, publishTime: T0 + 1 })
      await tickOf(service, 3001)
      const text = renderMetrics(service.metrics())
      expect(text).toContain('xmargin_price_feed_connected 1')
      expect(text).toContain('# TYPE xmargin_price_feed_reconnects_total counter')
      expect(text).toContain('xmargin_price_feed_reconnects_total 0')
      await service.stop()
      expect(renderMetrics(service.metrics())).toContain('xmargin_price_feed_connected 0')
    } finally {
      await service?.stop()
      await server.close()
    }
  })

  it('a start the feed refuses rejects, and the service is left unsubscribed', async () => {
    const server = await HermesServer.start({ accessToken: 'right' })
    try {
      const feed = new HermesFeed({
        endpoint: server.url,
        accessToken: 'wrong',
        feeds: { ETH: { id: PYTH_ETH_USD, vol: 0.7 } },
      })
      service = new PriceService(feed, { ETH: LIMITS }, { now })
      await expect(service.start()).rejects.toMatchObject({ code: 'feed_unauthorized' })
    } finally {
      await server.close()
    }
  })
})
