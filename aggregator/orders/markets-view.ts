/**
 * GET /v1/markets: what a trader or a venue needs to quote and to check a
 * margin: every listed instrument with its mark at the live prices, each
 * underlying's price with its quality and risk parameters, the collateral
 * assets, the risk parameters. Public: it holds no trader data.
 */
import type { PriceService } from '../prices/index.ts'
import type { Instrument, Market, RiskParams } from '../risk/types.ts'
import { optionValue, yearsToExpiry } from '../risk/valuation.ts'
import type { Listing } from './listing.ts'

export interface MarketsView {
  readonly timestamp: number
  readonly underlyings: readonly {
    readonly underlying: string
    readonly price: number
    readonly vol: number
    readonly confidence: number
    readonly publishTime: number
    readonly status: string
    readonly ageSeconds: number
    readonly fundingRate: number
    readonly params: { priceScanRange: number; volScanRange: number; shortOptionMinimum: number }
  }[]
  readonly instruments: readonly ({ readonly id: string; readonly mark: number } & Instrument)[]
  readonly assets: readonly {
    asset: string
    price?: number
    underlying?: string
    haircut: number
  }[]
  readonly params: {
    extremeMove: number
    extremeCoverFraction: number
    lookaheadDays: number
    initialMarginFactor: number
    spreadCredits: { legs: string[]; rate: number }[]
  }
}

export function marketsView(
  market: Market,
  params: RiskParams,
  listing: Listing,
  prices: PriceService,
): MarketsView {
  return {
    timestamp: market.timestamp,
    underlyings: [...market.underlyings].map(([underlying, q]) => {
      const p = prices.current(underlying)
      return {
        underlying,
        price: q.price,
        vol: q.vol,
        confidence: p?.confidence ?? 0,
        publishTime: p?.publishTime ?? 0,
        status: p?.status ?? 'missing',
        ageSeconds: p?.ageSeconds ?? 0,
        fundingRate: prices.fundingRate(underlying),
        params: { ...params.underlyings.get(underlying)! },
      }
    }),
    instruments: listing
      .list()
      .map(({ id, instrument }) => ({ id, ...instrument, mark: markOf(instrument, market) })),
    assets: [...market.assets].map(([asset, a]) =>
      a.kind === 'fixed'
        ? { asset, price: a.price, haircut: a.haircut }
        : { asset, underlying: a.underlying, haircut: a.haircut },
    ),
    params: {
      extremeMove: params.extremeMove,
      extremeCoverFraction: params.extremeCoverFraction,
      lookaheadDays: params.lookaheadDays,
      initialMarginFactor: params.initialMarginFactor,
      spreadCredits: params.spreadCredits.map((c) => ({ legs: [...c.legs], rate: c.rate })),
    },
  }
}

/** Spot for perps and futures (zero rates), Black-76 at the flat vol for options. */
function markOf(i: Instrument, market: Market): number {
  const q = market.underlyings.get(i.underlying)
  if (!q) return 0
  if (i.kind !== 'option') return q.price
  const tau = Math.max(0, yearsToExpiry(i.expiry, market.timestamp))
  return optionValue(i.type, q.price, i.strike, q.vol, tau)
}
