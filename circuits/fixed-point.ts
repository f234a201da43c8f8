/**
 * Spec section 8: the integers the circuit works in. Money and per-unit
 * figures are in 1e-6 USD, quantities and amounts in 1e-8 units; products
 * are in 1e-14 USD. Every conversion names the way it rounds, and the callers
 * round against the account.
 */
import { InputError } from '../aggregator/errors.ts'

export const USD = 1_000_000
export const UNITS = 100_000_000

/** Bit budgets the circuit range-checks (circuits/solvency.circom). */
export const LIMITS = { quantity: 64n, entryPrice: 48n, cash: 64n } as const

function checked(value: number, field: string): number {
  if (!Number.isFinite(value))
    throw new InputError(field, 'not_finite', `${field} is not a finite number`)
  return value
}

export function floorScaled(x: number, scale: number, field: string): bigint {
  return BigInt(Math.floor(checked(x * scale, field)))
}

export function ceilScaled(x: number, scale: number, field: string): bigint {
  return BigInt(Math.ceil(checked(x * scale, field)))
}

/** A quantity in 1e-8 units, which must be representable exactly. */
export function quantityUnits(x: number, field: string): bigint {
  const scaled = checked(x * UNITS, field)
  const units = Math.round(scaled)
  if (Math.abs(scaled - units) > 1e-6 * Math.max(1, Math.abs(scaled)))
    throw new InputError(field, 'out_of_range', `${field} has more than 8 decimals`)
  return BigInt(units)
}

export function requireBits(value: bigint, bits: bigint, field: string): bigint {
  if (value < 0n || value >= 1n << bits)
    throw new InputError(
      field,
      'out_of_range',
      `${field} is outside what the circuit can prove (0 <= x < 2^${bits} in fixed point)`,
    )
  return value
}

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x
}
