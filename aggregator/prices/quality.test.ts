/** The quality rule at its boundaries: each limit is inclusive, uncertain wins over stale. */
import { describe, expect, it } from 'vitest'
import { assessPrice, type PriceStatus } from './quality.ts'

const LIMITS = { maxAgeSeconds: 60, maxConfidenceRatio: 0.02 }
const NOW = 1_000_000

describe('assessPrice', () => {
  const cases: readonly [string, number, number, number, PriceStatus][] = [
    // what, price, confidence, publishTime, status
    ['fresh and narrow', 100, 1, NOW, 'ok'],
    ['exactly maxAgeSeconds old', 100, 1, NOW - 60, 'ok'],
    ['just past maxAgeSeconds', 100, 1, NOW - 60.001, 'stale'],
    ['confidence exactly at the ratio', 100, 2, NOW, 'ok'],
    ['confidence just past the ratio', 100, 2.0001, NOW, 'uncertain'],
    ['zero confidence', 100, 0, NOW, 'ok'],
    ['stale and uncertain: uncertain', 100, 50, NOW - 3600, 'uncertain'],
    ['published ahead of our clock', 100, 1, NOW + 30, 'ok'],
    ['a price of zero', 0, 0, NOW, 'uncertain'],
    ['a negative price', -5, 0.01, NOW, 'uncertain'],
    ['a confidence that is not a number', 100, Number.NaN, NOW, 'uncertain'],
    ['a publish time that is not a number', 100, 1, Number.NaN, 'stale'],
  ]
  it.each(cases)('%s', (_, price, confidence, publishTime, status) => {
    expect(assessPrice({ price, confidence, publishTime }, LIMITS, NOW).status).toBe(status)
  })

  it('reports the age (never negative) and the ratio', () => {
    expect(
      assessPrice({ price: 200, confidence: 1, publishTime: NOW - 12.5 }, LIMITS, NOW),
    ).toEqual({
      status: 'ok',
      ageSeconds: 12.5,
      confidenceRatio: 0.005,
    })
    expect(
      assessPrice({ price: 200, confidence: 1, publishTime: NOW + 5 }, LIMITS, NOW).ageSeconds,
    ).toBe(0)
  })

  it('no price is missing', () => {
    expect(assessPrice(undefined, LIMITS, NOW).status).toBe('missing')
  })
})
