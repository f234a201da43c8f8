/**
 * E9 (trust-model.md): the pre-trade check admits no account the compiled
 * circuit cannot prove. checkCapacity takes the portfolio as it would be
 * after a fill and names the first capacity it would exceed, or null.
 *
 * What the prover refuses, and so what is refused here (circuits/witness.ts
 * accountLeaf and circuitInput, circuits/market-table.ts, solvency.circom):
 *
 *  - more than 16 positions netted per instrument with a non-zero quantity;
 *    more than 8 collateral assets holding at least 1e-8; more than 4
 *    underlyings with price risk (positions' underlyings and the held
 *    collateral assets that track one);
 *  - a netted |quantity| or a collateral amount of 2^64 or more in 1e-8
 *    units, or a netted quantity with more than 8 decimals;
 *  - a committed average entry price of 2^48 or more in 1e-6 USD;
 *  - |cash| of 2^64 or more in 1e-6 USD, cash after the witness has moved
 *    into it the basis of every netted position whose average it cannot
 *    commit (flat but with a basis, a negative average, or one past 2^48);
 *  - a market row's mark or short option minimum of 2^64 or more in 1e-6
 *    USD, and more than 16 assets or 15 underlyings in the market table;
 *  - equity or any scenario loss outside +-2^84 in 1e-14 USD (~1.93e11 USD).
 *
 * The last is checked with a cheap bound rather than the circuit's figures:
 * |cash| plus, per holding, |quantity| * (2 * spot + strike + entry) (a
 * position) or amount * price (collateral), plus the short option minimum.
 * It bounds |equity|, every scenario loss of every underlying, their sum and
 * the short option minimum at once, because XM-1's scenario prices stay
 * below twice the spot (extremeMove * priceScanRange < 1), a call is worth at
 * most the spot, a put at most the strike. Its safety margin is a factor of
 * 2: the bound is at most linear in the prices, so an account admitted at
 * MAGNITUDE_MAX_USD (2^83 in 1e-14 USD) stays provable if every price
 * doubles before its proof.
 *
 * The other limits are exact (no margin): they change only with fills,
 * which this checks, and with the holdings the vaults allow-list.
 */

import { LIMITS, quantityUnits, UNITS, USD } from '../../circuits/fixed-point.ts'
import { CAPACITY } from '../../circuits/market-table.ts'
import { ComputationError, InputError } from '../errors.ts'
import { netPositions } from '../risk/netting.ts'
import type { Market, Portfolio, RiskParams } from '../risk/types.ts'

/** What one market table holds (circuits/market-table.ts): the instrument listing must fit it. */
export const MARKET_CAPACITY = {
  instruments: 2 ** CAPACITY.instrumentBits,
  assets: 2 ** CAPACITY.assetBits,
  /** underlyings with risk parameters: tag 15 means "none" */
  underlyings: 15,
} as const

export type CapacityLimit =
  | 'positions'
  | 'underlyings'
  | 'collateral'
  | 'quantity'
  | 'decimals'
  | 'collateralAmount'
  | 'entryPrice'
  | 'cash'
  | 'mark'
  | 'magnitude'
  | 'marketAssets'
  | 'marketUnderlyings'

export interface CapacityBreach {
  readonly limit: CapacityLimit
  /** The account's figure, in the unit `max` is in (for `decimals`: 1e-8 units off a whole count). */
  readonly value: number
  /** The largest figure the circuit proves (for `magnitude`, with its safety margin). */
  readonly max: number
  readonly message: string
}

const pow2 = (bits: bigint | number) => 2 ** Number(bits)

/** 2^84 in 1e-14 USD: what equity and every scenario loss must stay within. */
export const CIRCUIT_MAGNITUDE_USD = pow2(84) * 1e-14
/** The bound admitted: half of it, so that every price may double (see above). */
export const MAGNITUDE_MAX_USD = CIRCUIT_MAGNITUDE_USD / 2
/** Short option minimum per unit as a fraction of spot, when no parameters are given. */
const DEFAULT_SHORT_OPTION_MINIMUM = 1

/** Largest figures in natural units: 1e-8 units and 1e-6 USD, one below the bit budget. */
const MAX_UNITS = (pow2(LIMITS.quantity) - 1) / UNITS
const MAX_ENTRY = (pow2(LIMITS.entryPrice) - 1) / USD
const MAX_CASH = (pow2(LIMITS.cash) - 1) / USD
/** A market row's mark and short option minimum are packed in 64 bits (1e-6 USD). */
const MARK_LIMIT = pow2(64)
const MAX_MARK = (MARK_LIMIT - 1) / USD
/** Per unit held, the rounding the circuit adds against the account: marks, entries, the extra unit of a short. */
const ROUNDING_PER_UNIT = 3e-6

