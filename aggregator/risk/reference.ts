/**
 * The reference XM-1 engine: one account at a time, written to be read
 * beside the spec. The batch engine (./batch) must agree with it.
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

/** Spec section 6: the status for an equity and its requirements. */
export function marginStatus(equity: number, maintenance: number, initial: number): Status {
  if (equity < 0) return 'bankrupt'
  if (equity < maintenance) return 'liquidatable'
  if (equity < initial) return 'restricted'
  return 'healthy'
}

/** Spec section 3: cash + collateral + linear PnL + option values. */
export function accountEquity(
  { market, portfolio }: MarginInputs,
  netted: readonly NettedPosition[],
): number {
  let equity = portfolio.cash
  for (const c of portfolio.collateral) {
    const asset = market.assets.get(c.asset)!
    const price =
      asset.kind === 'fixed' ? asset.price : market.underlyings.get(asset.underlying)!.price
    equity += c.amount * price * (1 - asset.haircut)
  }
  for (const p of netted) {
    const quote = market.underlyings.get(p.instrument.underlying)!
    if (p.instrument.kind === 'option') {
      const { type, strike, expiry } = p.instrument
      equity +=
        p.quantity *
        optionValue(type, quote.price, strike, quote.vol, yearsToExpiry(expiry, market.timestamp))
    } else {
      equity += p.quantity * quote.price - p.basis
    }
  }
  return equity
}

/** Spec section 4: the summed risk array (profit per scenario) of every underlying held. */
function riskArraysByUnderlying(
  { market, params, portfolio }: MarginInputs,
  netted: readonly NettedPosition[],
): Map<string, Float64Array> {
  const totals = new Map<string, Float64Array>()
  const add = (underlying: string, quantity: number, entries: Float64Array): void => {
    const total = totals.get(underlying) ?? new Float64Array(SCENARIO_COUNT)
    totals.set(underlying, total)
    for (let k = 0; k < SCENARIO_COUNT; k++) total[k]! += quantity * entries[k]!
  }
  for (const p of netted) {
    const u = p.instrument.underlying
    const tau =
      p.instrument.kind === 'perp' ? 0 : yearsToExpiry(p.instrument.expiry, market.timestamp)
    add(
      u,
      p.quantity,
      instrumentRiskArray(
        p.instrument,
        market.underlyings.get(u)!,
        params.underlyings.get(u)!,
        params,
        tau,
      ),
    )
  }
  for (const c of portfolio.collateral) {
    const asset = market.assets.get(c.asset)!
    if (asset.kind === 'fixed') continue
    const u = asset.underlying
    add(
      u,
      c.amount,
      collateralRiskArray(
        asset.haircut,
        market.underlyings.get(u)!,
        params.underlyings.get(u)!,
        params,
      ),
    )
  }
  return totals
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
  for (const {
    legs: [a, b],
    rate,
  } of params.spreadCredits) {
    if (dir(a) === 0 || dir(b) === 0 || dir(a) === dir(b)) continue
    const m = Math.min(avail.get(a)!, avail.get(b)!)
    credit += rate * m
    avail.set(a, avail.get(a)! - m)
    avail.set(b, avail.get(b)! - m)
  }
  return credit
}

/**
 * Spec section 6: |quantity| * rate * S over short options. Positions are
 * netted across chains first, so a long and a short of one option on two
 * chains cancel here as they do in the risk arrays.
 */
function shortOptionMinimum(
  { market, params }: MarginInputs,
  netted: readonly NettedPosition[],
): number {
  let total = 0
  for (const p of netted) {
    if (p.instrument.kind !== 'option' || p.quantity >= 0) continue
    const u = p.instrument.underlying
    total +=
      -p.quantity * params.underlyings.get(u)!.shortOptionMinimum * market.underlyings.get(u)!.price
  }
  return total
}

/** XM-1 for one account: exactly the figures of spec section 7. */
export function computeMargin(inputs: MarginInputs): MarginFigures {
  const netted = netPositions(inputs.portfolio.positions)
  const equity = accountEquity(inputs, netted)
  const weights = scenarioWeights(inputs.params)
  const risks = new Map<string, UnderlyingRisk>()
  const arrays = riskArraysByUnderlying(inputs, netted)
  for (const u of [...arrays.keys()].sort()) risks.set(u, scanUnderlying(arrays.get(u)!, weights))

  const credit = spreadCredit(inputs.params, risks)
  let totalScan = 0
  for (const r of risks.values()) totalScan += r.scanRisk
  const scanRisk = totalScan - credit
  const som = shortOptionMinimum(inputs, netted)
  const maintenanceMargin = Math.max(scanRisk, som)
  const initialMargin = maintenanceMargin * inputs.params.initialMarginFactor
  const figures: MarginFigures = {
    equity,
    underlyings: Object.fromEntries(risks),
    spreadCredit: credit,
    scanRisk,
    shortOptionMinimum: som,
    maintenanceMargin,
    initialMargin,
    marginRatio: maintenanceMargin === 0 ? null : equity / maintenanceMargin,
    status: marginStatus(equity, maintenanceMargin, initialMargin),
  }
  assertFinite(figures)
  return figures
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
