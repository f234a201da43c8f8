/**
 * The reference XM-1 engine: one account at a time, written to be read
 * beside the spec. The batch engine (./batch) must agree with it.
 *
 * An account is split by underlying: each underlying's exposure (value,
 * summed risk array, short option minimum) depends only on that
 * underlying's quote, and combineExposures() turns them into the figures.
 * Liquidation-price search uses the split to re-price one underlying only.
 */
import { ComputationError } from '../errors.ts'
import { type NettedPosition, netPositions } from './netting.ts'
import {
  collateralRiskArray,
  instrumentRiskArray,
  SCENARIO_COUNT,
  scenarioDirection,
  scenarioWeights,
} from './scenarios.ts'
import type {
  Direction,
  MarginFigures,
  MarginInputs,
  Market,
  RiskParams,
  Status,
  UnderlyingRisk,
} from './types.ts'
import { optionValue, yearsToExpiry } from './valuation.ts'

/** What one underlying contributes to an account. */
export interface UnderlyingExposure {
  /** Value of the positions and tracking collateral on it (spec section 3). */
  readonly value: number
  /** Their summed risk array: profit in each scenario (spec section 4). */
  readonly profits: Float64Array
  /** |quantity| * rate * S over its short options (spec section 6). */
  readonly shortOptionMinimum: number
}

/** Spec section 6: the status for an equity and its requirements. */
export function marginStatus(equity: number, maintenance: number, initial: number): Status {
  if (equity < 0) return 'bankrupt'
  if (equity < maintenance) return 'liquidatable'
  if (equity < initial) return 'restricted'
  return 'healthy'
}

/** XM-1 for one account: exactly the figures of spec section 7. */
export function computeMargin(inputs: MarginInputs): MarginFigures {
  const netted = netPositions(inputs.portfolio.positions)
  const exposures = new Map(
    underlyingsHeld(inputs, netted).map((u) => [u, underlyingExposure(inputs, netted, u)]),
  )
  return combineExposures(inputs, exposures)
}

/** Every underlying the account holds a position or a tracking collateral asset in, sorted. */
export function underlyingsHeld(
  { market, portfolio }: MarginInputs,
  netted: readonly NettedPosition[],
): string[] {
  const held = new Set(netted.map((p) => p.instrument.underlying))
  for (const c of portfolio.collateral) {
    const asset = market.assets.get(c.asset)!
    if (asset.kind === 'underlying') held.add(asset.underlying)
  }
  return [...held].sort()
}

export function underlyingExposure(
  { market, params, portfolio }: MarginInputs,
  netted: readonly NettedPosition[],
  u: string,
): UnderlyingExposure {
  const quote = market.underlyings.get(u)!
  const up = params.underlyings.get(u)!
  const profits = new Float64Array(SCENARIO_COUNT)
  const add = (quantity: number, entries: Float64Array): void => {
    for (let k = 0; k < SCENARIO_COUNT; k++) profits[k]! += quantity * entries[k]!
  }
  let value = 0
  let shortOptionMinimum = 0
  for (const { instrument: i, quantity, basis } of netted) {
    if (i.underlying !== u) continue
    if (i.kind === 'option') {
      const tau = yearsToExpiry(i.expiry, market.timestamp)
      value += quantity * optionValue(i.type, quote.price, i.strike, quote.vol, tau)
      add(quantity, instrumentRiskArray(i, quote, up, params, tau))
      // Netted across chains first, so a long and a short of one option on two chains cancel.
      if (quantity < 0) shortOptionMinimum += -quantity * up.shortOptionMinimum * quote.price
    } else {
      value += quantity * quote.price - basis
      add(quantity, instrumentRiskArray(i, quote, up, params, 0))
    }
  }
  for (const c of portfolio.collateral) {
    const asset = market.assets.get(c.asset)!
    if (asset.kind !== 'underlying' || asset.underlying !== u) continue
    value += c.amount * quote.price * (1 - asset.haircut)
    add(c.amount, collateralRiskArray(asset.haircut, quote, up, params))
  }
  return { value, profits, shortOptionMinimum }
}

