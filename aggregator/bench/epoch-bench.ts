/**
 * bench epoch: an epoch over a synthetic book of N accounts (default
 * 100,000; 8 positions over 2 of 4 underlyings, 3 collateral holdings each),
 * committed cold (every leaf derived and hashed, the tree built bottom-up,
 * every leaf stored) and then again after `changed` accounts moved (only
 * their leaves rehashed and their paths updated). The store is PGlite in
 * memory; the hub is in memory.
 */
import { pad, toHex } from 'viem'
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
    for (let k = 0; k < changed; k++) {
      const i = (k * step) % n
      const p = inUnits(book.portfolios[i]!)
      accounts.set(address(i), { ...p, cash: p.cash + 1 })
    }
    started = performance.now()
    await service.commitNow()
    const incrementalMs = Math.round(performance.now() - started)
    await service.stop()
    return {
      accounts: n,
      changed,
      coldMs,
      incrementalMs,
      rssMb: Math.round(process.memoryUsage().rss / 2 ** 20),
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
