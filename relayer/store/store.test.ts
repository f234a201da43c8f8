/**
 * The store's conformance suite, run against both backends with the same
 * SQL and migrations: PGlite in process, and PostgreSQL at
 * XMARGIN_TEST_DATABASE_URL (a fresh database per run). CI must provide the
 * server; elsewhere the PostgreSQL half is skipped when the variable is unset.
 */
import { type Hex, pad } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BACKENDS } from '../../test/helpers/databases.ts'
import { type Database, openDatabase } from './database.ts'
import { MIGRATIONS, migrate } from './migrations.ts'
import { type ObservedMessage, RelayStore, type Target } from './relay-store.ts'

const emitter = pad('0x1234', { size: 32 })
function message(sequence: bigint): ObservedMessage {
  return {
    kind: 'collateralUpdate',
    emitterChain: 23,
    emitterAddress: emitter,
    sender: '0x0000000000000000000000000000000000001234',
    sequence,
    nonce: 0,
    consistencyLevel: 1,
    timestamp: 1_767_225_600,
    payload: `0x01${sequence.toString(16).padStart(4, '0')}` as Hex,
    transactionHash: `0x${sequence.toString(16).padStart(64, '0')}` as Hex,
    blockNumber: 10n + sequence,
  }
}
const hub: Target = {
  chain: 2,
  contract: '0x00000000000000000000000000000000000000aa',
  method: 'ingestCollateralUpdate',
}
const registries: Target[] = [2, 23, 30].map((chain) => ({
  chain,
  contract: `0x00000000000000000000000000000000000000${chain.toString(16).padStart(2, '0')}` as Hex,
  method: 'receiveEpochRoot',
}))

describe.each(BACKENDS)('relay store on %s', (_, open) => {
  let db: Database
  let cleanup: () => Promise<void>
  let store: RelayStore
  beforeAll(async () => {
    ;({ db, cleanup } = await open())
    store = new RelayStore(db)
  }, 30_000)
  afterAll(async () => {
    await cleanup?.()
  })

  it('applies every migration once, and again is a no-op', async () => {
    expect(await migrate(db)).toEqual(MIGRATIONS.map((m) => m.id))
    expect(await migrate(db)).toEqual([])
  })

  it('records a range of messages and the cursor together; a message seen twice is stored once', async () => {
    expect(await store.cursor(23)).toBeNull()
    expect(
      await store.observe(23, 20n, [
        { message: message(0n), targets: [hub] },
        { message: message(1n), targets: [hub] },
      ]),
    ).toBe(2)
    expect(await store.observe(23, 21n, [{ message: message(1n), targets: [hub] }])).toBe(0)
    expect(await store.cursor(23)).toBe(21n)
    expect((await store.counts()).observed).toBe(2)
  })

  it('never moves a cursor backwards', async () => {
    await store.observe(23, 5n, [])
    expect(await store.cursor(23)).toBe(21n)
  })

  it('rolls the whole range back when any part fails', async () => {
    const broken = { ...message(7n), payload: null as unknown as Hex }
    await expect(
      store.observe(23, 99n, [
        { message: message(6n), targets: [hub] },
        { message: broken, targets: [hub] },
      ]),
    ).rejects.toThrow()
    expect(await store.cursor(23)).toBe(21n)
    expect((await store.counts()).observed).toBe(2)
  })

  it('fans one message out to several targets', async () => {
    await store.observe(2, 1n, [
      { message: { ...message(3n), emitterChain: 2, kind: 'epochRoot' }, targets: registries },
    ])
    const due = await Promise.all([2, 23, 30].map((c) => store.due(c, 10)))
    expect(due.map((d) => d.filter((x) => x.kind === 'epochRoot').length)).toEqual([1, 1, 1])
  })

  it('hands out due deliveries oldest first, and takes back a delivered one', async () => {
    const due = await store.due(2, 10)
    expect(due.map((d) => d.sequence)).toEqual([0n, 1n, 3n])
    await store.delivered(due[0]!.id, 1, 'delivered', `0x${'11'.repeat(32)}`)
    expect((await store.due(2, 10)).map((d) => d.sequence)).toEqual([1n, 3n])
  })

  it('postpones a failed attempt, parks the last one, and an operator can retry it', async () => {
    const [d] = await store.due(2, 1)
    await store.failedAttempt(d!.id, 1, 'rpc timeout', 60_000, false)
    expect((await store.due(2, 10)).map((x) => x.id)).not.toContain(d!.id)
    await store.failedAttempt(d!.id, 2, 'gave up', 0, true)
    expect((await store.list('failed')).map((x) => [x.id, x.attempts, x.lastError])).toEqual([
      [d!.id, 2, 'gave up'],
    ])
    expect(await store.retry(d!.id)).toBe(true)
    expect(await store.retry(d!.id)).toBe(false)
    expect((await store.due(2, 10)).map((x) => x.id)).toContain(d!.id)
    expect((await store.counts()).attempts).toBe(3)
  })

  it('keeps sequences beyond 2^63 exactly', async () => {
    const big = 2n ** 64n - 1n
    await store.observe(30, 1n, [
      { message: { ...message(big), emitterChain: 30 }, targets: [hub] },
    ])
    expect((await store.due(2, 50)).some((d) => d.sequence === big)).toBe(true)
  })
})

describe('the embedded store', () => {
  it('fails a statement after close at once, saying the database is closed', async () => {
    const db = await openDatabase('memory')
    await db.close()
    await expect(db.query('select 1')).rejects.toThrow('the database is closed')
  })

  it('refuses a data directory it cannot open, naming it', async () => {
    await expect(openDatabase('/proc/no-such-dir/pglite')).rejects.toThrow(
      '/proc/no-such-dir/pglite',
    )
  })

  it('reports a failed statement with its Postgres code and leaves the store usable', async () => {
    const db = await openDatabase('memory')
    try {
      await expect(db.query('select * from no_such_table')).rejects.toMatchObject({
        name: 'DatabaseError',
        sqlState: '42P01',
      })
      expect(await db.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }])
    } finally {
      await db.close()
    }
  })
})
