/**
 * A source of prices: per underlying, the latest price with its confidence
 * and publish time, and the flat vol XM-1 values options with. Two
 * implementations share one conformance suite (price-feed.conformance.ts):
 * Pyth Hermes (hermes-feed.ts) and the deterministic local feed
 * (local-feed.ts), the default of `npm start`.
 *
 * A feed only reports; judging a price stale or too uncertain is the price
 * service's (quality.ts), so both feeds are judged by one rule.
 */

export interface PriceUpdate {
  readonly underlying: string
  /** USD per unit, > 0. */
  readonly price: number
  /** USD, >= 0: the feed's half-width of its confidence interval. */
  readonly confidence: number
  /**
   * Unix seconds at which the source published this price: whole for Pyth,
   * fractional for the local feed (see local-feed.ts on ties).
   */
  readonly publishTime: number
  /** Annualised implied vol, > 0. */
  readonly vol: number
}

export type PriceListener = (update: PriceUpdate) => void

export interface PriceFeed {
  /** The underlyings this feed prices. */
  readonly underlyings: readonly string[]
  /** The newest update delivered for `underlying`; undefined before one, or if it is not priced here. */
  latest(underlying: string): PriceUpdate | undefined
  /**
   * Every update newer than the last one delivered for its underlying, in
   * publish-time order per underlying (older or equal ones are dropped).
   * Returns the unsubscribe.
   */
  subscribe(listener: PriceListener): () => void
  /** Perp funding rate per funding interval for `underlying` (fraction of notional; + longs pay). */
  fundingRate(underlying: string): number
  /**
   * Begin publishing. Resolves once the source's current prices are in
   * where it has them; rejects only on a failure retrying cannot mend
   * (Hermes refusing the access token).
   */
  start(): Promise<void>
  /** Stop publishing; release every connection and timer; deliver nothing after. Idempotent. */
  stop(): Promise<void>
}
