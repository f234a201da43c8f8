/**
 * The prices a fresh `xmargin up` runs on: ETH and BTC at the spec's
 * example prices and vols, on the deterministic local feed (seed 1, a step
 * a second), judged stale after 60 s and uncertain past a 2% confidence,
 * no funding. Pyth's ETH/USD and BTC/USD feed ids are filled in, so
 * switching to Hermes is a change of `feed` alone.
 */
import type { FeedSelection, PriceConfig } from './config.ts'

export type { PriceConfig } from './config.ts'

export const PYTH_ETH_USD = '0xff61491a931112ddf1bd8147cd1b641375f79f5825126d665480874634fd0ace'
export const PYTH_BTC_USD = '0xe62df6c8b4a85fe1a67db44dc12de5db330f7ac66b72dc658afedf0f4a415b43'

/** Pyth's public Hermes (rate limited: 30 requests per 10 s per IP). */
export const DEFAULT_HERMES_ENDPOINT = 'https://hermes.pyth.network'

export const DEFAULT_LOCAL_FEED: FeedSelection = { kind: 'local', seed: 1, tickMs: 1000 }

const QUALITY = { maxAgeSeconds: 60, maxConfidenceRatio: 0.02, fundingRate: 0 } as const

export const DEFAULT_PRICE_CONFIG: PriceConfig = {
  underlyings: {
    ETH: { ...QUALITY, vol: 0.7, pythId: PYTH_ETH_USD, localStart: 3000 },
    BTC: { ...QUALITY, vol: 0.55, pythId: PYTH_BTC_USD, localStart: 90_000 },
  },
  fundingIntervalSeconds: 3600,
  feed: DEFAULT_LOCAL_FEED,
}
