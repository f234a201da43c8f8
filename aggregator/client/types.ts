/**
 * What the service sends, as the client hands it over: the account view and
 * withdrawals exactly as the API returns them (token amounts are base units
 * as decimal strings, money is USD numbers), the signing block of
 * GET /v1/status, and the stream's messages.
 */
import type { Address } from 'viem'
import type { AccountView, CollateralLine, WithdrawalView } from '../accounts/account-view.ts'
import type { AccountEvent } from '../accounts/events.ts'

export type { AccountEvent, AccountView, CollateralLine, WithdrawalView }

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

/** GET /v1/status. `signing` is absent where the service runs no accounts (`xmargin serve`). */
export interface ServiceStatus {
  readonly circuit: { readonly state: string }
  readonly signing?: SigningInfo
}

/** One message of the account's stream: first a snapshot, then each event; `seq` resumes after it. */
export type StreamMessage =
  | { readonly type: 'snapshot'; readonly seq: bigint; readonly view: AccountView }
  | { readonly type: 'event'; readonly seq: bigint; readonly event: AccountEvent }
