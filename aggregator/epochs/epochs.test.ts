import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { buildMarketTable } from '../../circuits/market-table.ts'
import { poseidonHasher } from '../../circuits/poseidon.ts'
import { StateTree } from '../../circuits/trees.ts'
import { accountLeaf, leafHash } from '../../circuits/witness.ts'
import { openDatabase } from '../../relayer/store/database.ts'
import { consecutiveRuns } from './epoch-poster.ts'
import { EpochRefused, rootOf, saltSecret } from './index.ts'
import { epochInstruments, tableDocument } from './market.ts'
import { saltOf } from './salt.ts'
import {
  type EpochWorld,
  epochWorld,
  FUTURE_EXPIRY,
  LISTED,
  marketAt,
  PARAMS,
  portfolio,
  SECRET,
  trader,
} from './test-world.ts'

const hash = await poseidonHasher()
// one store for the file, emptied per world: PGlite takes seconds to open
const shared = await openDatabase('memory')
afterAll(() => shared.close())
let world: EpochWorld | undefined
afterEach(async () => {
  await world?.close()
  world = undefined
})

async function changedIn(w: EpochWorld, epoch: bigint): Promise<number> {
  const [row] = await w.db.query<{ n: string }>(
    'select count(*)::text as n from epoch_leaves where epoch = $1',
    [epoch.toString()],
  )
  return Number(row!.n)
}

/** Every live account's leaf, from scratch: what the incremental tree must equal. */
function scratchRoot(w: EpochWorld): bigint {
  const table = buildMarketTable(
    hash,
    w.market,
    PARAMS,
    epochInstruments(w.instruments, w.accounts.heldInstruments()),
  )
  const tree = new StateTree(hash)
  for (const account of w.accounts.accounts()) {
    const index = w.indices.known(account)
    if (index === undefined) continue
    const leaf = accountLeaf(
      { market: w.market, params: PARAMS, portfolio: w.accounts.portfolio(account)! },
      table,
      BigInt(account),
      saltOf(SECRET, account),
    )
    tree.set(Number(index), leafHash(hash, leaf))
  }
  return tree.root
}

interface Step {
  readonly does: string
  readonly act: (w: EpochWorld) => void
  readonly number: bigint
  readonly accountCount: number
  readonly unindexedCount: number
  readonly changed: number
}

describe('epoch records', () => {
  const steps: Step[] = [
    {
      does: 'commits an empty book',
      act: () => {},
      number: 1n,
      accountCount: 0,
      unindexedCount: 0,
      changed: 0,
    },
    {
      does: 'leaves out an account the hub has not indexed',
      act: (w) => w.accounts.set(trader(1), portfolio(1000)),
      number: 2n,
      accountCount: 0,
      unindexedCount: 1,
      changed: 0,
    },
    {
      does: 'takes it in once the hub indexed it, beside a new one',
      act: (w) => {
        w.indices.credit(trader(1))
        w.indices.credit(trader(2))
        w.accounts.set(trader(2), portfolio(500, 1))
      },
      number: 3n,
      accountCount: 2,
      unindexedCount: 0,
      changed: 2,
    },
    {
      does: 'changes no leaf on a price move alone',
      act: (w) => {
        w.market = marketAt(120, 40)
      },
      number: 4n,
      accountCount: 2,
      unindexedCount: 0,
      changed: 0,
    },
    {
      does: 'rehashes only the account that changed',
      act: (w) => w.accounts.set(trader(2), portfolio(500, 2)),
      number: 5n,
      accountCount: 2,
      unindexedCount: 0,
      changed: 1,
    },
    {
      does: 'writes no row for an event that left the leaf as it was',
      act: (w) => w.accounts.set(trader(1), portfolio(1000)),
      number: 6n,
      accountCount: 2,
      unindexedCount: 0,
      changed: 0,
    },
    {
      does: 'rehashes every account when a listing renumbers the rows, writing only the changed',
      act: (w) => {
        // an earlier X future sorts before the X perp, which trader 2 holds: its row moves
        w.instruments = [
          ...LISTED,
          { kind: 'future', underlying: 'X', expiry: FUTURE_EXPIRY - 86_400 },
        ]
      },
      number: 7n,
      accountCount: 2,
      unindexedCount: 0,
      changed: 1,
    },
  ]

  it('numbers, counts and changed leaves epoch by epoch', async () => {
    world = await epochWorld({ shared })
    for (const step of steps) {
      step.act(world)
      const record = await world.service.commitNow()
      expect(
        {
          does: step.does,
          number: record.number,
          accountCount: record.accountCount,
          unindexedCount: record.unindexedCount,
          changed: await changedIn(world, record.number),
        },
        step.does,
      ).toEqual({
        does: step.does,
        number: step.number,
        accountCount: step.accountCount,
        unindexedCount: step.unindexedCount,
        changed: step.changed,
      })
      expect(record.stateRoot).toBe(scratchRoot(world))
      expect(world.poster.posted.at(-1)).toEqual({
        epoch: record.number,
        stateRoot: record.stateRoot,
        marketRoot: record.marketRoot,
      })
    }
  })
})

