/**
 * An account's state as the XM-1 portfolio the engines margin (spec 2.3):
 * its cash; its collateral per chain and token, net of what outstanding
 * withdrawals hold back; its open positions, each on its venue's chain,
 * with its average entry price.
 */
import type { Address } from 'viem'
import { parseInstrumentId } from '../risk/instrument-id.ts'
import type { Portfolio, Position } from '../risk/types.ts'
import type { AccountState, OpenPosition } from './account-book.ts'
import { type Directory, toUnits } from './directory.ts'
import { reservedOf } from './reserved.ts'

/** One collateral holding the directory knows, with what withdrawals hold back. */
export interface CollateralLineSource {
  readonly chain: string
  readonly token: Address
  readonly asset: string
  readonly decimals: number
  readonly credited: bigint
  readonly reserved: bigint
}

export function collateralLines(state: AccountState, directory: Directory): CollateralLineSource[] {
  return [...state.holdings.values()].flatMap((h) => {
    const info = directory.token(h.chain, h.token)
    if (!info) return []
    return [
      {
        chain: h.chain,
        token: h.token,
        asset: info.symbol,
        decimals: info.decimals,
        credited: h.credited,
        reserved: reservedOf(state, h.chain, h.token),
      },
    ]
  })
}

/** Quantity in units of the underlying from 1e-8 units. */
export const quantityOf = (q: bigint): number => toUnits(q, 8)

export function positionOf(p: OpenPosition): Position {
  const instrument = parseInstrumentId(p.instrument)
  const quantity = quantityOf(p.quantity)
  if (instrument.kind === 'option') return { chain: p.chain, instrument, quantity }
  return { chain: p.chain, instrument, quantity, entryPrice: p.basis / quantity }
}

export function portfolioOf(
  state: AccountState,
  directory: Directory,
  lines = collateralLines(state, directory),
): Portfolio {
  return {
    cash: state.cash,
    collateral: lines.map((l) => ({
      chain: l.chain,
      asset: l.asset,
      amount: toUnits(l.credited > l.reserved ? l.credited - l.reserved : 0n, l.decimals),
    })),
    positions: [...state.positions.values()].map(positionOf),
  }
}
