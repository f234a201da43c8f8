/**
 * bench epoch: an epoch over a synthetic book of N accounts (default
 * 100,000; 8 positions over 2 of 4 underlyings, 3 collateral holdings each),
 * committed cold (every leaf derived and hashed, the tree built bottom-up,
 * every leaf stored) and then again after `changed` accounts moved (only
 * their leaves rehashed and their paths updated). The store is PGlite in
 * memory; the hub is in memory.
 *
 * The peer, in the same run: the same number of Poseidon hashes (a 14-input
 * hash per changed leaf, a 2-input hash per tree node above them) through
 * circomlibjs alone, and each epoch's time over it (`coldRatio`,
 * `incrementalRatio`): near 1, an epoch is its hashing.
 */
import { buildPoseidon } from 'circomlibjs'
import { pad, toHex } from 'viem'
import { FIELD } from '../../circuits/poseidon.ts'
import { STATE_DEPTH } from '../../circuits/trees.ts'
import { openDatabase } from '../../relayer/store/database.ts'
import { EpochService, MemoryEpochPoster, MemoryLeafIndices } from '../epochs/index.ts'
import { MemoryAccounts } from '../epochs/memory-accounts.ts'
import { silentLogger } from '../log.ts'
import type { Portfolio } from '../risk/types.ts'
import { syntheticBook } from './synthetic-book.ts'

export const EPOCH_TARGETS = 'Targets: coldMs <= 10000; incrementalMs <= 500.'

export interface EpochBenchResult {
  readonly accounts: number
  readonly changed: number
  readonly coldMs: number
  readonly incrementalMs: number
  readonly rssMb: number
  /** The epochs' hashes: leaves (14 inputs) and tree nodes (2 inputs). */
  readonly coldLeafHashes: number
  readonly coldNodeHashes: number
  readonly incrementalLeafHashes: number
  readonly incrementalNodeHashes: number
  /** The same hashes through circomlibjs's Poseidon, one by one on this thread. */
  readonly peerColdMs: number
  readonly peerIncrementalMs: number
  /** coldMs / peerColdMs and incrementalMs / peerIncrementalMs. */
  readonly coldRatio: number
  readonly incrementalRatio: number
}

/** Tree nodes hashed when the leaves at `indices` are set at once (StateTree.setMany). */
function nodesAbove(indices: Iterable<number>): number {
  let level = new Set(indices)
  let count = 0
  for (let d = 0; d < STATE_DEPTH; d++) {
    level = new Set([...level].map((i) => Math.floor(i / 2)))
    count += level.size
  }
  return count
}

/** circomlibjs's Poseidon over `leaves` 14-input and `nodes` 2-input lists of field elements. */
async function peerMs(hashes: { leaves: number; nodes: number }): Promise<number> {
  const p = await buildPoseidon()
  const x = (i: number) => (BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc834n) % FIELD
  const started = performance.now()
  for (let i = 0; i < hashes.leaves; i++)
    p.F.toObject(p(Array.from({ length: 14 }, (_, j) => x(i * 14 + j))))
  for (let i = 0; i < hashes.nodes; i++) p.F.toObject(p([x(2 * i), x(2 * i + 1)]))
  return performance.now() - started
}

export async function runEpochBench(options: {
  readonly accounts: number
  readonly changed: number
  readonly log: (line: string) => void
}): Promise<EpochBenchResult> {
  const { accounts: n, changed, log } = options
  log(`building a synthetic book of ${n} accounts`)
  const book = syntheticBook({
    accounts: n,
    underlyings: 4,
    instruments: 48,
    positionsPerAccount: 8,
    underlyingsPerAccount: 2,
    collateralPerAccount: 3,
    seed: 42,
  })
  const accounts = new MemoryAccounts()
  const address = (i: number) => pad(toHex(i + 1), { size: 20 })
  for (const [i, p] of book.portfolios.entries()) accounts.set(address(i), inUnits(p))
  const db = await openDatabase('memory')
  try {
    const service = await EpochService.open({
      db,
      accounts,
      market: () => ({ market: book.market, params: book.params }),
      instruments: () => [],
      leafIndices: new MemoryLeafIndices({ assignOnLookup: true }),
      poster: new MemoryEpochPoster(),
      secret: new Uint8Array(32).fill(1),
      logger: silentLogger,
      epochSeconds: 0,
    })
    log('cold epoch')
    let started = performance.now()
    await service.commitNow()
    const coldMs = Math.round(performance.now() - started)
    log(`cold epoch in ${coldMs} ms; ${changed} accounts change`)
    const step = Math.max(1, Math.floor(n / changed))
    const moved = new Set<number>()
    for (let k = 0; k < changed; k++) {
      const i = (k * step) % n
      moved.add(i)
      const p = inUnits(book.portfolios[i]!)
      accounts.set(address(i), { ...p, cash: p.cash + 1 })
    }
    started = performance.now()
    await service.commitNow()
    const incrementalMs = Math.round(performance.now() - started)
    await service.stop()
    const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20)
    // leaf indices are handed out in the book's order (0 .. n-1)
    const coldHashes = { leaves: n, nodes: nodesAbove(Array.from({ length: n }, (_, i) => i)) }
    const incrementalHashes = { leaves: moved.size, nodes: nodesAbove(moved) }
    log(`peer: ${coldHashes.leaves + coldHashes.nodes} hashes through circomlibjs`)
    const peerColdMs = Math.round(await peerMs(coldHashes))
    const peerIncrementalMs = Math.round(await peerMs(incrementalHashes))
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100
    return {
      accounts: n,
      changed,
      coldMs,
      incrementalMs,
      rssMb,
      coldLeafHashes: coldHashes.leaves,
      coldNodeHashes: coldHashes.nodes,
      incrementalLeafHashes: incrementalHashes.leaves,
      incrementalNodeHashes: incrementalHashes.nodes,
      peerColdMs,
      peerIncrementalMs,
      coldRatio: ratio(coldMs, peerColdMs),
      incrementalRatio: ratio(incrementalMs, peerIncrementalMs),
    }
  } finally {
    await db.close()
  }
}

/** Quantities in whole 1e-8 units, as a book built from fills holds them (the leaf commits those). */
function inUnits(p: Portfolio): Portfolio {
  return {
    ...p,
    positions: p.positions.map((x) => ({ ...x, quantity: Math.round(x.quantity * 1e8) / 1e8 })),
  }
}
