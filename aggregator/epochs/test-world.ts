/**
 * An epoch service on memory parts for the epochs' tests: PGlite in memory,
 * portfolios set by hand, the hub's indices and posts in memory, a two-
 * underlying market whose prices the test moves.
 */
import type { Address } from 'viem'
import { pad } from 'viem'
import { type Database, openDatabase } from '../../relayer/store/database.ts'
import { silentLogger } from '../log.ts'
import type { Instrument, Market, Portfolio, RiskParams } from '../risk/types.ts'
import {
  EpochService,
  type EpochServiceOptions,
  MemoryEpochPoster,
  MemoryLeafIndices,
} from './index.ts'
import { MemoryAccounts } from './memory-accounts.ts'

export const T0 = 1_767_225_600
export const SECRET = new Uint8Array(32).fill(7)
export const FUTURE_EXPIRY = T0 + 7 * 86_400

export const LISTED: readonly Instrument[] = [
  { kind: 'perp', underlying: 'X' },
  { kind: 'perp', underlying: 'Y' },
  { kind: 'future', underlying: 'X', expiry: FUTURE_EXPIRY },
]

export const trader = (n: number): Address => pad(`0x${(0xa0 + n).toString(16)}`, { size: 20 })

export function marketAt(x = 100, y = 50): Market {
  return {
    timestamp: T0,
    underlyings: new Map([
      ['X', { price: x, vol: 0.5 }],
      ['Y', { price: y, vol: 0.4 }],
    ]),
    assets: new Map([['USDC', { kind: 'fixed' as const, price: 1, haircut: 0 }]]),
  }
}

export const PARAMS: RiskParams = {
  underlyings: new Map([
    ['X', { priceScanRange: 0.1, volScanRange: 0.2, shortOptionMinimum: 0.01 }],
    ['Y', { priceScanRange: 0.1, volScanRange: 0.2, shortOptionMinimum: 0.01 }],
  ]),
  extremeMove: 2,
  extremeCoverFraction: 0.35,
  lookaheadDays: 1,
  initialMarginFactor: 1.5,
  spreadCredits: [],
}

/** USDC collateral, cash and an X perp position of `perp` units at 100. */
export function portfolio(usdc: number, perp = 0, cash = 0): Portfolio {
  return {
    cash,
    collateral: [{ chain: 'arbitrum', asset: 'USDC', amount: usdc }],
    positions:
      perp === 0
        ? []
        : [
            {
              chain: 'arbitrum',
              instrument: { kind: 'perp', underlying: 'X' },
              quantity: perp,
              entryPrice: 100,
            },
          ],
  }
}

export interface EpochWorld {
  readonly db: Database
  readonly accounts: MemoryAccounts
  readonly indices: MemoryLeafIndices
  readonly poster: MemoryEpochPoster
  service: EpochService
  market: Market
  instruments: Instrument[]
  /** A new service on the same store and hub (a restart). */
  restart(): Promise<EpochService>
  close(): Promise<void>
}

/**
 * On `shared` (emptied first; PGlite takes seconds to open) or a store of its own.
 * Closing the world closes only a store it opened.
 */
export async function epochWorld(
  options: Partial<Pick<EpochServiceOptions, 'dir' | 'leafIndices'>> & {
    readonly shared?: Database
  } = {},
): Promise<EpochWorld> {
  const db = options.shared ?? (await openDatabase('memory'))
  if (options.shared) await db.query('truncate epochs, epoch_leaves').catch(() => {})
  const accounts = new MemoryAccounts()
  const indices = new MemoryLeafIndices()
  const poster = new MemoryEpochPoster()
  const world = {
    db,
    accounts,
    indices,
    poster,
    market: marketAt(),
    instruments: [...LISTED],
  } as EpochWorld
  const open = () =>
    EpochService.open({
      db,
      accounts,
      market: () => ({ market: world.market, params: PARAMS }),
      instruments: () => world.instruments,
      leafIndices: options.leafIndices ?? indices,
      poster,
      secret: SECRET,
      logger: silentLogger,
      epochSeconds: 0,
      ...(options.dir !== undefined && { dir: options.dir }),
    })
  world.service = await open()
  world.restart = async () => {
    await world.service.stop()
    world.service = await open()
    return world.service
  }
  world.close = async () => {
    await world.service.stop()
    if (!options.shared) await db.close()
  }
  return world
}
