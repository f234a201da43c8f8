/**
 * Request bodies that cost the engine a known amount of work: many options
 * and many holdings of a tracking asset, so that liquidation prices and
 * withdrawals each take hundreds of full re-margins.
 */
import { DAY, handDocuments, T0 } from './documents.ts'

export function heavyBody(options: number, holdings: number): string {
  const positions = Array.from({ length: options }, (_, i) => ({
    chain: `chain-${i % 3}`,
    instrument: {
      kind: 'option',
      underlying: i % 2 ? 'X' : 'Y',
      type: i % 4 < 2 ? 'call' : 'put',
      strike: 40 + i,
      expiry: T0 + (7 + (i % 30)) * DAY,
    },
    quantity: i % 3 === 0 ? -1 : 1,
  }))
  const collateral = Array.from({ length: holdings }, (_, i) => ({
    chain: `chain-${i % 3}`,
    asset: 'WX',
    amount: 100 + i,
  }))
  return JSON.stringify(handDocuments({ cash: 5000, positions, collateral }))
}

/** The request that once hung the API: 1e12 WETH against a short ETH perp of 1e12. */
export function hugeHedgeBody(): string {
  return JSON.stringify(
    handDocuments({
      cash: 0,
      collateral: [{ chain: 'base', asset: 'WX', amount: 1e12 }],
      positions: [
        {
          chain: 'base',
          instrument: { kind: 'perp', underlying: 'X' },
          quantity: -1e12,
          entryPrice: 100,
        },
      ],
    }),
  )
}