describe("new accounts' leaf indices (E4)", () => {
  it('are published for the registries before the epoch that first holds them, each once', async () => {
    world = await epochWorld({ shared })
    for (const i of [1, 2]) {
      world.indices.credit(trader(i))
      world.accounts.set(trader(i), portfolio(1000))
    }
    await world.service.commitNow()
    world.accounts.set(trader(1), portfolio(900))
    world.indices.credit(trader(3))
    world.accounts.set(trader(3), portfolio(700))
    await world.service.commitNow()
    expect(
      world.poster.indices.map(({ entries, afterEpochs }) => ({
        accounts: entries.map((e) => e.account),
        afterEpochs,
      })),
    ).toEqual([
      { accounts: [trader(1), trader(2)], afterEpochs: 0 },
      { accounts: [trader(3)], afterEpochs: 1 },
    ])
  })
})

describe('the incremental tree', () => {
  it('has the root of a tree built from scratch after any changes', async () => {
    world = await epochWorld({ shared })
    const w = world
    const change = fc.record({
      who: fc.integer({ min: 0, max: 5 }),
      usdc: fc.integer({ min: 0, max: 5_000 }),
      perp: fc.integer({ min: -3, max: 3 }),
      indexed: fc.boolean(),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(change, { maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (epochs, renumber) => {
          for (const batch of epochs) {
            for (const c of batch) {
              if (c.indexed) w.indices.credit(trader(c.who))
              w.accounts.set(trader(c.who), portfolio(c.usdc, c.perp))
            }
            if (renumber) w.instruments = [...LISTED].reverse().slice(0, 2 + (batch.length % 2))
            const record = await w.service.commitNow()
            expect(record.stateRoot).toBe(scratchRoot(w))
          }
        },
      ),
      { numRuns: 12 },
    )
  })

  it('builds a cold tree bottom-up to the root of leaf-by-leaf sets', () => {
    const leaves = Array.from({ length: 300 }, (_, i): [number, bigint] => [i * 37, BigInt(i + 1)])
    const many = new StateTree(hash)
    many.setMany(leaves)
    const one = new StateTree(hash)
    for (const [i, leaf] of leaves) one.set(i, leaf)
    expect(many.root).toBe(one.root)
    expect(many.path(37 * 5)).toEqual(one.path(37 * 5))
  })
})

describe('openings', () => {
  it("recompute the epoch's root from the leaf's fields and the siblings, in every epoch", async () => {
    world = await epochWorld({ shared })
    for (const n of [1, 2, 3]) world.indices.credit(trader(n))
    world.accounts.set(trader(1), portfolio(1000, 1))
    world.accounts.set(trader(2), portfolio(50))
    const first = await world.service.commitNow()
    world.accounts.set(trader(1), portfolio(900, -2))
    world.accounts.set(trader(3), portfolio(10))
    const second = await world.service.commitNow()
    for (const [epoch, root, who] of [
      [first.number, first.stateRoot, 1],
      [first.number, first.stateRoot, 2],
      [second.number, second.stateRoot, 1],
      [second.number, second.stateRoot, 2],
      [second.number, second.stateRoot, 3],
    ] as const) {
      const o = await world.service.opening(trader(who), epoch)
      expect(o.stateRoot).toBe(root)
      expect(o.siblings).toHaveLength(20)
      expect(o.leafIndex).toBe(world.indices.known(trader(who)))
      expect(o.opening.salt).toBe(saltOf(SECRET, trader(who)).toString())
      expect(rootOf(hash, o.opening, o.leafIndex, o.siblings)).toBe(root)
    }
    // trader 1's leaf moved between the epochs; each epoch opens its own
    const a = await world.service.opening(trader(1), first.number)
    const b = await world.service.opening(trader(1), second.number)
    expect(a.leafHash).not.toBe(b.leafHash)
    expect(rootOf(hash, a.opening, a.leafIndex, b.siblings)).not.toBe(second.stateRoot)
  })

  it('refuse an unknown epoch and an account with no leaf in it', async () => {
    world = await epochWorld({ shared })
    await expect(world.service.opening(trader(1), 1n)).rejects.toMatchObject({
      reason: 'unknown_epoch',
    })
    world.accounts.set(trader(1), portfolio(10))
    await world.service.commitNow()
    await expect(world.service.opening(trader(1), 1n)).rejects.toMatchObject({
      reason: 'not_indexed',
    })
  })
})

describe('one leaf per account (E4)', () => {
  it('keeps an account at its one index however often it changes', async () => {
    world = await epochWorld({ shared })
    world.indices.credit(trader(9))
    world.indices.credit(trader(1))
    for (const usdc of [10, 20, 30]) {
      world.accounts.set(trader(1), portfolio(usdc))
      await world.service.commitNow()
    }
    const rows = await world.db.query<{ leaf_index: string }>(
      'select distinct leaf_index::text as leaf_index from epoch_leaves where account = $1',
      [trader(1).toLowerCase()],
    )
    expect(rows).toEqual([{ leaf_index: '1' }])
    const tree = new StateTree(hash)
    const o = await world.service.opening(trader(1), 3n)
    tree.set(1, o.leafHash)
    expect(world.service.latest?.stateRoot).toBe(tree.root)
  })

  it('refuses an epoch where the index source gives one index to two accounts', async () => {
    world = await epochWorld({ leafIndices: { indexOf: async () => 0n }, shared })
    world.accounts.set(trader(1), portfolio(10))
    world.accounts.set(trader(2), portfolio(20))
    const err = await world.service.commitNow().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EpochRefused)
    expect(err).toMatchObject({ reason: 'index_taken' })
    expect(world.poster.posted).toEqual([])
  })
})

describe('posting', () => {
  it('undoes an epoch the hub refused: the next one takes its number and its changes', async () => {
    world = await epochWorld({ shared })
    world.indices.credit(trader(1))
    world.accounts.set(trader(1), portfolio(10))
    world.poster.failNext = 'NotOperator'
    await expect(world.service.commitNow()).rejects.toMatchObject({ code: 'epoch_post_failed' })
    expect(world.service.latest).toBeUndefined()
    expect(await world.service.list({ limit: 10 })).toEqual([])
    const record = await world.service.commitNow()
    expect(record).toMatchObject({ number: 1n, accountCount: 1 })
    expect(record.stateRoot).toBe(scratchRoot(world))
  })

  it('numbers from the hub: latest on chain + 1', async () => {
    world = await epochWorld({ shared })
    await world.poster.post(1n, 5n, 6n)
    await world.poster.post(2n, 5n, 6n)
    expect((await world.service.commitNow()).number).toBe(3n)
  })

  it("writes each epoch's whole market table to DIR/epochs/<n>.market.json", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmargin-epochs-'))
    world = await epochWorld({ dir, shared })
    const record = await world.service.commitNow()
    const file = join(dir, 'epochs', '1.market.json')
    const doc = JSON.parse(readFileSync(file, 'utf8'))
    expect(BigInt(doc.marketRoot)).toBe(record.marketRoot)
    expect(doc).toEqual((await world.service.get(1n))!.market)
    const table = buildMarketTable(hash, world.market, PARAMS, epochInstruments(LISTED, []))
    expect(doc).toEqual(JSON.parse(JSON.stringify(tableDocument(table))))
  })
})

