/**
 * Where the accounts get the market that values collateral and margins
 * accounts: the XM-1 market and params documents, and which underlyings are
 * not priced well now. The service runs on the margin book's live market;
 * `fixedMarket` (the devnet's assets at the spec's example figures) serves
 * tests of the accounts alone.
 */
import { DEVNET_ASSETS, DEVNET_RISK_PARAMS } from '../devnet/market.ts'

export interface MarketSource {
  /** The XM-1 market snapshot and risk parameters as JSON documents (spec section 2). */
  current(): { readonly market: unknown; readonly params: unknown }
  /** Underlyings whose price is stale, uncertain or missing now: no withdrawal leans on them. */
  doubtful?(): readonly string[]
}

export function fixedMarket(now: () => number = () => Math.floor(Date.now() / 1000)): MarketSource {
  return {
    current: () => ({
      market: {
        timestamp: now(),
        underlyings: { BTC: { price: 90_000, vol: 0.55 }, ETH: { price: 3_000, vol: 0.7 } },
        assets: DEVNET_ASSETS,
      },
      params: DEVNET_RISK_PARAMS,
    }),
  }
}
