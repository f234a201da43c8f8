/**
 * Where the accounts get the market that values collateral and margins
 * accounts: the XM-1 market and params documents, and which underlyings are
 * not priced well now. The service runs on the margin book's live market;
 * `fixedMarket` (the devnet's assets at the spec's example figures) serves
 * tests of the accounts alone.
 */
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
        assets: {
          USDC: { price: 1, haircut: 0 },
          WETH: { underlying: 'ETH', haircut: 0.05 },
          WBTC: { underlying: 'BTC', haircut: 0.05 },
        },
      },
      params: {
        underlyings: {
          BTC: { priceScanRange: 0.12, volScanRange: 0.3, shortOptionMinimum: 0.005 },
          ETH: { priceScanRange: 0.15, volScanRange: 0.3, shortOptionMinimum: 0.005 },
        },
        extremeMove: 2,
        extremeCoverFraction: 0.35,
        lookaheadDays: 1,
        initialMarginFactor: 1.25,
        spreadCredits: [{ legs: ['BTC', 'ETH'], rate: 0.5 }],
      },
    }),
  }
}
