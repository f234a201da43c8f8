/**
 * What every ChainAdapter must do, as vitest cases any implementation can
 * register against a chain it can script (a ChainHarness): final events
 * once each, in chain order, from any cursor; nothing past head -
 * confirmations; ranges bounded by maxBlockRange; a reorg shallower than
 * the confirmation depth invisible; payouts (and refused payouts, where the
 * vault has them) read as such. The cases share one chain per suite and
 * never assume it is empty: each starts its cursor past the head or picks
 * its own transactions out by hash.
 */
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FinalRangeOptions } from '../chain/final-range.ts'
import type { ChainAdapter, PollResult, VaultEvent } from './chain-adapter.ts'

/** A transaction the harness made on the vault. */
export interface Moved {
  readonly txHash: Hex
  readonly account: Address
  readonly token: Address
}

/** A chain the suite can drive, with a vault on it. */
export interface ChainHarness {
  /** A new adapter on this chain. */
  adapter(options: FinalRangeOptions): ChainAdapter
  head(): Promise<bigint>
  /** Deposit `amount` into the vault (same account and token each time), mined. */
  deposit(amount: bigint): Promise<Moved>
  /** Deposit `amount`, then pay it out by a withdrawal approval executed on the vault. */
  payout(amount: bigint): Promise<Moved & { readonly id: bigint }>
  /**
   * Execute a payout of `amount` that the vault refuses for `reason`: past its
   * expiry, or for an account that holds none of the token.
   */
  refusePayout?(
    amount: bigint,
    reason: 'expired' | 'insufficient_balance',
  ): Promise<Moved & { readonly id: bigint }>
  mine(blocks: number): Promise<void>
  /** Mark the chain as it is now; the returned call reorgs back to the mark, orphaning every block since. */
  fork(): Promise<() => Promise<void>>
  stop(): Promise<void>
}

export interface ConformanceOptions {
  /** Whether this chain's vault refuses payouts with an event (else refusePayout is not offered). */
  readonly refusals: boolean
}

/** Polls are cheap but bounded: a loop that never catches up is a bug, reported, not waited out. */
const MAX_POLLS = 10_000

interface CaughtUp {
  readonly events: VaultEvent[]
  readonly polls: { readonly from: bigint; readonly result: PollResult }[]
  readonly next: bigint
}

/** Poll from `from` until the cursor is past head - confirmations, as a restarting service backfills. */
export async function catchUp(adapter: ChainAdapter, from: bigint): Promise<CaughtUp> {
  const polls: CaughtUp['polls'] = []
  let next = from
  for (let i = 0; i < MAX_POLLS; i++) {
    const result = await adapter.poll(next)
    polls.push({ from: next, result })
    next = result.next
    if (next > result.head - BigInt(adapter.confirmations)) {
      return { events: polls.flatMap((p) => p.result.events), polls, next }
    }
  }
  throw new Error(`${adapter.chain}: not caught up after ${MAX_POLLS} polls (cursor ${next})`)
}

const key = (e: VaultEvent) => `${e.txHash}:${e.logIndex}`
const ofTx = (events: readonly VaultEvent[], tx: Hex) => events.filter((e) => e.txHash === tx)

