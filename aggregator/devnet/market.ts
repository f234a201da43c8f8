/**
 * The devnet's market documents (spec section 2): its collateral assets
 * (USDC at a fixed price, WETH and WBTC tracking ETH and BTC, with haircuts)
 * and the risk parameters of the spec's example. The live margin book's
 * defaults and the accounts' fixed test market both read them from here.
 */
export const DEVNET_ASSETS = {
  USDC: { price: 1, haircut: 0 },
  WETH: { underlying: 'ETH', haircut: 0.05 },
  WBTC: { underlying: 'BTC', haircut: 0.05 },
} as const

export const DEVNET_RISK_PARAMS = {
  underlyings: {
    BTC: { priceScanRange: 0.12, volScanRange: 0.3, shortOptionMinimum: 0.005 },
    ETH: { priceScanRange: 0.15, volScanRange: 0.3, shortOptionMinimum: 0.005 },
  },
  extremeMove: 2,
  extremeCoverFraction: 0.35,
  lookaheadDays: 1,
  initialMarginFactor: 1.25,
  spreadCredits: [{ legs: ['BTC', 'ETH'], rate: 0.5 }],
} as const
