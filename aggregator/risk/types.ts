/**
 * XM-1 inputs after validation, and the figures the engines produce.
 * Keyed collections are Maps so that a user-chosen name (even `__proto__`)
 * can never reach an object prototype.
 */

export interface UnderlyingQuote {
  readonly price: number
  readonly vol: number
}

/** A collateral asset: a fixed USD price (stablecoins) or the price of an underlying. */
export type AssetQuote =
  | { readonly kind: 'fixed'; readonly price: number; readonly haircut: number }
  | { readonly kind: 'underlying'; readonly underlying: string; readonly haircut: number }

export interface Market {
  readonly timestamp: number
  readonly underlyings: ReadonlyMap<string, UnderlyingQuote>
  readonly assets: ReadonlyMap<string, AssetQuote>
}

export interface UnderlyingParams {
  readonly priceScanRange: number
  readonly volScanRange: number
  readonly shortOptionMinimum: number
}

export interface SpreadCredit {
  readonly legs: readonly [string, string]
  readonly rate: number
}

export interface RiskParams {
  readonly underlyings: ReadonlyMap<string, UnderlyingParams>
  readonly extremeMove: number
  readonly extremeCoverFraction: number
  readonly lookaheadDays: number
  readonly initialMarginFactor: number
  readonly spreadCredits: readonly SpreadCredit[]
}

export type OptionType = 'call' | 'put'

export type Instrument =
  | { readonly kind: 'perp'; readonly underlying: string }
  | { readonly kind: 'future'; readonly underlying: string; readonly expiry: number }
  | {
      readonly kind: 'option'
      readonly underlying: string
      readonly type: OptionType
      readonly strike: number
      readonly expiry: number
    }

export type LinearInstrument = Exclude<Instrument, { kind: 'option' }>
export type OptionInstrument = Extract<Instrument, { kind: 'option' }>

export type Position =
  | {
      readonly chain: string
      readonly instrument: LinearInstrument
      readonly quantity: number
      readonly entryPrice: number
    }
  | { readonly chain: string; readonly instrument: OptionInstrument; readonly quantity: number }

export interface CollateralHolding {
  readonly chain: string
  readonly asset: string
  readonly amount: number
}

export interface Portfolio {
  readonly cash: number
  readonly collateral: readonly CollateralHolding[]
  readonly positions: readonly Position[]
}

/** The three documents of spec section 2, validated together. */
export interface MarginInputs {
  readonly market: Market
  readonly params: RiskParams
  readonly portfolio: Portfolio
}

export type Status = 'healthy' | 'restricted' | 'liquidatable' | 'bankrupt'
export type Direction = -1 | 0 | 1

export interface UnderlyingRisk {
  /** L(u): the largest weighted scenario loss, floored at 0. */
  readonly scanRisk: number
  /** 1-based scenario k attaining L(u); null when L(u) = 0. */
  readonly scenario: number | null
  readonly direction: Direction
}

/** Exactly the object of spec section 7. */
export interface MarginFigures {
  readonly equity: number
  readonly underlyings: Readonly<Record<string, UnderlyingRisk>>
  readonly spreadCredit: number
  readonly scanRisk: number
  readonly shortOptionMinimum: number
  readonly maintenanceMargin: number
  readonly initialMargin: number
  readonly marginRatio: number | null
  readonly status: Status
}

export interface Withdrawable {
  readonly chain: string
  readonly asset: string
  /** Largest amount of this holding that can leave with equity >= IM after it. */
  readonly amount: number
  /** `amount` is rounded down to a multiple of this: 1e-6, or coarser where float64 cannot hold 1e-6. */
  readonly resolution: number
}

/** What `xmargin margin --json` and `POST /v1/margin` return. */
export interface MarginReport extends MarginFigures {
  /** Per underlying: the nearest price where equity crosses maintenance margin; null if none in (0, 10 x price). */
  readonly liquidationPrices: Readonly<Record<string, number | null>>
  /** One entry per collateral holding, in portfolio order. */
  readonly withdrawable: readonly Withdrawable[]
}