export function chainAdapterConformance(
  name: string,
  start: () => Promise<ChainHarness>,
  options: ConformanceOptions,
): void {
  describe(`ChainAdapter conformance: ${name}`, () => {
    let h: ChainHarness
    const adapters: ChainAdapter[] = []
    const adapter = (o: FinalRangeOptions) => {
      const a = h.adapter(o)
      adapters.push(a)
      return a
    }
    /** The first block after the head: a cursor that has read everything so far. */
    const fresh = async () => (await h.head()) + 1n

    beforeAll(async () => {
      h = await start()
    }, 120_000)
    afterAll(async () => {
      await Promise.all(adapters.map((a) => a.close()))
      await h?.stop()
    })

    it('returns each deposit once, in chain order, with its exact amount and running balance', async () => {
      const a = adapter({ confirmations: 2, maxBlockRange: 1000 })
      const from = await fresh()
      const amounts = [101n, 987_654_321_012n, 303n]
      const made: Moved[] = []
      for (const amount of amounts) made.push(await h.deposit(amount))
      await h.mine(2)
      const { events } = await catchUp(a, from)
      const ours = made.map((m) => ofTx(events, m.txHash))
      expect(ours.map((e) => e.length)).toEqual([1, 1, 1])
      const deposits = ours.map((e) => e[0]!)
      expect(
        deposits.map(({ kind, account, token, chain }) => ({ kind, account, token, chain })),
      ).toEqual(
        made.map((m) => ({ kind: 'deposit', account: m.account, token: m.token, chain: a.chain })),
      )
      expect(deposits.map((d) => (d.kind === 'deposit' ? d.amount : undefined))).toEqual(amounts)
      // each balance is the one before plus the deposit, the last the vault's own
      const balances = deposits.map((d) => (d.kind === 'deposit' ? d.balance : 0n))
      expect(balances.slice(1).map((b, i) => b - balances[i]!)).toEqual(amounts.slice(1))
      expect(await a.vaultBalance(made[0]!.account, made[0]!.token)).toBe(balances.at(-1))
      expect([...events].sort(chainOrder)).toEqual(events)
      for (const e of events) {
        expect(Number.isSafeInteger(e.blockTime) && e.blockTime > 0).toBe(true)
      }
      const sequences = deposits.map((d) => d.sequence)
      expect([...sequences].sort((x, y) => (x < y ? -1 : 1))).toEqual(sequences)
      expect(new Set(sequences).size).toBe(3)
    })

    it('never returns an event twice from the cursors it hands out, and re-reads a range the same', async () => {
      const a = adapter({ confirmations: 1, maxBlockRange: 3 })
      const from = await fresh()
      for (const amount of [1n, 2n, 3n, 4n]) await h.deposit(amount)
      await h.mine(1)
      const { events, polls, next } = await catchUp(a, from)
      expect(events.length).toBeGreaterThanOrEqual(4)
      expect(new Set(events.map(key)).size).toBe(events.length)
      // a crash after a poll but before its batch was stored reads the same range again
      for (const p of polls)
        expect(await a.poll(p.from)).toMatchObject({ events: p.result.events, next: p.result.next })
      expect((await a.poll(next)).events).toEqual([])
    })

    it('returns nothing and the cursor past it for a final range without events', async () => {
      const a = adapter({ confirmations: 2, maxBlockRange: 1000 })
      const from = await fresh()
      await h.mine(6)
      const r = await a.poll(from)
      expect(r.events).toEqual([])
      expect(r.next).toBe(r.head - 2n + 1n)
      expect(r.next).toBeGreaterThan(from)
    })

    it.each([0, 1, 4])(
      'with %i confirmations: nothing past head - confirmations, and the deposit once it is final',
      async (confirmations) => {
        const a = adapter({ confirmations, maxBlockRange: 1000 })
        const from = await fresh()
        const d = await h.deposit(7n)
        const early = await a.poll(from)
        const safe = early.head - BigInt(confirmations)
        for (const e of early.events) expect(e.blockNumber).toBeLessThanOrEqual(safe)
        expect(early.next).toBeLessThanOrEqual(safe + 1n > from ? safe + 1n : from)
        expect(ofTx(early.events, d.txHash)).toHaveLength(confirmations === 0 ? 1 : 0)
        await h.mine(confirmations)
        const { events } = await catchUp(a, early.next)
        expect(ofTx([...early.events, ...events], d.txHash)).toHaveLength(1)
      },
    )

    it.each([1, 7])(
      'reads at most %i blocks a poll, and backfills from cursor 0',
      async (maxBlockRange) => {
        const a = adapter({ confirmations: 1, maxBlockRange })
        const made = [await h.deposit(11n), await h.deposit(12n)]
        await h.mine(1)
        const { events, polls, next } = await catchUp(a, 0n)
        for (const { from, result } of polls) {
          expect(result.next - from).toBeLessThanOrEqual(BigInt(maxBlockRange))
          for (const e of result.events) {
            expect(e.blockNumber >= from && e.blockNumber < result.next).toBe(true)
          }
        }
        expect(polls.length).toBeGreaterThanOrEqual(Math.ceil(Number(next) / maxBlockRange))
        expect(made.map((m) => ofTx(events, m.txHash).length)).toEqual([1, 1])
      },
    )

    it('never yields a deposit orphaned by a reorg shallower than the confirmation depth, and yields its replacement', async () => {
      const confirmations = 6
      const a = adapter({ confirmations, maxBlockRange: 1000 })
      const from = await fresh()
      const forkedAt = await h.head()
      const reorg = await h.fork()
      const orphan = await h.deposit(111n)
      const before = await catchUp(a, from)
      expect((await h.head()) - forkedAt).toBeLessThan(BigInt(confirmations))
      await reorg()
      const replacement = await h.deposit(222n)
      await h.mine(confirmations)
      const after = await catchUp(a, before.next)
      const seen = [...before.events, ...after.events]
      expect(ofTx(seen, orphan.txHash)).toEqual([])
      const replaced = ofTx(seen, replacement.txHash)
      expect(replaced.map((e) => (e.kind === 'deposit' ? e.amount : undefined))).toEqual([222n])
    })

    it('reads a withdrawal executed on the vault as a payout to the account', async () => {
      const a = adapter({ confirmations: 1, maxBlockRange: 1000 })
      const from = await fresh()
      const p = await h.payout(500n)
      await h.mine(1)
      const { events } = await catchUp(a, from)
      expect(ofTx(events, p.txHash)).toMatchObject([
        {
          kind: 'payout',
          chain: a.chain,
          id: p.id,
          account: p.account,
          token: p.token,
          amount: 500n,
          recipient: p.account,
          liquidation: false,
        },
      ])
    })

    it.skipIf(!options.refusals).each(['expired', 'insufficient_balance'] as const)(
      'reads a payout the vault refused (%s) as payout_refused',
      async (reason) => {
        const a = adapter({ confirmations: 1, maxBlockRange: 1000 })
        const from = await fresh()
        const r = await h.refusePayout!(900n, reason)
        await h.mine(1)
        const { events } = await catchUp(a, from)
        expect(ofTx(events, r.txHash)).toMatchObject([
          {
            kind: 'payout_refused',
            id: r.id,
            account: r.account,
            token: r.token,
            amount: 900n,
            reason,
          },
        ])
      },
    )
  })
}

function chainOrder(a: VaultEvent, b: VaultEvent): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1
  return a.logIndex - b.logIndex
}
