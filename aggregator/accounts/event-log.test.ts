/**
 * The account log on both store backends: idempotent by natural key, gapless,
 * the cursor moved with its batch or not at all; and the book folded from
 * saved states plus the tail equals the book folded from the whole log.
 */
import fc from 'fast-check'
import { type Address, type Hex, pad, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Database } from '../../relayer/store/database.ts'
import { migrate } from '../../relayer/store/migrations.ts'
import { BACKENDS } from '../../test/helpers/databases.ts'
import { AccountBook, type BookSnapshot } from './account-book.ts'
import { EventLog } from './event-log.ts'
import type { AccountEvent } from './events.ts'
import { ACCOUNT_MIGRATIONS } from './migrations.ts'

const ACCOUNTS = [1, 2, 3].map((i) => pad(toHex(i), { size: 20 }) as Address)
const TOKEN = pad('0xabc', { size: 20 }) as Address

function credit(account: Address, tx: number, amount: bigint, chain = 'arbitrum'): AccountEvent {
  return {
    kind: 'credit',
    account,
    token: TOKEN,
    amount,
    sequence: BigInt(tx),
    fact: {
      chain,
      txHash: pad(toHex(tx), { size: 32 }) as Hex,
      logIndex: 0,
      blockNumber: BigInt(tx),
      blockTime: 1_700_000_000 + tx,
    },
  }
}

describe.each(BACKENDS)('EventLog on %s', (_, open) => {
  let db: Database
  let cleanup: () => Promise<void>
  beforeAll(async () => {
    ;({ db, cleanup } = await open())
    await migrate(db, ACCOUNT_MIGRATIONS)
  })
  afterAll(() => cleanup())

  it('records each fact once, in gapless order, with its cursor', async () => {
    const log = new EventLog(db)
    const first = await log.append([credit(ACCOUNTS[0]!, 1, 10n), credit(ACCOUNTS[1]!, 2, 20n)], {
      chain: 'arbitrum',
      next: 3n,
    })
    expect(first.map((r) => r.seq)).toEqual([1n, 2n])
    const again = await log.append(
      [credit(ACCOUNTS[1]!, 2, 20n), credit(ACCOUNTS[0]!, 3, 30n), credit(ACCOUNTS[0]!, 3, 30n)],
      { chain: 'arbitrum', next: 4n },
    )
    expect(again.map((r) => r.seq)).toEqual([3n])
    expect(await log.cursor('arbitrum')).toBe(4n)
    expect((await new EventLog(db).since(0n)).map((r) => r.event)).toEqual([
      credit(ACCOUNTS[0]!, 1, 10n),
      credit(ACCOUNTS[1]!, 2, 20n),
      credit(ACCOUNTS[0]!, 3, 30n),
    ])
  })

  it('moves no cursor and records nothing when the batch fails', async () => {
    const log = new EventLog(db)
    const before = await log.last()
    const bad = { ...credit(ACCOUNTS[2]!, 99, 1n), kind: undefined } as unknown as AccountEvent
    await expect(
      log.append([credit(ACCOUNTS[2]!, 98, 1n), bad], { chain: 'arbitrum', next: 100n }),
    ).rejects.toThrow()
    expect(await log.cursor('arbitrum')).toBe(4n)
    expect(await new EventLog(db).last()).toBe(before)
    // The log stays usable, and the failed seqs are not skipped.
    const after = await log.append([credit(ACCOUNTS[2]!, 98, 1n)])
    expect(after.map((r) => r.seq)).toEqual([before + 1n])
  })

  it('serializes concurrent appends without a gap or a collision', async () => {
    const log = new EventLog(db)
    const start = await log.last()
    const batches = await Promise.all(
      Array.from({ length: 10 }, (_, i) => log.append([credit(ACCOUNTS[i % 3]!, 1000 + i, 1n)])),
    )
    const seqs = batches
      .flat()
      .map((r) => r.seq)
      .sort((a, b) => (a < b ? -1 : 1))
    expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => start + BigInt(i + 1)))
  })

  it('saves states in chunks, upserts them, and loads them with their mark', async () => {
    const log = new EventLog(db)
    const book = new AccountBook()
    const many = Array.from(
      { length: 2_500 },
      (_, i) => pad(toHex(0x10000 + i), { size: 20 }) as Address,
    )
    for (const [i, a] of many.entries())
      book.apply({ seq: BigInt(i + 1), event: credit(a, i + 1, 7n) })
    const first = book.changes()
    expect(first.accounts).toHaveLength(2_500)
    await log.saveStates(first)
    book.saved(first)
    expect(book.changes().accounts).toHaveLength(0)
    book.apply({ seq: 2_501n, event: credit(many[0]!, 9_999, 5n) })
    const second = book.changes()
    expect(second.accounts.map((a) => a.account)).toEqual([many[0]])
    await log.saveStates(second)
    const loaded = await log.loadStates()
    expect(loaded?.seq).toBe('2501')
    expect(inOrder(AccountBook.fromSnapshot(loaded!).toSnapshot())).toEqual(
      inOrder(book.toSnapshot()),
    )
  })
})

