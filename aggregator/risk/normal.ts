/**
 * The standard normal CDF N(x), accurate to about 1e-16 absolute: the spec
 * demands 1e-12, which rules out the usual 7-digit polynomial fits.
 *
 * With z = |x| / sqrt(2), N is built from erf/erfc:
 * - z < 3: erf(z) = 2/sqrt(pi) * exp(-z^2) * sum_n (2z^2)^n z / (1*3*...*(2n+1)),
 *   a series of positive terms (no cancellation) that converges for every z;
 * - z >= 3: erfc(z) = exp(-z^2)/sqrt(pi) / (z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))),
 *   the Laplace continued fraction, evaluated bottom-up at a fixed depth that
 *   converges to machine precision from z = 3 on.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126
const ONE_OVER_SQRT_PI = 0.5641895835477563
const SQRT1_2 = Math.SQRT1_2
const CF_DEPTH = 60

function erfSeries(z: number): number {
  const z2 = z * z
  let term = z
  let sum = z
  for (let n = 1; n < 200; n++) {
    term *= (2 * z2) / (2 * n + 1)
    sum += term
    if (term < sum * 1e-17) break
  }
  return TWO_OVER_SQRT_PI * Math.exp(-z2) * sum
}

function erfcContinuedFraction(z: number): number {
  let f = z
  for (let n = CF_DEPTH; n >= 1; n--) f = z + n / 2 / f
  return (ONE_OVER_SQRT_PI * Math.exp(-z * z)) / f
}

/** Standard normal cumulative distribution function. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN
  const z = Math.abs(x) * SQRT1_2
  if (z < 3) {
    const half = 0.5 * erfSeries(z)
    return x >= 0 ? 0.5 + half : 0.5 - half
  }
  const tail = 0.5 * erfcContinuedFraction(z)
  return x >= 0 ? 1 - tail : tail
}
