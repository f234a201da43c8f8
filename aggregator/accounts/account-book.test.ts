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
