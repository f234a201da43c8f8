/**
 * A hostile trader and a hostile venue against the order flow and live
 * margin, as a security review found them: a reducing fill at an absurd
 * price, fees beyond the limit, risk taken or collateral withdrawn against a
 * stale price. Each test states what the trust model requires.
 *
 * Hand figures as in orders.test.ts: a long perp of q at S has MM = r*q*S
 * (r = priceScanRange: ETH 0.15, BTC 0.12), IM = 1.25 * MM.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { MemoryLeafIndices } from '../aggregator/epochs/leaf-indices.ts'
import { type TradingWorld, tradingWorld, USDC, WETH } from './helpers/trading-world.ts'

const USD = (x: number) => BigInt(Math.round(x * 1e6))

let world: TradingWorld
const trader = (usdc: number) => world.trader(usdc)

const setPrice = (underlying: string, price: number) => world.setPrice(underlying, price)

/** Age every price past maxAgeSeconds (60), then republish only `fresh`. */
async function staleExcept(...fresh: string[]) {
  world.advance(120)
  world.prices.checkNow()
  for (const u of fresh) await setPrice(u, u === 'BTC' ? 90_000 : 3_000)
  await world.margin.settled()
}

beforeAll(async () => {
  world = await tradingWorld()
})
afterEach(async () => {
  await setPrice('ETH', 3_000)
  await setPrice('BTC', 90_000)
})
afterAll(async () => {
  await world?.close()
})

describe('below initial margin: "reduces risk" must not let equity be drained', () => {
  it('refuses a reducing fill at an absurd price that turns a restricted account bankrupt', async () => {
    const t = await trader(10_000)
    const open = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'buy',
      size: 0.5,
      price: 90_000,
    })
    expect(open.status).toBe(200)
    // BTC 81,000: equity 5,500, MM 4,860, IM 6,075: restricted.
    await setPrice('BTC', 81_000)
    expect(world.margin.figures(t.address).status).toBe('restricted')
    // Sell 0.1 BTC at 1 USD (the trader's own limit; a counterparty account of the
    // same trader on the venue buys it): MM falls to 3,888, equity to -2,600.
    const drain = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'sell',
      size: 0.1,
      price: 1,
      limit: 1,
    })
    // Required: refused (the fill moves ~8,100 USD of equity out and leaves bad debt).
    expect([drain.status, drain.body.margin?.status]).toEqual([422, undefined])
  })
})

describe('the venue fee is not signed by the trader and not bounded', () => {
  it('refuses a fee that takes almost all the equity of a healthy account', async () => {
    const t = await trader(10_000)
    // The trader signs: buy 1 ETH, limit 3,030. The venue fills at 3,000 and charges 9,000 USD.
    const { status, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 1,
      price: 3_000,
      limit: 3_030,
      fee: 9_000,
    })
    // Required: the all-in price (3,000 + 9,000 a unit) is past the signed limit.
    expect([status, body.margin?.equity]).toEqual([422, undefined])
  })

  it('refuses a fee that bankrupts a restricted account on a reducing fill', async () => {
    const t = await trader(10_000)
    await world.accepted({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'buy',
      size: 0.5,
      price: 90_000,
    })
    await setPrice('BTC', 81_000)
    const { status, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'sell',
      size: 0.01,
      price: 81_000,
      fee: 1_000_000,
    })
    expect([status, body.margin?.status]).toEqual([422, undefined])
  })
})

describe('stale prices', () => {
  it('refuses a new BTC position backed by WETH collateral valued at a stale ETH price', async () => {
    const t = await trader(0)
    await world.deposit('arbitrum', t.address, WETH, 5n * 10n ** 18n)
    await staleExcept('BTC')
    expect(world.prices.current('ETH')?.status).toBe('stale')
    expect(world.prices.current('BTC')?.status).toBe('ok')
    // 5 WETH at the stale 3,000 (haircut 5%) = 14,250 USD backs IM 9,421 for 0.5 BTC.
    const { status, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'BTC-PERP',
      side: 'buy',
      size: 0.5,
      price: 90_000,
    })
    expect([status, body.error?.code]).toEqual([422, 'stale_price'])
  })

  it('refuses a fill that "reduces" one instrument but unhedges the underlying on a stale price', async () => {
    const t = await trader(10_000)
    const future = world.listing
      .list()
      .find((l) => l.instrument.kind === 'future' && l.instrument.underlying === 'ETH')!
    for (const [instrument, side] of [
      ['ETH-PERP', 'buy'],
      [future.id, 'sell'],
    ] as const)
      await world.accepted({
        trader: t,
        venue: 'arbitrum',
        instrument,
        side,
        size: 5,
        price: 3_000,
      })
    expect(world.margin.figures(t.address).maintenanceMargin).toBeCloseTo(0, 6)
    await staleExcept()
    expect(world.prices.current('ETH')?.status).toBe('stale')
    // Closing the perp "reduces" ETH-PERP, but leaves a naked short of 5 ETH: MM 0 -> 2,250.
    const { status, body } = await world.fill({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'sell',
      size: 5,
      price: 3_000,
    })
    expect([status, body.error?.code]).toEqual([422, 'stale_price'])
  })

  it('refuses a withdrawal (E7) while a held position is priced on a stale price', async () => {
    const t = await trader(10_000)
    await world.accepted({
      trader: t,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 10,
      price: 3_000,
    })
    await staleExcept('BTC')
    expect(world.prices.current('ETH')?.status).toBe('stale')
    // IM 5,625 at the last good 3,000: 4,000 USDC is "free" only on that stale price.
    const outcome = await world.accounts
      .withdraw({
        account: t.address,
        nonce: 1n,
        expiry: BigInt(world.now() + 60),
        chain: 23,
        token: USDC,
        amount: USD(4_000),
      } as never)
      .then(
        (w) => w.status,
        (err) => `refused:${(err as { reason?: string }).reason ?? String(err)}`,
      )
    expect(outcome).toMatch(/^refused/)
  })
})

describe('E9: an account the hub has not indexed cannot be proven, so takes on no risk', () => {
  it('refuses its fills until the hub gives it a leaf, then accepts them', async () => {
    const indices = new MemoryLeafIndices()
    const w = await tradingWorld({ leafIndices: indices })
    try {
      const t = await w.trader(10_000)
      const order = {
        trader: t,
        venue: 'arbitrum',
        instrument: 'ETH-PERP',
        side: 'buy',
        size: 1,
        price: 3_000,
      } as const
      const refused = await w.fill(order)
      expect(refused.status).toBe(422)
      expect(refused.body.error).toMatchObject({ code: 'capacity', field: 'order.message.account' })
      indices.credit(t.address)
      expect((await w.fill(order)).status).toBe(200)
    } finally {
      await w.close()
    }
  })
})
