/**
 * Bounded searches shared by the withdrawal and liquidation-price solvers.
 * Every loop here ends: after a fixed number of steps, or as soon as float64
 * can no longer split the interval (the midpoint equals an endpoint), whichever
 * comes first. A caller asking for more precision than float64 holds at that
 * magnitude gets the float64 limit, and `resolutionAt` says what that is.
 */

/** More halvings than any float64 interval can take before its midpoint rounds to an end. */
export const MAX_BISECTIONS = 1100

/**
 * Bisect a change of `side` between `same` (side true) and `other` (side false)
 * until the interval is no wider than `width(a, b)` or cannot be split further.
 * Returns the last point known to be on the `same` side and the first known off it.
 */
export function bisect(
  side: (x: number) => boolean,
  same: number,
  other: number,
  narrowEnough: (a: number, b: number) => boolean,
): { readonly same: number; readonly other: number } {
  let a = same
  let b = other
  for (let i = 0; i < MAX_BISECTIONS && !narrowEnough(a, b); i++) {
    const mid = a + (b - a) / 2
    if (mid === a || mid === b) break
    if (side(mid)) a = mid
    else b = mid
  }
  return { same: a, other: b }
}

/** The gap between `x` and the next float64 above it (for x > 0). */
export function ulp(x: number): number {
  const magnitude = Math.abs(x)
  if (magnitude < Number.MIN_VALUE * 2 ** 52) return Number.MIN_VALUE
  return 2 ** (Math.floor(Math.log2(magnitude)) - 52)
}

/**
 * The finest step in which amounts up to `magnitude` can be stated: the
 * requested one, or the smallest power of ten of at least four ulps where
 * float64 cannot keep the requested one.
 */
export function resolutionAt(magnitude: number, requested: number): number {
  const floor = 4 * ulp(magnitude)
  if (floor <= requested) return requested
  // 10 ** -5 is not the double nearest 1e-5; the literal's text is.
  return Number(`1e${Math.ceil(Math.log10(floor))}`)
}