const ABS_2_64 = 1n << LIMITS.quantity

function breach(limit: CapacityLimit, value: number, max: number, message: string): CapacityBreach {
  return { limit, value, max, message }
}

function finite(x: number, field: string): number {
  if (!Number.isFinite(x)) throw new ComputationError(`${field} is not a finite number`)
  return x
}

function unknown(field: string, what: string): InputError {
  return new InputError(field, 'unknown_reference', `${what} is not in the market snapshot`)
}

/**
 * The first capacity of the circuit that `portfolio` exceeds against
 * `market`, or null when the circuit can prove it. `params`, when given,
 * adds its short option minimums and its count of underlyings; without it a
 * short option minimum of the whole spot is assumed.
 */
export function checkCapacity(
  portfolio: Portfolio,
  market: Market,
  params?: RiskParams,
): CapacityBreach | null {
  if (market.assets.size > MARKET_CAPACITY.assets)
    return breach(
      'marketAssets',
      market.assets.size,
      MARKET_CAPACITY.assets,
      `the market has ${market.assets.size} assets; a market table holds ${MARKET_CAPACITY.assets}`,
    )
  if (params && params.underlyings.size > MARKET_CAPACITY.underlyings)
    return breach(
      'marketUnderlyings',
      params.underlyings.size,
      MARKET_CAPACITY.underlyings,
      `the parameters have ${params.underlyings.size} underlyings; a market table numbers ${MARKET_CAPACITY.underlyings}`,
    )

  const spot = (underlying: string, field: string): number => {
    const quote = market.underlyings.get(underlying)
    if (quote === undefined) throw unknown(field, `underlying ${underlying}`)
    return finite(quote.price, `market.underlyings.${underlying}.price`)
  }

  // ---- positions, netted across chains in accountLeaf's order (its cash arithmetic is mirrored exactly)
  let cash = finite(portfolio.cash, 'portfolio.cash')
  let magnitude = 0
  let positions = 0
  const risky = new Set<string>()
  for (const [i, p] of netPositions(portfolio.positions).entries()) {
    const field = `portfolio.positions[${i}]`
    finite(p.quantity, `${field}.quantity`)
    finite(p.basis, `${field}.basis`)
    let q: bigint
    try {
      q = quantityUnits(p.quantity, `${field}.quantity`)
    } catch (err) {
      if (!(err instanceof InputError)) throw err
      // quantityUnits' rule: off a whole 1e-8 count by more than 1e-6 of it
      const scaled = p.quantity * UNITS
      return breach(
        'decimals',
        Math.abs(scaled - Math.round(scaled)),
        1e-6 * Math.max(1, Math.abs(scaled)),
        `the net quantity ${p.quantity} has more than 8 decimals; the circuit counts whole 1e-8 units`,
      )
    }
    if (q === 0n && p.basis === 0) continue
    const { instrument } = p
    let entry = 0
    if (instrument.kind !== 'option') {
      const average = q === 0n ? -1 : p.basis / p.quantity
      if (average >= 0 && average * USD < pow2(LIMITS.entryPrice)) {
        // accountLeaf commits it rounded against the account, up for a long
        const units = q > 0n ? Math.ceil(average * USD) : Math.floor(average * USD)
        if (units >= pow2(LIMITS.entryPrice))
          return breach(
            'entryPrice',
            average,
            MAX_ENTRY,
            `the average entry ${average} USD of ${instrument.kind} on ${instrument.underlying} rounds up to 2^48 * 1e-6 USD, past what the circuit proves`,
          )
        entry = units / USD
      } else {
        // an average the leaf cannot commit: its basis goes into cash
        cash -= p.basis
      }
    }
    if (q === 0n) continue
    const qAbs = q < 0n ? -q : q
    if (qAbs >= ABS_2_64)
      return breach(
        'quantity',
        Math.abs(p.quantity),
        MAX_UNITS,
        `a net quantity of ${Math.abs(p.quantity)} units is past the circuit's 2^64 * 1e-8`,
      )
    positions++
    risky.add(instrument.underlying)
    const s = spot(instrument.underlying, `${field}.instrument.underlying`)
    const strike = instrument.kind === 'option' ? instrument.strike : 0
    const units = Math.abs(p.quantity)
    // an option's mark is at most the spot (a call) or the strike (a put)
    if (Math.floor(Math.max(s, strike) * USD) >= MARK_LIMIT)
      return breach(
        'mark',
        Math.max(s, strike),
        MAX_MARK,
        `a mark of up to ${Math.max(s, strike)} USD on ${instrument.underlying} does not fit the market table's 64 bits`,
      )
    magnitude += units * (2 * s + strike + entry + ROUNDING_PER_UNIT)
    if (instrument.kind === 'option') {
      // every option's row carries it, long or short; only a short owes it
      const rate =
        params?.underlyings.get(instrument.underlying)?.shortOptionMinimum ??
        DEFAULT_SHORT_OPTION_MINIMUM
      const som = rate * s
      if (Math.ceil(som * USD) >= MARK_LIMIT)
        return breach(
          'mark',
          som,
          MAX_MARK,
          `the short option minimum ${som} USD on ${instrument.underlying} does not fit the market table's 64 bits`,
        )
      if (q < 0n) magnitude += units * (som + ROUNDING_PER_UNIT)
    }
  }
  if (positions > CAPACITY.positions)
    return breach(
      'positions',
      positions,
      CAPACITY.positions,
      `${positions} netted positions; the circuit proves at most ${CAPACITY.positions} per account`,
    )

  // ---- collateral, summed per asset as accountLeaf sums it
  const amounts = new Map<string, number>()
  for (const c of portfolio.collateral)
    amounts.set(c.asset, (amounts.get(c.asset) ?? 0) + finite(c.amount, `collateral ${c.asset}`))
  let collateral = 0
  for (const [asset, amount] of amounts) {
    const quote = market.assets.get(asset)
    if (quote === undefined) throw unknown(`portfolio.collateral.${asset}`, `asset ${asset}`)
    const units = Math.floor(amount * UNITS)
    if (units < 0 || units >= pow2(LIMITS.quantity))
      return breach(
        'collateralAmount',
        amount,
        MAX_UNITS,
        `${amount} ${asset} is outside what the circuit proves (0 to 2^64 * 1e-8)`,
      )
    if (units === 0) continue
    collateral++
    const price =
      quote.kind === 'fixed'
        ? finite(quote.price, `market.assets.${asset}.price`)
        : spot(quote.underlying, `market.assets.${asset}.underlying`)
    if (quote.kind === 'underlying') risky.add(quote.underlying)
    magnitude += amount * price + amount * ROUNDING_PER_UNIT
  }
  if (collateral > CAPACITY.collateral)
    return breach(
      'collateral',
      collateral,
      CAPACITY.collateral,
      `${collateral} collateral assets; the circuit proves at most ${CAPACITY.collateral} per account`,
    )
  if (risky.size > CAPACITY.underlyings)
    return breach(
      'underlyings',
      risky.size,
      CAPACITY.underlyings,
      `${risky.size} underlyings with price risk (${[...risky].sort().join(', ')}); the circuit proves at most ${CAPACITY.underlyings} per account`,
    )
  // every market asset has a row, held or not
  for (const [asset, quote] of market.assets) {
    const price =
      quote.kind === 'fixed' ? quote.price : (market.underlyings.get(quote.underlying)?.price ?? 0)
    const mark = price * (1 - quote.haircut)
    if (Math.floor(mark * USD) >= MARK_LIMIT)
      return breach(
        'mark',
        mark,
        MAX_MARK,
        `asset ${asset}'s mark ${mark} USD does not fit the market table's 64 bits`,
      )
  }

  // ---- cash as the leaf commits it, then the bound on equity and losses
  const cashUnits = Math.floor(cash * USD)
  if (Math.abs(cashUnits) >= pow2(LIMITS.cash))
    return breach(
      'cash',
      Math.abs(cash),
      MAX_CASH,
      `cash of ${cash} USD (with the basis of positions whose average entry the circuit cannot commit) is past its 2^64 * 1e-6 USD`,
    )
  magnitude += Math.abs(cash) + 1e-6
  if (!(magnitude <= MAGNITUDE_MAX_USD))
    return breach(
      'magnitude',
      magnitude,
      MAGNITUDE_MAX_USD,
      `the account's gross size (${magnitude.toExponential(3)} USD: cash, holdings at up to twice their prices, entries) is past ${MAGNITUDE_MAX_USD.toExponential(3)} USD, half of what the circuit's equity and losses can hold`,
    )
  return null
}
