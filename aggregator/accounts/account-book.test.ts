/** The book's rules that a hostile review found missing: each a case of events in, state out. */
import { type Address, type Hex, pad, toHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { AccountBook } from './account-book.ts'
import type { AccountEvent } from './events.ts'

const A = pad('0xa', { size: 20 }) as Address
const KEY = pad('0xb', { size: 20 }) as Address
const USDC = pad('0xc', { size: 20 }) as Address
const fact = (n: number) => ({
  chain: 'arbitrum',
  txHash: pad(toHex(n), { size: 32 }) as Hex,
  logIndex: 0,
  blockNumber: BigInt(n),
  blockTime: n,
})

function fold(events: AccountEvent[]): AccountBook {
  const book = new AccountBook()
  for (const [i, event] of events.entries()) book.apply({ seq: BigInt(i + 1), event })
  return book
}

const delegate: AccountEvent = {
  kind: 'key_delegated',
  account: A,
  key: KEY,
  read: true,
  trade: true,
  withdraw: true,
  keyExpiry: 10n ** 12n,
  nonce: 2n,
}
const requested = (id: string, amount: bigint): AccountEvent => ({
  kind: 'withdrawal_requested',
  account: A,
  withdrawal: id,
  chain: 'arbitrum',
  token: USDC,
  amount,
  at: 1,
})

describe('AccountBook', () => {
  it('a revoke before any delegate keeps the key revoked for good', () => {
    const book = fold([{ kind: 'key_revoked', account: A, key: KEY }, delegate])
    expect(book.delegation(A, KEY)?.revoked).toBe(true)
    expect(book.isKnown(KEY)).toBe(true)
  })

  it.each([
    { name: 'paid', event: { kind: 'payout', liquidation: false } as const, status: 'paid' },
    {
      name: 'refused as expired',
      event: { kind: 'payout_refused', reason: 'expired' } as const,
      status: 'expired',
    },
  ])(
    'a payout whose approval was never read back settles the matching request: $name',
    ({ event, status }) => {
      const book = fold([
        { kind: 'credit', account: A, fact: fact(1), token: USDC, amount: 100n, sequence: 1n },
        requested('w1', 40n),
        requested('w2', 10n),
        {
          ...event,
          account: A,
          fact: fact(2),
          payoutId: 7n,
          token: USDC,
          amount: 40n,
        } as AccountEvent,
      ])
      const state = book.get(A)!
      expect(state.withdrawals.get('w1')).toMatchObject({ status, payoutId: 7n })
      expect(state.withdrawals.get('w2')!.status).toBe('requested')
    },
  )
})

const fill = (n: number, executedAt: number, expiry: bigint): AccountEvent => ({
  kind: 'fill',
  account: A,
  venue: 'arbitrum',
  venueAddress: KEY,
  chain: 'arbitrum',
  fillId: `f${n}`,
  instrument: 'ETH-PERP',
  side: 'buy',
  size: 100_000_000n,
  price: 3_000_000_000n,
  fee: 0n,
  executedAt,
  order: {
    nonce: BigInt(n),
    hash: pad(toHex(n), { size: 32 }) as Hex,
    size: 100_000_000n,
    limitPrice: 3_000_000_000n,
    expiry,
    signer: A,
    signature: '0x',
  },
  executionHash: pad(toHex(n + 1000), { size: 32 }) as Hex,
  executionSignature: '0x',
  position: { quantity: BigInt(n) * 100_000_000n, basis: n * 3000 },
  cashDelta: -1.5,
  realisedPnl: 0,
  after: { equity: 0, maintenanceMargin: 0, initialMargin: 0, status: 'healthy' },
})

describe('a trading account', () => {
  const events: AccountEvent[] = [
    { kind: 'credit', account: A, fact: fact(1), token: USDC, amount: 10n ** 10n, sequence: 0n },
    fill(1, 100, 150n),
    fill(2, 200, 300n),
    {
      kind: 'funding',
      account: A,
      chain: 'arbitrum',
      instrument: 'ETH-PERP',
      interval: 1,
      rate: 0.001,
      mark: 3000,
      quantity: 2n * 10n ** 8n,
      amount: -6,
    },
    {
      kind: 'status_changed',
      account: A,
      id: 'x',
      from: 'healthy',
      to: 'restricted',
      figures: { equity: 1, maintenanceMargin: 1, initialMargin: 2, status: 'restricted' },
      cause: 'price',
      at: 250,
    },
  ]

  it('books cash, the position and the orders, and forgets an order that expired before a later fill', () => {
    const state = fold(events).get(A)!
    expect(state.cash).toBeCloseTo(-1.5 * 2 - 6, 12)
    expect([...state.positions.values()]).toEqual([
      { chain: 'arbitrum', instrument: 'ETH-PERP', quantity: 2n * 10n ** 8n, basis: 6000 },
    ])
    expect([...state.orders.keys()]).toEqual(['2'])
    expect(state.status).toBe('restricted')
  })

  it('comes back from its snapshot as it was', () => {
    const book = fold(events)
    const again = AccountBook.fromSnapshot(JSON.parse(JSON.stringify(book.toSnapshot())))
    expect(again.toSnapshot()).toEqual(book.toSnapshot())
    expect(again.get(A)).toEqual(book.get(A))
  })
})