describe('restart', () => {
  it('keeps the epochs and rebuilds the latest tree from the store', async () => {
    world = await epochWorld({ shared })
    for (const n of [1, 2]) world.indices.credit(trader(n))
    world.accounts.set(trader(1), portfolio(1000, 1))
    world.accounts.set(trader(2), portfolio(50))
    await world.service.commitNow()
    world.accounts.set(trader(2), portfolio(60))
    const before = await world.service.commitNow()
    const restarted = await world.restart()
    expect(restarted.latest).toEqual(before)
    expect(await restarted.list({ limit: 10 })).toHaveLength(2)
    const o = await restarted.opening(trader(2), before.number)
    expect(rootOf(hash, o.opening, o.leafIndex, o.siblings)).toBe(before.stateRoot)
    // nothing moved while it was down: the same leaves, no row written
    const after = await restarted.commitNow()
    expect(after.stateRoot).toBe(before.stateRoot)
    expect(await changedIn(world, after.number)).toBe(0)
    expect((await restarted.proofInput(trader(1))).statement.stateRoot).toBe(before.stateRoot)
  })

  it('settles an epoch a crash left between the store and the hub', async () => {
    world = await epochWorld({ shared })
    world.indices.credit(trader(1))
    world.accounts.set(trader(1), portfolio(10))
    await world.service.commitNow()
    // a second epoch stored but not posted (the process died before the post)
    await world.db.query(
      `insert into epochs (number, state_root, market_root, account_count, unindexed_count, market)
       select 2, state_root, market_root, account_count, unindexed_count, market from epochs where number = 1`,
    )
    const restarted = await world.restart()
    expect(restarted.latest?.number).toBe(1n)
    expect((await restarted.commitNow()).number).toBe(2n)
  })
})

