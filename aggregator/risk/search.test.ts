/** Bounded bisection and the float64 resolution it can reach. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bisect, MAX_BISECTIONS, resolutionAt, ulp } from './search.ts'

describe('bisect', () => {
  it('ends when float64 cannot split the interval, however fine the asked width', () => {
    let calls = 0
    const found = bisect(
      (x) => {
        calls++
        return x <= 8e11 + 0.3
      },
      8e11,
      8e11 + 1,
      (a, b) => b - a <= 2.5e-7,
    )
    expect(calls).toBeLessThan(64)
    expect(found.other - found.same).toBeLessThanOrEqual(ulp(8e11))
    expect(found.same).toBeLessThanOrEqual(8e11 + 0.3)
  })

  it('never evaluates more than MAX_BISECTIONS points on any interval', () => {
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (a, b, cut) => {
          let calls = 0
          const found = bisect(
            (x) => {
              calls++
              return a < b ? x <= cut : x >= cut
            },
            a,
            b,
            () => false,
          )
          expect(calls).toBeLessThanOrEqual(MAX_BISECTIONS)
          expect(Number.isFinite(found.same)).toBe(true)
        },
      ),
    )
  })
})

describe('resolutionAt', () => {
  it.each([
    { magnitude: 1, requested: 1e-6, expected: 1e-6 },
    { magnitude: 2e9, requested: 1e-6, expected: 1e-6 },
    { magnitude: 1e10, requested: 1e-6, expected: 1e-5 },
    { magnitude: 8e11, requested: 1e-6, expected: 1e-3 },
    { magnitude: 1e12, requested: 1e-6, expected: 1e-3 },
    { magnitude: 0, requested: 1e-6, expected: 1e-6 },
    { magnitude: 5e-324, requested: 1e-6, expected: 1e-6 },
  ])('$magnitude at $requested: $expected', ({ magnitude, requested, expected }) => {
    expect(resolutionAt(magnitude, requested)).toBe(expected)
  })

  it('is always at least four ulps of the magnitude', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e15, noNaN: true }), (m) => {
        expect(resolutionAt(m, 1e-6)).toBeGreaterThanOrEqual(Math.min(1e-6, 4 * ulp(m)) - 1e-30)
        expect(resolutionAt(m, 1e-6)).toBeGreaterThanOrEqual(4 * ulp(m) - 1e-30)
      }),
    )
  })
})
