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
 * Only the moved underlying is re-priced at each step. Both walks are
 * bounded (about 90 grid points, then at most search.ts's bisections).
 */
import { netPositions } from './netting.ts'
import { combineExposures, underlyingExposure, underlyingsHeld, withPrice } from './reference.ts'
import { bisect } from './search.ts'
import type { MarginInputs } from './types.ts'

const NEAR_STEP = 0.02
const WIDENING = 1.1
/** The search interval is (0, 10 x price); we stop looking below this fraction of the price. */
const LOWEST_FRACTION = 1e-6
const UPPER_MULTIPLE = 10
/** Liquidation prices are stated to this relative precision (float64 holds it at any price). */
const RELATIVE_PRECISION = 1e-12

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
      return refine(covered, start, spot * Math.exp(sign * x), spot * Math.exp(sign * next))
    }
    x = next
  }
  return null
}

/** Refine a change of side to 1e-12 relative, or to the float64 limit where that is coarser. */
function refine(covered: Side, start: boolean, same: number, other: number): number {
  const found = bisect(
    (price) => covered(price) === start,
    same,
    other,
    (a, b) => Math.abs(b - a) <= RELATIVE_PRECISION * Math.abs(a),
  )
  return found.same + (found.other - found.same) / 2
}
