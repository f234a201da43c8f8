/**
 * Property: for random sequences of fills (any trader, venue, instrument,
 * side, size, price near the mark) and price ticks, the live book's figures
 * for every account equal the reference engine's on the account rebuilt
 * from the log alone (a fresh fold of its events), at the book's market.
 */
import fc from 'fast-check'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { AccountBook } from '../aggregator/accounts/account-book.ts'
import { portfolioOf } from '../aggregator/accounts/portfolio.ts'
import { computeMargin } from '../aggregator/risk/reference.ts'
import { type TradingWorld, tradingWorld, USDC, WETH } from './helpers/trading-world.ts'

let world: TradingWorld
const traders = [1, 2, 3].map((i) =>
  privateKeyToAccount(`0x${(0x5eed00 + i).toString(16).padStart(64, '0')}`),
)

beforeAll(async () => {
  world = await tradingWorld()
  for (const t of traders) {
    await world.deposit('arbitrum', t.address, USDC, 40_000_000_000n)
    await world.deposit('base', t.address, WETH, 2n * 10n ** 18n)
  }
})
afterAll(async () => {
  await world?.close()
})

const close = (a: number, b: number) =>
  Math.abs(a - b) <= Math.max(1e-6, 1e-7 * Math.max(Math.abs(a), Math.abs(b)))

async function agree(): Promise<void> {
  await world.margin.settled()
  for (const t of traders) {
    const book = new AccountBook()
    for (const r of await world.accounts.eventsSince(t.address, 0n)) book.apply(r)
    const state = book.get(t.address)!
    const reference = computeMargin({
      market: world.margin.market,
      params: world.margin.params,
      portfolio: portfolioOf(state, world.accounts.directory),
    })
    const live = world.margin.figures(t.address)
    for (const k of [
      'equity',
      'maintenanceMargin',
      'initialMargin',
      'scanRisk',
      'shortOptionMinimum',
    ] as const) {
      expect(close(live[k], reference[k]), `${k}: live ${live[k]} reference ${reference[k]}`).toBe(
        true,
      )
    }
    expect(live.status).toBe(reference.status)
  }
}

const step = fc.oneof(
  fc.record({
    kind: fc.constant('fill' as const),
    trader: fc.integer({ min: 0, max: 2 }),
    venue: fc.constantFrom('arbitrum' as const, 'base' as const),
    instrument: fc.integer({ min: 0, max: 5 }),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    size: fc.integer({ min: 1, max: 400 }).map((x) => x / 100),
    slip: fc.double({ min: -0.02, max: 0.02, noNaN: true }),
  }),
  fc.record({
    kind: fc.constant('tick' as const),
    underlying: fc.constantFrom('ETH', 'BTC'),
    move: fc.double({ min: -0.08, max: 0.08, noNaN: true }),
  }),
)

it('the live figures equal the reference engine on the account rebuilt from the log', async () => {
  const listed = (await (await world.app.request('/v1/markets')).json()) as {
    instruments: { id: string; mark: number; kind: string }[]
  }
  const pick = [
    ...listed.instruments.filter((i) => i.kind === 'perp'),
    ...listed.instruments.filter((i) => i.kind === 'future').slice(0, 2),
    ...listed.instruments.filter((i) => i.kind === 'option').slice(0, 2),
  ].map((i) => i.id)
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
      for (const s of steps) {
        if (s.kind === 'tick') {
          const p = world.prices.current(s.underlying)!.price
          world.feed.set(s.underlying, Number((p * (1 + s.move)).toFixed(6)))
        } else {
          const markets = (await (await world.app.request('/v1/markets')).json()) as typeof listed
          const id = pick[s.instrument % pick.length]!
          const mark = markets.instruments.find((i) => i.id === id)!.mark
          const price = Math.max(0.01, Number((mark * (1 + s.slip)).toFixed(6)))
          const limit = s.side === 'buy' ? price * 1.05 : price * 0.95
          const { status } = await world.fill({
            trader: traders[s.trader]!,
            venue: s.venue,
            instrument: id,
            side: s.side,
            size: s.size,
            price,
            limit,
          })
          expect([200, 422]).toContain(status)
        }
        await agree()
      }
    }),
    { numRuns: 12 },
  )
})
