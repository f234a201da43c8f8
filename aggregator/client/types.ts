/**
 * What the service sends, as the client hands it over: the account view and
 * withdrawals exactly as the API returns them (token amounts are base units
 * as decimal strings, money is USD numbers), the signing block and venues of
 * GET /v1/status, the stream's messages, the markets, a venue's quote, a
 * fill with the margin after it, and an operator's price change.
 */
import type { Address } from 'viem'
import type { AccountView, CollateralLine, WithdrawalView } from '../accounts/account-view.ts'
import type { AccountEvent } from '../accounts/events.ts'
import type { Side } from '../orders/typed-data.ts'
import type { Status as MarginStatus, SpreadCredit } from '../risk/types.ts'

export type { AccountEvent, AccountView, CollateralLine, MarginStatus, Side, WithdrawalView }

export type WithdrawalStatus = WithdrawalView['status']

/** Where a withdrawal ends: anything else may still change. */
export const FINAL_STATUSES: ReadonlySet<WithdrawalStatus> = new Set([
  'paid',
  'failed',
  'expired',
  'rejected',
])

export interface TokenInfo {
  readonly symbol: string
  readonly address: Address
  readonly decimals: number
}

export interface ChainInfo {
  readonly name: string
  readonly wormholeChainId: number
  readonly tokens: readonly TokenInfo[]
}

export interface SigningDomain {
  readonly name: string
  readonly version: string
  readonly chainId: number
  readonly verifyingContract: Address
}

/** What a client needs to build signed requests: the EIP-712 domain and the chains' tokens. */
export interface SigningInfo {
  readonly domain: SigningDomain
  readonly chains: readonly ChainInfo[]
}

/** A venue the service accepts fills from: orders name its signing address. */
export interface VenueInfo {
  readonly name: string
  /** The spoke chain it is named after. */
  readonly chain: string
  /** Its allow-listed signing key's address: an Order names it as `venue`. */
  readonly address: Address
  /** Its HTTP API (GET {url}/quotes, POST {url}/orders), when the service knows it. */
  readonly url: string | null
}

/** GET /v1/status. `signing` is absent where the service runs no accounts (`xmargin serve`). */
export interface ServiceStatus {
  readonly circuit: { readonly state: string }
  readonly signing?: SigningInfo
  /** The allow-listed venues, in the service's order (the first spoke's first). */
  readonly venues?: readonly VenueInfo[]
}

/** How far a price can be trusted now, as the price service judges it. */
export type PriceStatus = 'ok' | 'stale' | 'uncertain' | 'missing'

export interface UnderlyingMarket {
  readonly underlying: string
  /** USD per unit. */
  readonly price: number
  /** Annualised implied vol. */
  readonly vol: number
  /** USD, the feed's half-width of its confidence interval. */
  readonly confidence: number
  /** Unix seconds. */
  readonly publishTime: number
  readonly status: PriceStatus
  readonly ageSeconds: number
  /** Per funding interval, a fraction of notional (+: longs pay). */
  readonly fundingRate: number
  readonly params: {
    readonly priceScanRange: number
    readonly volScanRange: number
    readonly shortOptionMinimum: number
  }
}

export interface InstrumentMarket {
  /** The canonical id (aggregator/risk/instrument-id.ts) orders are signed over. */
  readonly id: string
  readonly kind: 'perp' | 'future' | 'option'
  readonly underlying: string
  /** Unix seconds; futures and options. */
  readonly expiry?: number
  readonly type?: 'call' | 'put'
  /** USD; options. */
  readonly strike?: number
  /** USD per unit. */
  readonly mark: number
}

export interface AssetMarket {
  readonly asset: string
  /** USD per token. */
  readonly price?: number
  readonly underlying?: string
  readonly haircut: number
}

/** GET /v1/markets: what the service prices with, public. */
export interface MarketsView {
  /** Unix seconds. */
  readonly timestamp: number
  readonly underlyings: readonly UnderlyingMarket[]
  readonly instruments: readonly InstrumentMarket[]
  readonly assets: readonly AssetMarket[]
  readonly params: {
    readonly extremeMove: number
    readonly extremeCoverFraction: number
    readonly lookaheadDays: number
    readonly initialMarginFactor: number
    readonly spreadCredits: readonly SpreadCredit[]
  }
}

/** GET {venue}/quotes?instrument=ID: USD per unit; bid and ask are whole 1e-6 USD. */
export interface Quote {
  readonly instrument: string
  readonly mark: number
  readonly bid: number
  readonly ask: number
}

/**
 * One fill as the service booked it. Size is 1e-8 units, price and fee 1e-6
 * USD, all decimal strings (the signed Order and Execution's units).
 */
export interface FillView {
  readonly fillId: string
  /** The venue's name. */
  readonly venue: string
  readonly chain: string
  readonly account: Address
  readonly instrument: string
  readonly side: Side
  readonly size: string
  readonly price: string
  readonly fee: string
  /** Unix seconds. */
  readonly executedAt: number
  /** Its place in the account's event log. */
  readonly seq: string
}

/** The account's XM-1 figures after a fill, USD. */
export interface MarginSummary {
  readonly equity: number
  readonly initialMargin: number
  readonly maintenanceMargin: number
  readonly status: MarginStatus
}

/** POST /v1/fills (relayed by the venue): the fill and the account's margin after it. */
export interface FillResult {
  readonly fill: FillView
  readonly margin: MarginSummary
}

/**
 * What a refusal of a fill shows, on ApiError.figures: for a margin refusal
 * these four (USD); the service may state others by name.
 */
export interface RefusalFigures {
  readonly initialMarginRequired?: number
  readonly equityAfter?: number
  readonly maintenanceMarginBefore?: number
  readonly maintenanceMarginAfter?: number
  readonly [figure: string]: number | undefined
}

/** POST /v1/admin/prices: the local feed's price for an underlying, moved or set. */
export interface PriceChange {
  readonly underlying: string
  /** USD per unit, now. */
  readonly price: number
  /** USD per unit, before. */
  readonly previous: number
  /** Unix seconds. */
  readonly publishTime: number
}

/** One message of the account's stream: first a snapshot, then each event; `seq` resumes after it. */
export type StreamMessage =
  | { readonly type: 'snapshot'; readonly seq: bigint; readonly view: AccountView }
  | { readonly type: 'event'; readonly seq: bigint; readonly event: AccountEvent }
