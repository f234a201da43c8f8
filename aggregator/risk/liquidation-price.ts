/**
 * Liquidation price of an underlying: the price nearest to the current one,
 * all else fixed, at which the account crosses equity = maintenance margin.
 *
 * Requirements move with the price too (scan ranges scale with S, options
 * reprice, spread-credit directions can flip), so there is no closed form.
 * We walk a grid outward from the current price to the first change of side,
 * then bisect to 1e-12 relative. The grid steps 2% in log-price near the
 * price and widens by 10% a step beyond 20% away, so that the whole interval
 * (1e-6 x, 10 x price) costs about 90 evaluations; two crossings closer
 * together than one grid step can be missed, which is the documented limit.
 * Only the moved underlying is re-priced at each step.
 */
import { netPositions } from './netting.ts'
import { combineExposures, underlyingExposure, underlyingsHeld, withPrice } from './reference.ts'
import type { MarginInputs } from './types.ts'

const NEAR_STEP = 0.02
const WIDENING = 1.1
/** The search interval is (0, 10 x price); we stop looking below this fraction of the price. */
const LOWEST_FRACTION = 1e-6
const UPPER_MULTIPLE = 10
const BISECTIONS = 64

type Side = (price: number) => boolean

/** A side function: does equity cover maintenance margin at this price of `underlying`? */
function coveredAt(inputs: MarginInputs, underlying: string): Side {
  const netted = netPositions(inputs.portfolio.positions)
  const exposures = new Map(
    underlyingsHeld(inputs, netted).map((u) => [u, underlyingExposure(inputs, netted, u)]),
  )
  return (price) => {
    const moved = { ...inputs, market: withPrice(inputs.market, underlying, price) }
    exposures.set(underlying, underlyingExposure(moved, netted, underlying))
    const f = combineExposures(moved, exposures)
    return f.equity >= f.maintenanceMargin
  }
}

export function liquidationPrice(inputs: MarginInputs, underlying: string): number | null {
  const spot = inputs.market.underlyings.get(underlying)!.price
  const covered = coveredAt(inputs, underlying)
  const start = covered(spot)
  const up = firstCrossing(covered, start, spot, Math.log(UPPER_MULTIPLE * (1 - 1e-12)), 1)
  // Below the price, only a crossing nearer than the one above can win.
  const floor = Math.max(up === null ? 0 : 2 * spot - up, spot * LOWEST_FRACTION)
  const down = floor < spot ? firstCrossing(covered, start, spot, Math.log(spot / floor), -1) : null
  return down ?? up
}

/**
 * Walk prices spot * exp(sign * x) for growing x up to `maxX` (inclusive);
 * bisect the first change of side.
 */
function firstCrossing(
  covered: Side,
  start: boolean,
  spot: number,
  maxX: number,
  sign: 1 | -1,
): number | null {
  let x = 0
  while (x < maxX) {
    const next = Math.min(maxX, x + Math.max(NEAR_STEP, x * (WIDENING - 1)))
    if (covered(spot * Math.exp(sign * next)) !== start) {
      return bisect(covered, start, spot * Math.exp(sign * x), spot * Math.exp(sign * next))
    }
    x = next
  }
  return null
}

function bisect(covered: Side, start: boolean, same: number, other: number): number {
  let a = same
  let b = other
  for (let i = 0; i < BISECTIONS && Math.abs(b - a) > 1e-12 * Math.abs(a); i++) {
    const mid = (a + b) / 2
    if (covered(mid) === start) a = mid
    else b = mid
  }
  return (a + b) / 2
}
