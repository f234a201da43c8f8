/**
 * Where the accounts get the market that values collateral and margins
 * accounts: the XM-1 market and params documents. Until the price feed
 * (issue 14) drives it, the service runs on a fixed market for the devnet's
 * assets (USDC, WETH on ETH, WBTC on BTC), the spec's example figures.
 */
export interface MarketSource {
  /** The XM-1 market snapshot and risk parameters as JSON documents (spec section 2). */
  current(): { readonly market: unknown; readonly params: unknown }
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
