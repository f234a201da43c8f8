/**
 * Orders and fills end to end through POST /v1/fills on the composed service
 * (scripted chains and hub, the local feed): the pre-trade check with its
 * figures, cross-chain netting, idempotency by fill id, the signature and
 * allow-list refusals, stale prices, status changes on the stream, funding
 * and expiry settlement by hand-computed amounts.
 *
 * Hand figures (spec section 6, ETH priceScanRange 0.15, extremeMove 2,
 * extremeCoverFraction 0.35, IM factor 1.25): a long ETH perp of q at spot S
 * loses q*S*0.15 in scenario 13 (the extreme one counts 0.35 * 0.3 = 0.105),
 * so MM = 0.15*q*S and IM = 0.1875*q*S.
 */
import type { LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { signEnvelope } from './helpers/sign-envelope.ts'
import { SseReader } from './helpers/sse.ts'
import { DOMAIN, ROGUE_VENUE, type TradingWorld, tradingWorld } from './helpers/trading-world.ts'

const OTHER = privateKeyToAccount(`0x${'77'.repeat(32)}`)

let world: TradingWorld
let n = 0
const trader = (usdc: number) => world.trader(usdc)

async function view(account: LocalAccount) {
  const auth = await signEnvelope(
    DOMAIN,
    'ReadAccount',
    { account: account.address, nonce: String(Date.now() * 1000 + ++n), expiry: world.now() + 60 },
    account,
  )
  const res = await world.app.request(`/v1/accounts/${account.address}`, {
    headers: { 'x-xmargin-auth': Buffer.from(JSON.stringify(auth)).toString('base64url') },
  })
  return (await res.json()) as any
}

const setPrice = (underlying: string, price: number) => world.setPrice(underlying, price)

beforeAll(async () => {
  world = await tradingWorld()
})
afterAll(async () => {
  await world?.close()
})

describe('the pre-trade check', () => {
  it('refuses a fill that would break initial margin, with its figures', async () => {
    const t = await trader(10_000)
    // 20 ETH at 3000: IM = 0.1875 * 20 * 3000 = 11,250 > equity 10,000.
    const { status, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 20,
      price: 3000,
    })
    expect(status).toBe(422)
    expect(body.error.code).toBe('insufficient_margin')
    expect(body.error.figures.initialMarginRequired).toBeCloseTo(11_250, 6)
    expect(body.error.figures.equityAfter).toBeCloseTo(10_000, 6)
    expect((await view(t)).positions).toEqual([])
  })

  it('accepts a fill within initial margin and books it', async () => {
    const t = await trader(10_000)
    const { status, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 10,
      price: 3000,
      fee: 1.5,
    })
    expect(status).toBe(200)
    expect(body.margin.initialMargin).toBeCloseTo(5_625, 6)
    expect(body.margin.equity).toBeCloseTo(10_000 - 1.5, 6)
    const v = await view(t)
    expect(v.positions).toEqual([
      { chain: 'arbitrum', instrument: 'ETH-PERP', quantity: '10', entryPrice: 3000 },
    ])
    expect(v.cash).toBeCloseTo(-1.5, 9)
  })

  it('nets a long perp on one chain against a short on another to zero margin', async () => {
    const t = await trader(10_000)
    await world.accepted({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 5,
      price: 3000,
    })
    const { status, body } = await world.fill({
      trader: t,
      venue: 'base',
      instrument: 'ETH-PERP',
      side: 'sell',
      size: 5,
      price: 3000,
    })
    expect(status).toBe(200)
    expect(body.margin.maintenanceMargin).toBe(0)
    expect(body.margin.initialMargin).toBe(0)
    expect((await view(t)).positions.map((p: any) => [p.chain, p.quantity])).toEqual([
      ['arbitrum', '5'],
      ['base', '-5'],
    ])
  })

  it('accepts a risk-reducing fill for a restricted account, refuses a risk-increasing one', async () => {
    const t = await trader(10_000)
    await world.accepted({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'buy',
      size: 0.5,
      price: 90_000,
    })
    // BTC 90,000 -> 85,500: equity 10,000 - 2,250 = 7,750; MM = 0.12 * 0.5 * 85,500 = 5,130; IM 6,412.5: healthy.
    // BTC -> 81,000: equity 5,500; MM 4,860; IM 6,075: restricted.
    await setPrice('BTC', 81_000)
    const before = (await view(t)).margin
    expect(before.status).toBe('restricted')
    const more = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'buy',
      size: 0.01,
      price: 81_000,
    })
    expect(more.status).toBe(422)
    expect(more.body.error.code).toBe('insufficient_margin')
    expect(more.body.error.figures.maintenanceMarginAfter).toBeGreaterThan(
      more.body.error.figures.maintenanceMarginBefore,
    )
    // Sell 0.02 at the mark: MM 4,665.6, IM 5,832 > equity 5,500: still restricted, but MM
    // falls and the shortfall to IM shrinks (575 -> 332): taken.
    const less = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'sell',
      size: 0.02,
      price: 81_000,
    })
    expect(less.status).toBe(200)
    expect(less.body.margin.equity).toBeCloseTo(5_500, 6)
    expect(less.body.margin.maintenanceMargin).toBeCloseTo(0.12 * 0.48 * 81_000, 6)
    expect(less.body.margin.status).toBe('restricted')
    // The same far below the mark (a loss of 420 against it): MM falls, but the shortfall
    // grows (332 -> 752): that hands equity to the other side, and is refused.
    const away = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'sell',
      size: 0.02,
      price: 60_000,
      limit: 60_000,
    })
    expect([away.status, away.body.error?.code]).toEqual([422, 'insufficient_margin'])
    expect(away.body.error.figures.shortfallAfter).toBeGreaterThan(
      away.body.error.figures.shortfallBefore,
    )
    await setPrice('BTC', 90_000)
  })

  it('refuses a fill beyond the order limit and a fill beyond what the circuit can prove (E9)', async () => {
    const t = await trader(10_000)
    const limit = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3100,
      limit: 3050,
    })
    expect(limit.status).toBe(422)
    expect(limit.body.error.code).toBe('limit_price')
    // Within the limit by price, beyond it with the fee: 3,000 + 100 / 1 > 3,050.
    const fee = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
      fee: 100,
      limit: 3050,
    })
    expect([fee.status, fee.body.error?.code]).toEqual([422, 'limit_price'])
    const huge = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 2e11,
      price: 3000,
    })
    expect(huge.status).toBe(422)
    expect(huge.body.error.code).toBe('capacity')
  })
})