/** Cash plus collateral at a fixed price: the part of equity no underlying moves. */
function fixedEquity({ market, portfolio }: MarginInputs): number {
  let equity = portfolio.cash
  for (const c of portfolio.collateral) {
    const asset = market.assets.get(c.asset)!
    if (asset.kind === 'fixed') equity += c.amount * asset.price * (1 - asset.haircut)
  }
  return equity
}

/** Spec sections 3 to 6 from the exposures: equity, scan risks, credits, requirements, status. */
export function combineExposures(
  inputs: MarginInputs,
  exposures: ReadonlyMap<string, UnderlyingExposure>,
): MarginFigures {
  const weights = scenarioWeights(inputs.params)
  let equity = fixedEquity(inputs)
  let totalScan = 0
  let shortOptionMinimum = 0
  const risks = new Map<string, UnderlyingRisk>()
  for (const [u, exposure] of exposures) {
    const risk = scanUnderlying(exposure.profits, weights)
    risks.set(u, risk)
    equity += exposure.value
    totalScan += risk.scanRisk
    shortOptionMinimum += exposure.shortOptionMinimum
  }
  const credit = spreadCredit(inputs.params, risks)
  const scanRisk = totalScan - credit
  const maintenanceMargin = Math.max(scanRisk, shortOptionMinimum)
  const initialMargin = maintenanceMargin * inputs.params.initialMarginFactor
  const figures: MarginFigures = {
    equity,
    underlyings: Object.fromEntries(risks),
    spreadCredit: credit,
    scanRisk,
    shortOptionMinimum,
    maintenanceMargin,
    initialMargin,
    marginRatio: maintenanceMargin === 0 ? null : equity / maintenanceMargin,
    status: marginStatus(equity, maintenanceMargin, initialMargin),
  }
  assertFinite(figures)
  return figures
}

/** L(u), its scenario and direction from the summed risk array. */
export function scanUnderlying(profits: Float64Array, weights: Float64Array): UnderlyingRisk {
  let worst = 0
  let index = -1
  for (let k = 0; k < SCENARIO_COUNT; k++) {
    const loss = -weights[k]! * profits[k]!
    if (loss > worst) {
      worst = loss
      index = k
    }
  }
  if (index < 0) return { scanRisk: 0, scenario: null, direction: 0 }
  return { scanRisk: worst, scenario: index + 1, direction: scenarioDirection(index) }
}

/** Spec section 5: walk the credits in order, consuming each leg's available risk. */
export function spreadCredit(
  params: RiskParams,
  risks: ReadonlyMap<string, UnderlyingRisk>,
): number {
  const avail = new Map([...risks].map(([u, r]) => [u, r.scanRisk]))
  const dir = (u: string): Direction => risks.get(u)?.direction ?? 0
  let credit = 0
  for (const { legs, rate } of params.spreadCredits) {
    const [a, b] = legs
    if (dir(a) === 0 || dir(b) === 0 || dir(a) === dir(b)) continue
    const m = Math.min(avail.get(a)!, avail.get(b)!)
    credit += rate * m
    avail.set(a, avail.get(a)! - m)
    avail.set(b, avail.get(b)! - m)
  }
  return credit
}

function assertFinite(f: MarginFigures): void {
  for (const key of ['equity', 'scanRisk', 'maintenanceMargin', 'initialMargin'] as const) {
    if (!Number.isFinite(f[key])) {
      throw new ComputationError(
        `${key} is not a finite number`,
        'the inputs are too large for float64 arithmetic',
      )
    }
  }
}

/** The same market with one underlying's price replaced. */
export function withPrice(market: Market, underlying: string, price: number): Market {
  const underlyings = new Map(market.underlyings)
  underlyings.set(underlying, { ...underlyings.get(underlying)!, price })
  return { ...market, underlyings }
}
