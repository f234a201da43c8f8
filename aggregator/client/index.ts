/**
 * The typed client of the xmargin service, for the CLI, the dashboard, the
 * tests and anyone writing their own: read the account, withdraw, follow a
 * withdrawal to where it ends, delegate and revoke keys, follow the account
 * live, read the markets, trade through a venue, ask for solvency proofs
 * and follow them (requestProof, waitForProof), and (the operator) move a
 * local price. Every request that needs it is signed with EIP-712
 * (aggregator/auth/README.md) by any viem LocalAccount or a WalletClient
 * with an account (a JSON-RPC wallet), over the domain the service states
 * in GET /v1/status.
 *
 *   const client = createXmarginClient({ api, account: privateKeyToAccount(key) })
 *   const view = await client.account()
 *   const w = await client.withdraw({ chain: 'arbitrum', token: 'USDC', amount: '2500.5' })
 *   const final = await client.waitForWithdrawal(w.id)
 *   const { fill, margin } = await client.placeOrder({
 *     venue: 'arbitrum', instrument: 'ETH-PERP', side: 'buy', size: '2',
 *   })
 *
 * Refusals are ApiError (the service's status, code, field, `allowed` on
 * exceeds_withdrawable, `figures` on a fill's margin refusal); a service
 * that does not answer is ApiUnreachableError. Actions live one per file in
 * actions/.
 */

import { type Address, getAddress } from 'viem'
import type { MarketTableDocument } from '../epochs/market.ts'
import { getAccount } from './actions/account.ts'
import { type DelegateParameters, delegate } from './actions/delegate.ts'
import {
  type EpochOpeningView,
  type EpochSummaryView,
  epochMarket,
  epochOpening,
  listEpochs,
} from './actions/epochs.ts'
import { getMarkets } from './actions/markets.ts'
import {
  type PlaceOrderOptions,
  type PlaceOrderParameters,
  placeOrder,
} from './actions/place-order.ts'
import {
  getProof,
  type ProofJob,
  type RequestProofParameters,
  requestProof,
  type WaitForProofOptions,
  waitForProof,
} from './actions/proofs.ts'
import { type RevokeParameters, revoke } from './actions/revoke.ts'
import { type SetPriceOptions, type SetPriceParameters, setPrice } from './actions/set-price.ts'
import { getStatus } from './actions/status.ts'
import { type StreamHandle, type StreamOptions, stream } from './actions/stream.ts'
import { type WaitOptions, waitForWithdrawal } from './actions/wait-for-withdrawal.ts'
import { type WithdrawParameters, withdraw } from './actions/withdraw.ts'
import { type ClientContext, signingOf } from './context.ts'
import { type Signer, toSigner, type XmarginSigner } from './signer.ts'
import type {
  AccountView,
  FillResult,
  MarketsView,
  PriceChange,
  ServiceStatus,
  SigningInfo,
  StreamMessage,
  WithdrawalView,
} from './types.ts'

export {
  ORDER_LIFETIME_SECONDS,
  orderWire,
  type ParsedOrder,
  parseOrder,
  resolveVenue,
  SLIPPAGE_CAP_BPS,
} from './actions/place-order.ts'
/** The operator's price route with no trading key: `setPrice({ api, fetch }, params, { token })`. */
export { setPrice } from './actions/set-price.ts'
export { type ResolvedWithdrawal, resolveWithdrawal } from './actions/withdraw.ts'
export { decimalParts, formatAmount, parseAmount } from './amount.ts'
export { signingOf } from './context.ts'
export { ApiError, ApiUnreachableError, WaitTimeoutError } from './errors.ts'
export type { Http } from './http.ts'
export { resolveChain, resolveToken } from './resolve.ts'
export { REQUEST_LIFETIME_SECONDS } from './sign.ts'
export type * from './types.ts'
export { FINAL_STATUSES } from './types.ts'
export type {
  DelegateParameters,
  PlaceOrderOptions,
  PlaceOrderParameters,
  ProofJob,
  RequestProofParameters,
  RevokeParameters,
  SetPriceOptions,
  SetPriceParameters,
  Signer,
  StreamHandle,
  StreamOptions,
  WaitForProofOptions,
  WaitOptions,
  WithdrawParameters,
  XmarginSigner,
}

