/**
 * The life of a position after its fill, on the composed service with a
 * clock the test moves: perp funding each interval and futures and options
 * settled at expiry, each changing cash by a hand-computed amount.
 */
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountEvent } from '../aggregator/accounts/events.ts'
import { type TradingWorld, tradingWorld, USDC } from './helpers/trading-world.ts'

let world: TradingWorld
beforeAll(async () => {
  // 10 bp per hour; the clock starts on an hour boundary.
  world = await tradingWorld({ fundingRate: 0.001, start: 1_767_225_600, maxAgeSeconds: 3_600 })
})
afterAll(async () => {
  await world?.close()
})

const trader = (i: number) =>
  privateKeyToAccount(`0x${(0xfeed00 + i).toString(16).padStart(64, '0')}`)
const kind =
  <K extends AccountEvent['kind']>(k: K, account: string) =>
  (e: AccountEvent) =>
    e.kind === k && e.account.toLowerCase() === account.toLowerCase()

describe('funding', () => {
  it('a long pays, a short receives, rate x notional at the mark, once per interval', async () => {
    const long = trader(1)
    const short = trader(2)
    for (const t of [long, short]) await world.deposit('arbitrum', t.address, USDC, 10_000_000_000n)
    await world.accepted({
      trader: long,
      venue: 'arbitrum',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: 2,
      price: 3000,
    })
    await world.accepted({
      trader: short,
      venue: 'base',
      instrument: 'ETH-PERP',
      side: 'sell',
      size: 3,
      price: 3000,
    })
    const paid = world.next(kind('funding', long.address))
    const received = world.next(kind('funding', short.address))
    world.advance(3_600)
    world.feed.set('ETH', 3_100)
    const [p, r] = await Promise.all([paid, received])
    // -2 * 3,100 * 0.001 = -6.2; +3 * 3,100 * 0.001 = +9.3
    expect(p.event.kind === 'funding' && p.event.amount).toBeCloseTo(-6.2, 9)
    expect(r.event.kind === 'funding' && r.event.amount).toBeCloseTo(9.3, 9)
    expect(world.accounts.stateOf(long.address)!.cash).toBeCloseTo(-6.2, 9)
    expect(world.accounts.stateOf(short.address)!.cash).toBeCloseTo(9.3, 9)
  })
})

describe('expiry', () => {
  it('settles a future and an option at the first good price at or after expiry', async () => {
    const t = trader(3)
    await world.deposit('arbitrum', t.address, USDC, 50_000_000_000n)
    const markets = (await (await world.app.request('/v1/markets')).json()) as any
    const future = markets.instruments.find(
      (i: any) => i.kind === 'future' && i.underlying === 'ETH',
    )
    const call = markets.instruments.find(
      (i: any) =>
        i.kind === 'option' &&
        i.underlying === 'ETH' &&
        i.type === 'call' &&
        i.expiry === future.expiry,
    )
    await world.accepted({
      trader: t,
      venue: 'arbitrum',
      instrument: future.id,
      side: 'buy',
      size: 2,
      price: 3000,
    })
    const premium = 150
    await world.accepted({
      trader: t,
      venue: 'base',
      instrument: call.id,
      side: 'sell',
      size: 1,
      price: premium,
    })
    const cashBefore = world.accounts.stateOf(t.address)!.cash
    expect(cashBefore).toBeCloseTo(premium, 9)
    const settled = [
      world.next(kind('settlement', t.address)),
      world.next(
        (e) =>
          kind('settlement', t.address)(e) && e.kind === 'settlement' && e.instrument === call.id,
      ),
    ]
    world.advance(future.expiry - world.now() + 5)
    const S = call.strike + 400
    world.feed.set('ETH', S)
    await Promise.all(settled)
    const state = world.accounts.stateOf(t.address)!
    expect(
      [...state.positions.values()].filter(
        (p) => p.instrument === future.id || p.instrument === call.id,
      ),
    ).toEqual([])
    // Future: 2 * (S - 3,000); short call: -1 * (S - K) = -400.
    expect(state.cash - cashBefore).toBeCloseTo(2 * (S - 3000) - 400, 6)
  })
})