describe('the account states migration', () => {
  it('turns the latest whole-book snapshot into per-account states', async () => {
    const { db, cleanup } = await BACKENDS[0]![1]()
    try {
      await migrate(db, ACCOUNT_MIGRATIONS.slice(0, 1))
      const book = new AccountBook()
      for (const [i, a] of ACCOUNTS.entries())
        book.apply({ seq: BigInt(i + 1), event: credit(a, i + 1, 3n) })
      for (const s of [{ seq: '1', accounts: [] }, book.toSnapshot()])
        await db.query('insert into account_snapshots (seq, state) values ($1, $2::jsonb)', [
          s.seq,
          JSON.stringify(s),
        ])
      await migrate(db, ACCOUNT_MIGRATIONS)
      const loaded = await new EventLog(db).loadStates()
      expect(inOrder(AccountBook.fromSnapshot(loaded!).toSnapshot())).toEqual(
        inOrder(book.toSnapshot()),
      )
    } finally {
      await cleanup()
    }
  })
})

/** The store returns states in no particular order. */
const inOrder = (s: BookSnapshot): BookSnapshot => ({
  ...s,
  accounts: [...s.accounts].sort((a, b) => (a.account < b.account ? -1 : 1)),
})

const EVENT = fc.oneof(
  fc
    .tuple(fc.nat(2), fc.integer({ min: 1, max: 50 }), fc.bigInt({ min: 1n, max: 10n ** 20n }))
    .map(([a, tx, amount]) => credit(ACCOUNTS[a]!, tx, amount)),
  fc.tuple(fc.nat(2), fc.nat(5)).map(
    ([a, w]): AccountEvent => ({
      kind: 'withdrawal_requested',
      account: ACCOUNTS[a]!,
      withdrawal: `w${a}-${w}`,
      chain: 'arbitrum',
      token: TOKEN,
      amount: 5n,
      at: 1,
    }),
  ),
  fc.tuple(fc.nat(2), fc.nat(5), fc.bigInt({ min: 1n, max: 30n })).map(
    ([a, w, id]): AccountEvent => ({
      kind: 'withdrawal_approved',
      account: ACCOUNTS[a]!,
      withdrawal: `w${a}-${w}`,
      payoutId: id,
      expiry: 2,
      hubTx: '0x01',
    }),
  ),
)

describe('AccountBook', () => {
  it('a snapshot plus the tail folds to the same book as the whole log', () => {
    fc.assert(
      fc.property(fc.array(EVENT, { maxLength: 40 }), fc.nat(40), (events, cut) => {
        const recorded = events.map((event, i) => ({ seq: BigInt(i + 1), event }))
        const whole = new AccountBook()
        for (const r of recorded) whole.apply(r)
        const head = new AccountBook()
        for (const r of recorded.slice(0, cut)) head.apply(r)
        const snapshot = JSON.parse(JSON.stringify(head.toSnapshot())) as BookSnapshot
        const resumed = AccountBook.fromSnapshot(snapshot)
        for (const r of recorded.slice(cut)) resumed.apply(r)
        expect(resumed.toSnapshot()).toEqual(whole.toSnapshot())
      }),
    )
  })

  it('saved changes, even a save cut off between chunks, plus the tail fold to the whole log', () => {
    fc.assert(
      fc.property(
        fc.array(EVENT, { maxLength: 40 }),
        fc.array(fc.nat(40), { maxLength: 4 }),
        fc.nat(3),
        (events, saves, cutAfter) => {
          const recorded = events.map((event, i) => ({ seq: BigInt(i + 1), event }))
          const whole = new AccountBook()
          for (const r of recorded) whole.apply(r)
          // the store: one row per account, and the mark
          const rows = new Map<string, unknown>()
          let mark = '0'
          const live = new AccountBook()
          const at = new Set(saves)
          recorded.forEach((r, i) => {
            live.apply(r)
            if (!at.has(i)) return
            const changes = JSON.parse(JSON.stringify(live.changes())) as BookSnapshot
            for (const a of changes.accounts) rows.set(a.account.toLowerCase(), a)
            mark = changes.seq
            live.saved(changes)
          })
          // a last save cut off after `cutAfter` states: rows newer than the mark
          for (const a of live.changes().accounts.slice(0, cutAfter))
            rows.set(a.account.toLowerCase(), JSON.parse(JSON.stringify(a)))
          const resumed = AccountBook.fromSnapshot({
            seq: mark,
            accounts: [...rows.values()] as BookSnapshot['accounts'],
          })
          for (const r of recorded.filter((r) => r.seq > BigInt(mark))) resumed.apply(r)
          expect(resumed.toSnapshot()).toEqual(whole.toSnapshot())
        },
      ),
    )
  })
})
