/**
 * The prices' Prometheus samples: per underlying the last good price, its
 * age and confidence ratio, and its status (one gauge per status, 1 for the
 * current one, so a dashboard can alert on any); for a feed with a
 * connection (Hermes), whether it is up and how often it came back.
 */
import type { MetricSample } from '../../relayer/metrics.ts'
import type { HermesFeedState } from './hermes-feed.ts'
import { PRICE_STATUSES, type PriceStatus } from './quality.ts'

export interface UnderlyingMetrics {
  readonly underlying: string
  readonly status: PriceStatus
  /** Absent while there is no good price. */
  readonly price?: {
    readonly usd: number
    readonly ageSeconds: number
    readonly confidenceRatio: number
  }
}

export function priceMetrics(
  underlyings: readonly UnderlyingMetrics[],
  connection: HermesFeedState | undefined,
): MetricSample[] {
  const priced = underlyings.flatMap((u) =>
    u.price ? [{ underlying: u.underlying, ...u.price }] : [],
  )
  const gauge = (
    name: string,
    help: string,
    value: (p: (typeof priced)[number]) => number,
  ): MetricSample => ({
    name,
    help,
    type: 'gauge',
    values: priced.map((p) => ({ labels: { underlying: p.underlying }, value: value(p) })),
  })
  return [
    gauge('xmargin_price_usd', 'Last good price, USD per unit', (p) => p.usd),
    gauge(
      'xmargin_price_age_seconds',
      'Seconds since the last good price was published',
      (p) => p.ageSeconds,
    ),
    gauge(
      'xmargin_price_confidence_ratio',
      "The last good price's confidence over its price",
      (p) => p.confidenceRatio,
    ),
    {
      name: 'xmargin_price_status',
      help: 'Price status per underlying: 1 for the current status, 0 for the others',
      type: 'gauge',
      values: underlyings.flatMap((u) =>
        PRICE_STATUSES.map((status) => ({
          labels: { underlying: u.underlying, status },
          value: u.status === status ? 1 : 0,
        })),
      ),
    },
    ...(connection ? connectionMetrics(connection) : []),
  ]
}

function connectionMetrics(state: HermesFeedState): MetricSample[] {
  return [
    {
      name: 'xmargin_price_feed_connected',
      help: 'Whether the price stream is open (1) or not (0)',
      type: 'gauge',
      values: [{ value: state.connected ? 1 : 0 }],
    },
    {
      name: 'xmargin_price_feed_reconnects_total',
      help: 'Price streams opened after the first',
      type: 'counter',
      values: [{ value: state.reconnects }],
    },
  ]
}
