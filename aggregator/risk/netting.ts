/**
 * Cross-chain netting: positions in the same instrument are one exposure,
 * whatever chain each lives on. Chain labels never reach the numbers.
 */
import type { Instrument, Position } from './types.ts'

export interface NettedPosition {
  readonly instrument: Instrument
  /** Sum of the quantities on every chain. */
  readonly quantity: number
  /** Sum of quantity * entryPrice (linear instruments; 0 for options). */
  readonly basis: number
}

/** A canonical key: two instruments with equal terms have equal keys. */
export function instrumentKey(i: Instrument): string {
  switch (i.kind) {
    case 'perp':
      return `perp|${i.underlying}`
    case 'future':
      return `future|${i.underlying}|${i.expiry}`
    case 'option':
      return `option|${i.underlying}|${i.type}|${i.strike}|${i.expiry}`
  }
}

/** Net positions per instrument, in order of first appearance. */
export function netPositions(positions: readonly Position[]): NettedPosition[] {
  const byKey = new Map<string, { instrument: Instrument; quantity: number; basis: number }>()
  for (const p of positions) {
    const key = instrumentKey(p.instrument)
    const basis = 'entryPrice' in p ? p.quantity * p.entryPrice : 0
    const seen = byKey.get(key)
    if (seen) {
      seen.quantity += p.quantity
      seen.basis += basis
    } else {
      byKey.set(key, { instrument: p.instrument, quantity: p.quantity, basis })
    }
  }
  return [...byKey.values()]
}
