/**
 * HermesFeed against a local Hermes (test/helpers/hermes-server.ts): the
 * latest prices then the stream, reconnecting after a cut, backing off on
 * 429 (Retry-After honoured), dropping what is out of order, sending the
 * access token, and leaving nothing behind on stop. Retries are scheduled
 * on manual timers: a test fires each when it chooses and reads the delay
 * asked for, so nothing here waits on a clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { PriceFeedError } from '../aggregator/prices/feed-error.ts'
import { HermesFeed, type HermesFeedOptions } from '../aggregator/prices/hermes-feed.ts'
import type { PriceUpdate } from '../aggregator/prices/price-feed.ts'
import type { Timers } from '../aggregator/prices/timers.ts'
import { HermesServer } from './helpers/hermes-server.ts'

const ETH_ID = '0xff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace'
const BTC_ID = '0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43'
const T0 = 1_767_225_600

interface Scheduled {
  readonly ms: number
  fire(): void
}

/** Timers that fire only when told to. */
class ManualTimers implements Timers {
  readonly pending = new Map<number, { readonly callback: () => void; readonly ms: number }>()
  readonly #handedOut = new Set<number>()
  readonly #waiting: (() => void)[] = []
  #ids = 0

  set(callback: () => void, ms: number): number {
    const id = ++this.#ids
    this.pending.set(id, { callback, ms })
    for (const wake of this.#waiting.splice(0)) wake()
    return id
  }

  clear(handle: unknown): void {
    this.pending.delete(handle as number)
  }

  /** The next timer set and not yet handed out, once there is one. */
  async next(): Promise<Scheduled> {
    for (;;) {
      const id = [...this.pending.keys()].find((k) => !this.#handedOut.has(k))
      if (id !== undefined) {
        this.#handedOut.add(id)
        const { callback, ms } = this.pending.get(id)!
        return {
          ms,
          fire: () => {
            if (this.pending.delete(id)) callback()
          },
        }
      }
      await new Promise<void>((wake) => this.#waiting.push(wake))
    }
  }
}

/** Every update a feed delivers, and a way to wait for one. */
function deliveries(feed: HermesFeed) {
  const seen: PriceUpdate[] = []
  const waiting = new Set<() => void>()
  feed.subscribe((u) => {
    seen.push(u)
    for (const w of [...waiting]) w()
  })
  const until = (price: number) =>
    new Promise<PriceUpdate>((resolve) => {
      const check = () => {
        const found = seen.find((u) => u.price === price)
        if (!found) return
        waiting.delete(check)
        resolve(found)
      }
      waiting.add(check)
      check()
    })
  return { seen, until }
}

let server: HermesServer
let timers: ManualTimers
let errors: PriceFeedError[]
let feed: HermesFeed | undefined

beforeEach(async () => {
  server = await HermesServer.start()
  server.publish(ETH_ID, { price: 3000, conf: 1.5, publishTime: T0 })
  server.publish(BTC_ID, { price: 90_000, conf: 45, publishTime: T0 })
  timers = new ManualTimers()
  errors = []
})

afterEach(async () => {
  await feed?.stop()
  feed = undefined
  await server.close()
})

function hermesFeed(options: Partial<HermesFeedOptions> = {}): HermesFeed {
  feed = new HermesFeed({
    endpoint: server.url,
    feeds: {
      ETH: { id: ETH_ID, vol: 0.7, fundingRate: 0.0001 },
      BTC: { id: BTC_ID.slice(2).toUpperCase(), vol: 0.55 },
    },
    backoff: { initialMs: 100, maxMs: 400 },
    timers,
    // The top of each jitter range: the delay asked for is the whole backoff step.
    random: () => 1,
    now: () => T0 + 5,
    onError: (e) => errors.push(e),
    ...options,
  })
  return feed
}

async function started(options: Partial<HermesFeedOptions> = {}) {
  const f = hermesFeed(options)
  const d = deliveries(f)
  await f.start()
  await server.awaitStreams(1)
  return { feed: f, ...d }
}

describe('HermesFeed', () => {
  it('takes the latest prices on start, then follows the stream', async () => {
    const { feed, until } = await started()
    expect(feed.latest('ETH')).toEqual({
      underlying: 'ETH',
      price: 3000,
      confidence: 1.5,
      publishTime: T0,
      vol: 0.7,
    })
    // The id was configured without 0x and in upper case: Hermes answers in lower case.
    expect(feed.latest('BTC')).toMatchObject({ price: 90_000, confidence: 45, vol: 0.55 })
    expect(feed.fundingRate('ETH')).toBe(0.0001)
    server.publish(ETH_ID, { price: 3001.25, conf: 1.25, publishTime: T0 + 1 })
    expect(await until(3001.25)).toMatchObject({ confidence: 1.25, publishTime: T0 + 1 })
    expect(feed.state()).toEqual({
      connected: true,
      reconnects: 0,
      lastMessageAt: T0 + 5,
      lastError: undefined,
    })
    expect(server.requests('latest')).toBe(1)
    expect(server.requests('stream')).toBe(1)
  })

  it('reconnects after the stream is cut and keeps delivering', async () => {
    const { feed, until } = await started()
    server.publish(ETH_ID, { price: 3010, conf: 1, publishTime: T0 + 1 })
    await until(3010)
    server.cutStreams()
    const retry = await timers.next()
    expect(retry.ms).toBe(100)
    expect(feed.state()).toMatchObject({ connected: false, reconnects: 0 })
    expect(errors.at(-1)).toMatchObject({ code: 'feed_unavailable' })
    retry.fire()
    await server.awaitStreams(1)
    server.publish(ETH_ID, { price: 3020, conf: 1, publishTime: T0 + 2 })
    await until(3020)
    expect(feed.state()).toMatchObject({ connected: true, reconnects: 1 })
    expect(server.requests('stream')).toBe(2)
  })

  it('on 429 waits the Retry-After, then recovers; a good message resets the backoff', async () => {
    const { feed, until } = await started()
    server.rateLimit(2, 3)
    server.cutStreams()
    const afterCut = await timers.next()
    expect(afterCut.ms).toBe(100)
    afterCut.fire()
    const first429 = await timers.next()
    expect(first429.ms).toBe(3000)
    expect(errors.at(-1)).toMatchObject({
      code: 'feed_rate_limited',
      status: 429,
      retryAfterSeconds: 3,
    })
    first429.fire()
    const second429 = await timers.next()
    expect(second429.ms).toBe(3000)
    second429.fire()
    await server.awaitStreams(1)
    expect(server.requests('stream')).toBe(4)
    server.publish(ETH_ID, { price: 3030, conf: 1, publishTime: T0 + 3 })
    await until(3030)
    expect(feed.state()).toMatchObject({ connected: true, reconnects: 3 })
    server.cutStreams()
    expect((await timers.next()).ms).toBe(100)
  })

  it('on 429 without Retry-After backs off exponentially up to maxMs', async () => {
    await started()
    server.rateLimit(3)
    server.cutStreams()
    const delays: number[] = []
    for (let i = 0; i < 4; i++) {
      const retry = await timers.next()
      delays.push(retry.ms)
      retry.fire()
    }
    await server.awaitStreams(1)
    expect(delays).toEqual([100, 200, 400, 400])
    expect(errors.filter((e) => e.code === 'feed_rate_limited')).toHaveLength(3)
    expect(server.requests('stream')).toBe(5)
  })

  it('jitters each delay within the upper half of its step', async () => {
    await started({ random: () => 0 })
    server.cutStreams()
    expect((await timers.next()).ms).toBe(50)
  })

  it('drops out-of-order and duplicate updates, and reports messages it cannot read', async () => {
    const { feed, seen, until } = await started()
    server.publish(ETH_ID, { price: 3100, conf: 1, publishTime: T0 + 100 })
    server.publish(ETH_ID, { price: 3090, conf: 1, publishTime: T0 + 90 })
    server.publish(ETH_ID, { price: 3100.5, conf: 1, publishTime: T0 + 100 })
    server.pushRaw('not json')
    server.pushRaw(
      JSON.stringify({
        parsed: [
          {
            id: ETH_ID.slice(2),
            price: { price: '3.5e11', conf: '1', expo: -8, publish_time: T0 + 105 },
          },
        ],
      }),
    )
    server.publish(ETH_ID, { price: 3101, conf: 1, publishTime: T0 + 101 })
    await until(3101)
    expect(seen.filter((u) => u.underlying === 'ETH').map((u) => u.price)).toEqual([
      3000, 3100, 3101,
    ])
    expect(feed.latest('ETH')?.price).toBe(3101)
    expect(errors.map((e) => e.code)).toEqual(['feed_bad_message', 'feed_bad_message'])
    expect(feed.state().connected).toBe(true)
  })
})

describe('HermesFeed access token', () => {
  it('sends the token as a Bearer header on the latest request and the stream', async () => {
    server.requireToken('sekret')
    const { until } = await started({ accessToken: 'sekret' })
    server.publish(ETH_ID, { price: 3050, conf: 1, publishTime: T0 + 1 })
    await until(3050)
    expect(server.authorizations).toEqual(['Bearer sekret', 'Bearer sekret'])
    expect(errors).toEqual([])
  })

  it('a wrong token: start() rejects with the refusal, reported, and nothing is left running', async () => {
    server.requireToken('sekret')
    const f = hermesFeed({ accessToken: 'wrong' })
    await expect(f.start()).rejects.toMatchObject({
      name: 'PriceFeedError',
      code: 'feed_unauthorized',
      status: 401,
    })
    expect(errors.map((e) => e.code)).toEqual(['feed_unauthorized'])
    expect(f.state()).toMatchObject({ connected: false, lastError: expect.stringContaining('401') })
    expect(server.requests('stream')).toBe(0)
    expect(timers.pending.size).toBe(0)
  })

  it('no token where one is required is refused the same way', async () => {
    server.requireToken('sekret')
    await expect(hermesFeed().start()).rejects.toMatchObject({ code: 'feed_unauthorized' })
    expect(server.authorizations).toEqual([undefined])
  })

  it('a token refused on reconnect is reported and retried, the feed kept', async () => {
    const { feed } = await started({ accessToken: 'sekret' })
    server.requireToken('rotated')
    server.cutStreams()
    ;(await timers.next()).fire()
    const retry = await timers.next()
    expect(retry.ms).toBe(200)
    expect(errors.at(-1)).toMatchObject({ code: 'feed_unauthorized', status: 401 })
    expect(feed.state().connected).toBe(false)
  })
})

describe('HermesFeed start and stop', () => {
  it('starts without prices when Hermes is down, and connects once it answers', async () => {
    const down = await HermesServer.start()
    const url = down.url
    await down.close()
    const f = hermesFeed({ endpoint: url })
    await f.start()
    expect(f.latest('ETH')).toBeUndefined()
    expect((await timers.next()).ms).toBe(100)
    expect(errors.map((e) => e.code)).toEqual(['feed_unavailable', 'feed_unavailable'])
  })

  it('stop() closes the stream and clears a pending reconnect', async () => {
    const { feed } = await started()
    server.cutStreams()
    const retry = await timers.next()
    await feed.stop()
    expect(timers.pending.size).toBe(0)
    retry.fire()
    expect(server.requests('stream')).toBe(1)
    expect(feed.state().connected).toBe(false)
  })

  it("a cut leaves none of EventSource's own retry timers behind (it would reconnect in 3 s)", async () => {
    const real = globalThis.setTimeout
    const theirs: unknown[] = []
    const set = vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      ms?: number,
    ) => {
      const handle = real(callback, ms)
      if (new Error().stack?.includes('/eventsource/')) theirs.push(handle)
      return handle
    }) as unknown as typeof setTimeout)
    const clear = vi.spyOn(globalThis, 'clearTimeout')
    try {
      await started()
      server.cutStreams()
      await timers.next()
      await new Promise((resolve) => setImmediate(resolve))
      expect(theirs).toHaveLength(1)
      expect(clear.mock.calls.map(([h]) => h)).toContain(theirs[0])
    } finally {
      set.mockRestore()
      clear.mockRestore()
    }
  })

  it('stop() with the stream open closes it at the server, and no retry follows', async () => {
    const { feed } = await started()
    await feed.stop()
    await server.awaitStreams(0)
    expect(timers.pending.size).toBe(0)
    expect(errors).toEqual([])
  })

  it('refuses bad options, naming the field', () => {
    const bad: readonly [Partial<HermesFeedOptions>, string][] = [
      [{ endpoint: 'ftp://x' }, 'endpoint'],
      [{ accessToken: '' }, 'accessToken'],
      [{ feeds: {} }, 'feeds'],
      [{ feeds: { ETH: { id: '0x12', vol: 0.7 } } }, 'feeds.ETH.id'],
      [{ feeds: { ETH: { id: ETH_ID, vol: -1 } } }, 'feeds.ETH.vol'],
      [
        {
          feeds: {
            ETH: { id: ETH_ID, vol: 1 },
            WETH: { id: ETH_ID.toUpperCase().replace('0X', ''), vol: 1 },
          },
        },
        'feeds.WETH.id',
      ],
      [{ backoff: { initialMs: 0 } }, 'backoff.initialMs'],
      [{ backoff: { initialMs: 1000, maxMs: 10 } }, 'backoff.maxMs'],
    ]
    for (const [options, field] of bad) {
      expect(() => hermesFeed(options), field).toThrow(
        expect.objectContaining({ name: 'InputError', field }),
      )
    }
  })
})
