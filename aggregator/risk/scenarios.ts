/**
 * Spec section 4: the sixteen SPAN scenarios and the risk-array entries
 * (profit of one unit in each scenario) for instruments and collateral.
 */

import type {
  Direction,
  Instrument,
  RiskParams,
  UnderlyingParams,
  UnderlyingQuote,
} from './types.ts'
import { DAYS_PER_YEAR, optionValue } from './valuation.ts'

export const SCENARIO_COUNT = 16

interface Scenario {
  /** Price move: in price scan ranges, or for an extreme scenario the sign of extremeMove. */
  readonly move: number
  readonly extreme: boolean
  /** Vol move in vol scan ranges. */
  readonly volScans: number
}

const scan = (move: number, volScans: number): Scenario => ({ move, extreme: false, volScans })
const extreme = (sign: number): Scenario => ({ move: sign, extreme: true, volScans: 0 })

/** Table of spec section 4, in order: index i is scenario k = i + 1. */
// biome-ignore format: laid out as the spec's table, two rows a line
export const SCENARIOS: readonly Scenario[] = [
  scan(0, 1), scan(0, -1),
  scan(1 / 3, 1), scan(1 / 3, -1),
  scan(-1 / 3, 1), scan(-1 / 3, -1),
  scan(2 / 3, 1), scan(2 / 3, -1),
  scan(-2 / 3, 1), scan(-2 / 3, -1),
  scan(1, 1), scan(1, -1),
  scan(-1, 1), scan(-1, -1),
  extreme(1), extreme(-1),
]

/** m_k: the price move of scenario index i, in price scan ranges. */
export function priceMultiple(i: number, extremeMove: number): number {
  const s = SCENARIOS[i]!
  return s.extreme ? s.move * extremeMove : s.move
}

/** w_k: the fraction of each scenario's loss that counts. */
export function scenarioWeights(params: RiskParams): Float64Array {
  return Float64Array.from(SCENARIOS, (s) => (s.extreme ? params.extremeCoverFraction : 1))
}

/** dir: the sign of m_k of scenario index i (0 for the pure vol scenarios). */
export function scenarioDirection(i: number): Direction {
  return Math.sign(SCENARIOS[i]!.move) as Direction
}

/** Scenario spot prices S'_k of an underlying. */
export function scenarioPrices(
  spot: number,
  up: UnderlyingParams,
  params: RiskParams,
): Float64Array {
  return Float64Array.from(
    SCENARIOS,
    (_, i) => spot * (1 + priceMultiple(i, params.extremeMove) * up.priceScanRange),
  )
}

/**
 * Risk-array entries of one unit of `instrument`: its profit in each scenario.
 * `tau` is the time to expiry now, in years (ignored for linear instruments).
 */
export function instrumentRiskArray(
  instrument: Instrument,
  quote: UnderlyingQuote,
  up: UnderlyingParams,
  params: RiskParams,
  tau: number,
): Float64Array {
  const prices = scenarioPrices(quote.price, up, params)
  const out = new Float64Array(SCENARIO_COUNT)
  if (instrument.kind !== 'option') {
    for (let i = 0; i < SCENARIO_COUNT; i++) out[i] = prices[i]! - quote.price
    return out
  }
  const { type, strike } = instrument
  const now = optionValue(type, quote.price, strike, quote.vol, tau)
  const tauAhead = Math.max(tau - params.lookaheadDays / DAYS_PER_YEAR, 0)
  for (let i = 0; i < SCENARIO_COUNT; i++) {
    const vol = quote.vol * (1 + SCENARIOS[i]!.volScans * up.volScanRange)
    out[i] = optionValue(type, prices[i]!, strike, vol, tauAhead) - now
  }
  return out
}

/** Risk-array entries of one unit of a collateral asset that tracks an underlying. */
export function collateralRiskArray(
  haircut: number,
  quote: UnderlyingQuote,
  up: UnderlyingParams,
  params: RiskParams,
): Float64Array {
  const prices = scenarioPrices(quote.price, up, params)
  return prices.map((p) => (p - quote.price) * (1 - haircut))
}
