import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normalCdf } from './normal.ts'

/** N(x) by composite Simpson integration of the density from -40: an independent check. */
function simpsonCdf(x: number, intervals = 200_000): number {
  const a = -40
  const h = (x - a) / intervals
  const density = (t: number) => Math.exp((-t * t) / 2) / Math.sqrt(2 * Math.PI)
  let sum = density(a) + density(x)
  for (let i = 1; i < intervals; i++) sum += (i % 2 === 1 ? 4 : 2) * density(a + i * h)
  return (sum * h) / 3
}

describe('normalCdf', () => {
  // Published values of the standard normal CDF, to 16 significant digits.
  it.each([
    [0, 0.5],
    [1, 0.8413447460685429],
    [-1, 0.15865525393145707],
    [2, 0.9772498680518208],
    [-2.5, 0.006209665325776132],
    [3, 0.9986501019683699],
    [-5, 2.866515718791939e-7],
    [-8, 6.22096057427178e-16],
  ])('N(%d) = %d to 1e-15', (x, expected) => {
    expect(Math.abs(normalCdf(x) - expected)).toBeLessThanOrEqual(1e-15)
  })

  it('meets the spec: within 1e-12 of numerical integration on [-9, 9]', () => {
    fc.assert(
      fc.property(fc.double({ min: -9, max: 9, noNaN: true }), (x) => {
        expect(Math.abs(normalCdf(x) - simpsonCdf(x))).toBeLessThanOrEqual(1e-12)
      }),
      { numRuns: 60 },
    )
  })

  it('is symmetric, monotone and bounded', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -40, max: 40, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (x, dx) => {
          expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThanOrEqual(1e-15)
          expect(normalCdf(x + dx)).toBeGreaterThanOrEqual(normalCdf(x))
          expect(normalCdf(x)).toBeGreaterThanOrEqual(0)
          expect(normalCdf(x)).toBeLessThanOrEqual(1)
        },
      ),
    )
  })

  it('handles the ends of the line', () => {
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1)
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0)
    expect(normalCdf(Number.NaN)).toBeNaN()
  })
})