describe('a fill id', () => {
  it('answers a resubmission the same way, with no second position', async () => {
    const t = await trader(10_000)
    const body = await world.fillBody({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 2,
      price: 3000,
    })
    const first = await world.post(body)
    const again = await world.post(body)
    expect(first.status).toBe(200)
    expect(again).toEqual(first)
    expect((await view(t)).positions).toEqual([expect.objectContaining({ quantity: '2' })])
  })

  it('answers a refused one the same way too, and a reuse for another execution with 409', async () => {
    const t = await trader(100)
    const body = await world.fillBody({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
      fillId: 'reused-1',
    })
    const first = await world.post(body)
    expect(first.status).toBe(422)
    expect(await world.post(body)).toEqual(first)
    const other = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 0.01,
      price: 3000,
      fillId: 'reused-1',
    })
    expect(other.status).toBe(409)
    expect(other.body.error.code).toBe('fill_id_reused')
  })

  it('never fills one order beyond its size', async () => {
    const t = await trader(10_000)
    const a = await world.fillBody({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
      nonce: 77n,
    })
    expect((await world.post(a)).status).toBe(200)
    const b = (await world.fillBody({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
      nonce: 77n,
    })) as any
    const refused = await world.post(b)
    expect(refused.status).toBe(422)
    expect(refused.body.error.code).toBe('overfilled')
  })
})

