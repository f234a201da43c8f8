/**
 * The EIP-712 messages every signed request carries: the one definition that
 * the service verifies, the typed client signs and the client-author guide
 * (aggregator/auth/README.md) documents. Every message names the account, a
 * nonce the account never used before, and an expiry (unix seconds).
 *
 * The domain binds a signature to one deployment: the hub's chain id and the
 * MarginHub address, so a request signed for a devnet or another operator's
 * hub is worthless here.
 */
import type { Address } from 'viem'

export const DOMAIN_NAME = 'xmargin'
export const DOMAIN_VERSION = '1'

export interface XmarginDomain {
  readonly name: typeof DOMAIN_NAME
  readonly version: typeof DOMAIN_VERSION
  readonly chainId: number
  readonly verifyingContract: Address
}

export function xmarginDomain(hubChainId: number, marginHub: Address): XmarginDomain {
  return {
    name: DOMAIN_NAME,
    version: DOMAIN_VERSION,
    chainId: hubChainId,
    verifyingContract: marginHub,
  }
}

const NONCE_AND_EXPIRY = [
  { name: 'nonce', type: 'uint256' },
  { name: 'expiry', type: 'uint64' },
] as const

export const REQUEST_TYPES = {
  /** Read the account's private data (its view, its stream). */
  ReadAccount: [{ name: 'account', type: 'address' }, ...NONCE_AND_EXPIRY],
  /** Let `key` sign requests for the account, within the scopes set to true, until `keyExpiry`. */
  Delegate: [
    { name: 'account', type: 'address' },
    { name: 'key', type: 'address' },
    { name: 'read', type: 'bool' },
    { name: 'trade', type: 'bool' },
    { name: 'withdraw', type: 'bool' },
    { name: 'keyExpiry', type: 'uint64' },
    ...NONCE_AND_EXPIRY,
  ],
  /** Withdraw `key`'s authority for good: a revoked key is never accepted again. */
  Revoke: [
    { name: 'account', type: 'address' },
    { name: 'key', type: 'address' },
    ...NONCE_AND_EXPIRY,
  ],
  /** Withdraw `amount` base units of `token` from the vault on Wormhole chain `chain`. */
  Withdraw: [
    { name: 'account', type: 'address' },
    { name: 'chain', type: 'uint16' },
    { name: 'token', type: 'address' },
    { name: 'amount', type: 'uint256' },
    ...NONCE_AND_EXPIRY,
  ],
  /**
   * Prove the account solvent in the latest epoch; `chain` names the chain
   * whose SolvencyRegistry the proof is posted to ('' for none).
   */
  ProofRequest: [
    { name: 'account', type: 'address' },
    { name: 'chain', type: 'string' },
    ...NONCE_AND_EXPIRY,
  ],
} as const

export type RequestType = keyof typeof REQUEST_TYPES

interface Base {
  readonly account: Address
  readonly nonce: bigint
  readonly expiry: bigint
}

export interface RequestMessages {
  readonly ReadAccount: Base
  readonly Delegate: Base & {
    readonly key: Address
    readonly read: boolean
    readonly trade: boolean
    readonly withdraw: boolean
    readonly keyExpiry: bigint
  }
  readonly Revoke: Base & { readonly key: Address }
  readonly Withdraw: Base & {
    readonly chain: number
    readonly token: Address
    readonly amount: bigint
  }
  readonly ProofRequest: Base & { readonly chain: string }
}

/** What a request may do; a delegated key holds a subset. */
export type Scope = 'read' | 'trade' | 'withdraw'

/** The scope each request needs when a delegated key signs it; null: only the account itself may sign. */
export const REQUIRED_SCOPE: Readonly<Record<RequestType, Scope | null>> = {
  ReadAccount: 'read',
  Withdraw: 'withdraw',
  ProofRequest: 'read',
  Delegate: null,
  Revoke: null,
}

/** A signed request as it travels: which message, its fields, who signed it and the signature. */
export interface SignedRequest<T extends RequestType = RequestType> {
  readonly type: T
  readonly message: RequestMessages[T]
  /** The address that signed: the account itself, or a key it delegated. */
  readonly signer: Address
  readonly signature: `0x${string}`
}

/** The furthest ahead a request's expiry may be: nonces are kept only until their requests expire. */
export const MAX_REQUEST_LIFETIME_SECONDS = 3600