export interface XmarginClientOptions {
  /** The service's base URL, e.g. http://127.0.0.1:8080. */
  readonly api: string
  /** Who signs: a LocalAccount, or a WalletClient with an account (a JSON-RPC wallet). */
  readonly account: XmarginSigner
  /** The account the requests act for; default the signer's own. Set it when a delegated key signs. */
  readonly address?: Address
  /** Default globalThis.fetch; a test passes its app's `request`. */
  readonly fetch?: typeof fetch
}

export interface XmarginClient {
  readonly api: string
  /** The account requests act for. */
  readonly address: Address
  /** The address that signs them. */
  readonly signer: Address
  status(): Promise<ServiceStatus>
  /** The EIP-712 domain and the chains' tokens, from /v1/status (fetched once). */
  signing(): Promise<SigningInfo>
  account(): Promise<AccountView>
  withdraw(params: WithdrawParameters): Promise<WithdrawalView>
  /** Resolves with the withdrawal once paid, failed, expired or rejected. */
  waitForWithdrawal(id: string, options?: WaitOptions): Promise<WithdrawalView>
  delegate(params: DelegateParameters): Promise<void>
  revoke(params: RevokeParameters): Promise<void>
  /** GET /v1/markets: prices, instruments with marks, assets, parameters (public). */
  markets(): Promise<MarketsView>
  /**
   * A signed Order through the venue named in /v1/status; resolves with the
   * fill and the margin after it, or throws the refusal as an ApiError.
   */
  placeOrder(params: PlaceOrderParameters, options?: PlaceOrderOptions): Promise<FillResult>
  /** POST /v1/proofs: queue a solvency proof of the account in the latest epoch. */
  requestProof(params?: RequestProofParameters): Promise<ProofJob>
  /** GET /v1/proofs/{id} (public). */
  proof(id: string): Promise<ProofJob>
  /** Polls the job until it is done or failed. */
  waitForProof(id: string, options?: WaitForProofOptions): Promise<ProofJob>
  /** Every committed epoch, oldest first (public). */
  epochs(): Promise<EpochSummaryView[]>
  /** An epoch's published market table (public). */
  epochMarket(n: number): Promise<MarketTableDocument>
  /** The account's leaf in epoch n, opened with its path (signed); undefined: none there. */
  epochOpening(n: number): Promise<EpochOpeningView | undefined>
  /** POST /v1/admin/prices with the operator token (the local feed only). */
  setPrice(params: SetPriceParameters, options: SetPriceOptions): Promise<PriceChange>
  stream(
    onMessage: (message: StreamMessage) => void | Promise<void>,
    options?: Omit<StreamOptions, 'signal'>,
  ): StreamHandle
}

export function createXmarginClient(options: XmarginClientOptions): XmarginClient {
  const api = options.api.replace(/\/+$/, '')
  const signer = toSigner(options.account)
  const http = { api, fetch: options.fetch ?? globalThis.fetch.bind(globalThis) }
  let signing: Promise<SigningInfo> | undefined
  const status = async () => {
    const s = await getStatus(http)
    if (s.signing) signing = Promise.resolve(signingOf(s, api))
    return s
  }
  const ctx: ClientContext = {
    ...http,
    signer,
    address: getAddress(options.address ?? signer.address),
    signing: () => {
      // A failed lookup is not kept: the next call asks again.
      signing ??= getStatus(http).then((s) => signingOf(s, api))
      signing.catch(() => {
        signing = undefined
      })
      return signing
    },
  }
  return {
    api,
    address: ctx.address,
    signer: signer.address,
    status,
    signing: ctx.signing,
    account: () => getAccount(ctx),
    withdraw: (params) => withdraw(ctx, params),
    waitForWithdrawal: (id, o) => waitForWithdrawal(ctx, id, o),
    delegate: (params) => delegate(ctx, params),
    revoke: (params) => revoke(ctx, params),
    markets: () => getMarkets(http),
    placeOrder: (params, o) => placeOrder(ctx, params, o),
    requestProof: (params) => requestProof(ctx, params),
    proof: (id) => getProof(http, id),
    waitForProof: (id, o) => waitForProof(http, id, o),
    epochs: () => listEpochs(http),
    epochMarket: (n) => epochMarket(http, n),
    epochOpening: (n) => epochOpening(ctx, n),
    setPrice: (params, o) => setPrice(http, params, o),
    stream: (onMessage, o) => stream(ctx, onMessage, o),
  }
}