describe('refusals before the check', () => {
  it.each([
    ['an order past its expiry', { expiry: -1 }, 422, 'order_expired'],
    [
      'an order signed by a key the account never delegated',
      { orderSigner: OTHER },
      401,
      'unknown_key',
    ],
    [
      "an order whose signature is not its named signer's",
      { orderSigner: OTHER, claimSigner: 'trader' },
      401,
      'tampered',
    ],
    ['an execution changed after the venue signed', { tamper: { price: '1' } }, 401, 'tampered'],
    ['a venue not on the allow-list', { venue: ROGUE_VENUE }, 401, 'unknown_venue'],
    ['an order naming another venue', { orderVenue: ROGUE_VENUE.address }, 403, 'wrong_venue'],
  ] as const)('%s', async (_, change, status, code) => {
    const t = await trader(10_000)
    const expiry = 'expiry' in change ? world.now() - 1 : undefined
    const claim = 'claimSigner' in change ? { claimSigner: t.address } : {}
    const { status: s, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
      ...change,
      ...claim,
      ...(expiry !== undefined && { expiry }),
    } as never)
    expect([s, body.error.code]).toEqual([status, code])
    expect((await view(t)).positions).toEqual([])
  })

  it.each([
    ['a missing execution', (b: any) => ({ order: b.order }), 'execution'],
    [
      'a zero size',
      (b: any) => ({ ...b, order: { ...b.order, message: { ...b.order.message, size: '0' } } }),
      'order.message.size',
    ],
    [
      'an unknown side',
      (b: any) => ({ ...b, order: { ...b.order, message: { ...b.order.message, side: 'hold' } } }),
      'order.message.side',
    ],
    ['an extra field', (b: any) => ({ ...b, extra: 1 }), 'extra'],
  ])('answers %s with 400 naming the field', async (_, change, field) => {
    const t = await trader(0)
    const body = await world.fillBody({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
    })
    const { status, body: answer } = await world.post(change(body))
    expect(status).toBe(400)
    expect(answer.error.field).toBe(field)
  })
})

describe('prices', () => {
  it('a stale price blocks risk-increasing fills only', async () => {
    const t = await trader(10_000)
    await world.accepted({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 2,
      price: 3000,
    })
    world.advance(120)
    world.prices.checkNow()
    const markets = (await (await world.app.request('/v1/markets')).json()) as any
    expect(markets.underlyings.find((u: any) => u.underlying === 'ETH').status).toBe('stale')
    const more = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3000,
    })
    expect([more.status, more.body.error?.code]).toEqual([422, 'stale_price'])
    const flip = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'sell',
      size: 5,
      price: 3000,
    })
    expect([flip.status, flip.body.error?.code]).toEqual([422, 'stale_price'])
    const less = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'sell',
      size: 1,
      price: 3000,
    })
    expect(less.status).toBe(200)
    const metrics = await (await world.app.request('/metrics')).text()
    expect(metrics).toMatch(/xmargin_price_status\{underlying="ETH",status="stale"\} 1/)
    await setPrice('ETH', 3000)
    await setPrice('BTC', 90_000)
  })

  it("a price move changes exposed accounts' statuses, in order on their streams", async () => {
    const a = await trader(10_000)
    const b = await trader(10_000)
    // Both long 15 ETH: MM 6,750, IM 8,437.5, equity 10,000: healthy.
    for (const t of [a, b]) {
      const { status, body } = await world.fill({
        trader: t,
        venue: 'base',
        instrument: 'ETH-PERP',
        side: 'buy',
        size: 15,
        price: 3000,
      })
      expect([status, body.error?.code]).toEqual([200, undefined])
    }
    const streams = await Promise.all(
      [a, b].map(async (t) => {
        const auth = await signEnvelope(
          DOMAIN,
          'ReadAccount',
          { account: t.address, nonce: String(++n), expiry: world.now() + 60 },
          t,
        )
        const res = await world.app.request(`/v1/accounts/${t.address}/stream`, {
          headers: { 'x-xmargin-auth': Buffer.from(JSON.stringify(auth)).toString('base64url') },
        })
        const reader = new SseReader(res)
        expect((await reader.next()).event).toBe('snapshot')
        return reader
      }),
    )
    // 2,850: equity 7,750, MM 6,412.5, IM 8,015.6: restricted. 2,700: equity 5,500 < MM 6,075: liquidatable.
    await setPrice('ETH', 2_850)
    await setPrice('ETH', 2_700)
    for (const reader of streams) {
      const seen: string[] = []
      let last = 0n
      while (seen.length < 2) {
        const m = await reader.next()
        const e = JSON.parse(m.data)
        expect(BigInt(m.id!)).toBeGreaterThan(last)
        last = BigInt(m.id!)
        if (e.kind === 'status_changed') seen.push(`${e.from}->${e.to}`)
      }
      expect(seen).toEqual(['healthy->restricted', 'restricted->liquidatable'])
      await reader.close()
    }
    await setPrice('ETH', 3000)
  })
})