describe('proof input', () => {
  it('is against the latest epoch: its root, market root, number and the hub index', async () => {
    world = await epochWorld({ shared })
    world.indices.credit(trader(4))
    world.indices.credit(trader(1))
    world.accounts.set(trader(1), portfolio(1000, 1))
    world.accounts.set(trader(4), portfolio(10))
    await world.service.commitNow()
    const record = await world.service.commitNow()
    const { input, statement, epoch, leafIndex } = await world.service.proofInput(trader(1))
    expect({ epoch, leafIndex }).toEqual({ epoch: 2n, leafIndex: 1n })
    expect(statement).toMatchObject({
      stateRoot: record.stateRoot,
      marketRoot: record.marketRoot,
      epoch: 2n,
    })
    expect(input['salt']).toBe(saltOf(SECRET, trader(1)).toString())
    expect(input['accountId']).toBe(BigInt(trader(1)).toString())
  })

  it.each([
    ['no_epoch', async (_w: EpochWorld) => {}],
    [
      'not_indexed',
      async (w: EpochWorld) => {
        w.accounts.set(trader(1), portfolio(10))
        await w.service.commitNow()
      },
    ],
  ] as const)('refuses with %s', async (reason, setup) => {
    world = await epochWorld({ shared })
    await setup(world)
    const err = await world.service.proofInput(trader(1)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EpochRefused)
    expect(err).toMatchObject({ reason })
  })
})

describe('salts', () => {
  it('are per account, stable for one secret, and the secret file is 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xmargin-salt-'))
    const secret = await saltSecret(dir)
    expect(await saltSecret(dir)).toEqual(secret)
    expect(statSync(join(dir, 'epoch-salt-secret')).mode & 0o777).toBe(0o600)
    expect(saltOf(secret, trader(1))).toBe(saltOf(secret, trader(1)))
    expect(saltOf(secret, trader(1))).not.toBe(saltOf(secret, trader(2)))
    expect(saltOf(secret, trader(1))).not.toBe(saltOf(SECRET, trader(1)))
    expect(existsSync(join(dir, 'epoch-salt-secret'))).toBe(true)
  })
})

describe('consecutiveRuns (what one publishAccountIndices call may carry)', () => {
  const at = (...indices: number[]) =>
    indices.map((i) => ({
      account: `0x${i.toString(16).padStart(40, '0')}` as const,
      index: BigInt(i),
    }))
  it.each([
    { name: 'one run', entries: at(3, 4, 5), runs: [[3, 4, 5]] },
    { name: 'out of order', entries: at(5, 3, 4), runs: [[3, 4, 5]] },
    {
      name: 'a gap splits',
      entries: at(1, 2, 7, 8),
      runs: [
        [1, 2],
        [7, 8],
      ],
    },
    { name: 'a repeat counts once', entries: at(2, 2, 3), runs: [[2, 3]] },
    { name: 'none', entries: at(), runs: [] },
  ])('$name', ({ entries, runs }) => {
    expect(consecutiveRuns(entries).map((r) => r.map((e) => Number(e.index)))).toEqual(runs)
  })

  it('no run is longer than the hub takes', () => {
    const runs = consecutiveRuns(at(...Array.from({ length: 70 }, (_, i) => i)))
    expect(runs.map((r) => r.length)).toEqual([32, 32, 6])
  })
})
