/**
 * The one quality rule every feed is judged by: a price is stale when its
 * publish time is more than maxAgeSeconds old, uncertain when its
 * confidence is more than maxConfidenceRatio of the price, missing when
 * there is none. Both limits are inclusive: a price exactly at a limit is
 * ok.
 */

export interface QualityLimits {
  readonly maxAgeSeconds: number
  /** confidence / price. */
  readonly maxConfidenceRatio: number
}

export type PriceStatus = 'ok' | 'stale' | 'uncertain' | 'missing'

export const PRICE_STATUSES: readonly PriceStatus[] = ['ok', 'stale', 'uncertain', 'missing']

export interface PriceQuality {
  readonly status: PriceStatus
  /** Seconds since publication, >= 0: a publish time ahead of our clock (skew) counts as age 0. */
  readonly ageSeconds: number
  readonly confidenceRatio: number
}

/** What the price is good for. Uncertain wins over stale: waiting never makes a wide price narrow. */
export function assessPrice(
  update:
    | { readonly price: number; readonly confidence: number; readonly publishTime: number }
    | undefined,
  limits: QualityLimits,
  now: number,
): PriceQuality {
  if (update === undefined) {
    return {
      status: 'missing',
      ageSeconds: Number.POSITIVE_INFINITY,
      confidenceRatio: Number.POSITIVE_INFINITY,
    }
  }
  const ageSeconds = Math.max(0, now - update.publishTime)
  const confidenceRatio = ratio(update.price, update.confidence)
  const status: PriceStatus = !(confidenceRatio <= limits.maxConfidenceRatio)
    ? 'uncertain'
    : !(ageSeconds <= limits.maxAgeSeconds)
      ? 'stale'
      : 'ok'
  return { status, ageSeconds, confidenceRatio }
}

/** A price that is not a positive finite number has no usable ratio: infinitely uncertain. */
function ratio(price: number, confidence: number): number {
  if (!(price > 0) || !Number.isFinite(price) || !(confidence >= 0)) return Number.POSITIVE_INFINITY
  return confidence / price
}
