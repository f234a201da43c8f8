/** fast-check generators of valid XM-1 portfolios on the market of handDocuments(). */
import fc from 'fast-check'
import { DAY, T0 } from './documents.ts'

export const CHAIN = fc.constantFrom('ethereum', 'arbitrum', 'base', 'optimism', 'solana-bridge')
const UNDERLYING = fc.constantFrom('X', 'Y')
// Fixed-precision amounts, as on chain: no subnormal dust that only float rounding sees.
const fixed = (min: number, max: number, decimals: number) =>
  fc
    .integer({ min: Math.round(min * 10 ** decimals), max: Math.round(max * 10 ** decimals) })
    .map((n) => n / 10 ** decimals)
const quantity = fixed(-50, 50, 6)
const expiry = fc.integer({ min: 1, max: 400 }).map((d) => T0 + d * DAY)

export const INSTRUMENT = fc.oneof(
  fc.record({ kind: fc.constant('perp'), underlying: UNDERLYING }),
  fc.record({ kind: fc.constant('future'), underlying: UNDERLYING, expiry }),
  fc.record({
    kind: fc.constant('option'),
    underlying: UNDERLYING,
    type: fc.constantFrom('call', 'put'),
    // A few fixed strikes so that the same option shows up on several chains.
    strike: fc.constantFrom(40, 50, 60, 90, 100, 110, 150),
    expiry: fc.constantFrom(T0 + DAY, T0 + 30 * DAY, T0 + 200 * DAY),
  }),
)

export const POSITION = fc
  .record({ chain: CHAIN, instrument: INSTRUMENT, quantity, entryPrice: fixed(1, 200, 4) })
  .map(({ entryPrice, ...p }) => (p.instrument.kind === 'option' ? p : { ...p, entryPrice }))

export const HOLDING = fc.record({
  chain: CHAIN,
  asset: fc.constantFrom('USDC', 'WX'),
  amount: fixed(0, 5000, 6),
})

export const PORTFOLIO = fc.record({
  cash: fixed(-5000, 20000, 2),
  collateral: fc.array(HOLDING, { maxLength: 4 }),
  positions: fc.array(POSITION, { maxLength: 10 }),
})

export const SPREAD_CREDITS = fc.array(
  fc.record({
    legs: fc.constantFrom(['X', 'Y'], ['Y', 'X']),
    rate: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  { maxLength: 3 },
)

export type PortfolioDoc = ReturnType<typeof PORTFOLIO.generate>['value']
