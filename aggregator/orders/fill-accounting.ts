/**
 * What one fill does to a position and to cash: the booking rule, pure.
 *
 * A position (per chain and instrument) is its signed quantity in 1e-8 units
 * (+ long) and its basis in USD: quantity * entry price of what is open, so
 * its average entry is basis / quantity and XM-1 values it as
 * quantity * mark - basis. Fills arrive in the signed units of typed-data.ts
 * (size 1e-8, price and fee 1e-6 USD); figures leave as USD numbers, the
 * units cash and basis are kept in.
 *
 * Linear instruments (perp, future):
 *  - a fill on the position's side (or on none) opens or adds: basis grows
 *    by the fill's signed notional, nothing is realised;
 *  - a fill against it reduces: the closed share of the basis (pro rata to
 *    the quantity closed, so the average entry of the rest is unchanged)
 *    leaves, and the closed quantity's value at the fill price minus that
 *    share is realised into cash;
 *  - a fill past zero closes all (as above) and opens the rest at the fill
 *    price.
 * Options carry no basis: the buyer pays the premium (size * price) out of
 * cash, the seller receives it, and XM-1 values the position at its mark.
 * The fee always comes out of cash.
 */
import { InputError } from '../errors.ts'
import type { Instrument } from '../risk/types.ts'
import type { Side } from './typed-data.ts'

export interface Position {
  /** 1e-8 units, signed (+ long), never 0. */
  readonly quantity: bigint
  /** USD: quantity * entry price of what is open (linear); 0 for options. */
  readonly basis: number
}

export interface BookedFill {
  /** The position after the fill; undefined when it closed to zero. */
  readonly position: Position | undefined
  /** USD: what the fill does to cash, realisedPnl - premium - fee. */
  readonly cashDelta: number
  /** USD realised by the part of a linear fill that reduced the position; 0 for options. */
  readonly realisedPnl: number
  /** USD premium the account paid for an option (negative: received); 0 for linear. */
  readonly premium: number
  /** USD fee paid. */
  readonly fee: number
}

const UNITS = 100_000_000n
const USD = 1_000_000n
/** size (1e-8) * price (1e-6 USD) is in 1e-14 USD. */
const NOTIONAL = UNITS * USD

/** `x` in units of `scale` as a number, split so that a large x keeps its fraction. */
function scaled(x: bigint, scale: bigint): number {
  return Number(x / scale) + Number(x % scale) / Number(scale)
}

const abs = (x: bigint) => (x < 0n ? -x : x)

/** USD of `size` (1e-8 units) at `price` (1e-6 USD a unit). */
const notional = (size: bigint, price: bigint) => scaled(size * price, NOTIONAL)

function requireWhole(value: bigint, field: string, min: bigint, rule: string): void {
  if (typeof value !== 'bigint')
    throw new InputError(field, 'wrong_type', `${field} must be a whole number (bigint)`)
  if (value < min) throw new InputError(field, 'out_of_range', `${field} must be ${rule}`)
}

export function applyFill(
  position: Position | undefined,
  instrument: Instrument,
  side: Side,
  size: bigint,
  price: bigint,
  fee: bigint,
): BookedFill {
  if (side !== 'buy' && side !== 'sell')
    throw new InputError('side', 'out_of_range', 'side must be buy or sell')
  requireWhole(size, 'size', 1n, '> 0')
  requireWhole(price, 'price', 0n, '>= 0')
  requireWhole(fee, 'fee', 0n, '>= 0')
  const feeUsd = scaled(fee, USD)
  const held = position?.quantity ?? 0n
  const signed = side === 'buy' ? size : -size
  const after = held + signed

  if (instrument.kind === 'option') {
    const premium = side === 'buy' ? notional(size, price) : -notional(size, price)
    return {
      position: after === 0n ? undefined : { quantity: after, basis: 0 },
      cashDelta: -premium - feeUsd,
      realisedPnl: 0,
      premium,
      fee: feeUsd,
    }
  }

  const basis = position?.basis ?? 0
  const direction = signed > 0n ? 1 : -1
  let realisedPnl = 0
  let next: Position | undefined
  if (held === 0n || held > 0n === signed > 0n) {
    next = { quantity: after, basis: basis + direction * notional(size, price) }
  } else {
    const open = abs(held)
    // the closed quantity, valued at the fill price, in the position's own sign
    const closed = size < open ? size : open
    const closedValue = -direction * notional(closed, price)
    // pro rata, so a full close removes exactly the basis and the rest keeps its average entry
    const removed = closed === open ? basis : (basis * Number(closed)) / Number(open)
    realisedPnl = closedValue - removed
    if (after === 0n) next = undefined
    else if (size < open) next = { quantity: after, basis: basis - removed }
    else next = { quantity: after, basis: direction * notional(abs(after), price) }
  }
  return {
    position: next,
    cashDelta: realisedPnl - feeUsd,
    realisedPnl,
    premium: 0,
    fee: feeUsd,
  }
}

/** USD a unit: the average entry XM-1 margins a linear position at (basis / quantity); 0 for an option. */
export function entryPrice(position: Position): number {
  if (position.basis === 0) return 0
  return position.basis / scaled(position.quantity, UNITS)
}
