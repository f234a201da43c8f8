/**
 * Liquidation price of an underlying: the price nearest to the current one,
 * all else fixed, at which the account crosses equity = maintenance margin.
 *
 * Requirements move with the price too (scan ranges scale with S, options
 * reprice, spread-credit directions can flip), so there is no closed form.
 * We walk a geometric grid outward from the current price (2% steps) to the
 * first change of side, then bisect to 1e-12 relative. Two crossings closer
 * together than one grid step can be missed; that is the documented limit.
 */
import { computeMargin, withPrice } from './reference.ts'
import type { MarginInputs } from './types.ts'

const GRID_FACTOR = 1.02
/** The search interval is (0, 10 x price); below this fraction of the price we stop looking. */
const LOWEST_FRACTION = 1e-6
const UPPER_MULTIPLE = 10
const BISECTIONS = 64

type Side = (price: number) => boolean

export function liquidationPrice(inputs: MarginInputs, underlying: string): number | null {
  const spot = inputs.market.underlyings.get(underlying)!.price
  const covered: Side = (price) => {
    const f = computeMargin({ ...inputs, market: withPrice(inputs.market, underlying, price) })
    return f.equity >= f.maintenanceMargin
  }
  const start = covered(spot)
  const up = firstCrossing(covered, start, spot, spot * UPPER_MULTIPLE * (1 - 1e-12), GRID_FACTOR)
  // Below the price, only a crossing nearer than the one above can win.
  const floor =
    up === null ? spot * LOWEST_FRACTION : Math.max(2 * spot - up, spot * LOWEST_FRACTION)
  const down = floor < spot ? firstCrossing(covered, start, spot, floor, 1 / GRID_FACTOR) : null
  return down ?? up
}

/** Walk from `from` toward `limit` (inclusive) by `factor`; bisect the first change of side. */
function firstCrossing(
  covered: Side,
  start: boolean,
  from: number,
  limit: number,
  factor: number,
): number | null {
  const beyond = (p: number): boolean => (factor > 1 ? p >= limit : p <= limit)
  let inside = from
  while (inside !== limit) {
    const next = beyond(inside * factor) ? limit : inside * factor
    if (covered(next) !== start) return bisect(covered, start, inside, next)
    inside = next
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
