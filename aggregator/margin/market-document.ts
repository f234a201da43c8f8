/**
 * The live market as the spec's JSON documents (section 2.1 and 2.2): what
 * the account view's report, withdrawals and GET /v1/markets read, built from
 * the same Market the engine holds so every figure of one answer comes from
 * one snapshot.
 */
import type { Market, RiskParams } from '../risk/types.ts'

export interface MarketDocument {
  readonly timestamp: number
  readonly underlyings: Record<string, { price: number; vol: number }>
  readonly assets: Record<string, { price?: number; underlying?: string; haircut: number }>
}

export function marketDocument(market: Market): MarketDocument {
  const underlyings: MarketDocument['underlyings'] = {}
  for (const [name, q] of market.underlyings)
    Object.defineProperty(underlyings, name, {
      value: { price: q.price, vol: q.vol },
      enumerable: true,
    })
  const assets: MarketDocument['assets'] = {}
  for (const [name, a] of market.assets)
    Object.defineProperty(assets, name, {
      value:
        a.kind === 'fixed'
          ? { price: a.price, haircut: a.haircut }
          : { underlying: a.underlying, haircut: a.haircut },
      enumerable: true,
    })
  return { timestamp: market.timestamp, underlyings, assets }
}

export function paramsDocument(params: RiskParams): unknown {
  return {
    underlyings: Object.fromEntries(params.underlyings),
    extremeMove: params.extremeMove,
    extremeCoverFraction: params.extremeCoverFraction,
    lookaheadDays: params.lookaheadDays,
    initialMarginFactor: params.initialMarginFactor,
    spreadCredits: params.spreadCredits.map((c) => ({ legs: [...c.legs], rate: c.rate })),
  }
}
