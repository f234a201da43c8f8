/**
 * The EIP-712 messages of trading, in the same domain as every signed request
 * (aggregator/auth/typed-data.ts: the hub's chain id and MarginHub).
 *
 * - `Order` is signed by the account (or a key it delegated with the trade
 *   scope). It names the one venue that may fill it, so a venue cannot pass
 *   it to another; its nonce identifies it, and all fills of it together
 *   never exceed its size.
 * - `Execution` is signed by the venue's allow-listed key: one fill of one
 *   order (named by the order's EIP-712 hash), idempotent by `fillId`.
 *
 * Units are the circuit's (spec section 8): sizes in 1e-8 of the underlying,
 * prices and fees in 1e-6 USD. Every figure is a whole number, so what is
 * signed is exactly what is booked.
 */
import type { Address, Hex } from 'viem'

export const SIZE_SCALE = 100_000_000n
export const PRICE_SCALE = 1_000_000n

export const ORDER_TYPES = {
  Order: [
    { name: 'account', type: 'address' },
    { name: 'venue', type: 'address' },
    { name: 'instrument', type: 'string' },
    { name: 'side', type: 'string' },
    { name: 'size', type: 'uint256' },
    { name: 'limitPrice', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
  ],
} as const

export const EXECUTION_TYPES = {
  Execution: [
    { name: 'venue', type: 'address' },
    { name: 'orderHash', type: 'bytes32' },
    { name: 'fillId', type: 'string' },
    { name: 'price', type: 'uint256' },
    { name: 'size', type: 'uint256' },
    { name: 'fee', type: 'uint256' },
    { name: 'executedAt', type: 'uint64' },
  ],
} as const

export type Side = 'buy' | 'sell'

export interface OrderMessage {
  readonly account: Address
  /** The venue's signing address: only it may fill this order. */
  readonly venue: Address
  /** A canonical instrument id (aggregator/risk/instrument-id.ts). */
  readonly instrument: string
  readonly side: Side
  /** 1e-8 units of the underlying, > 0. */
  readonly size: bigint
  /** 1e-6 USD per unit, > 0: a buy fills at or below it, a sell at or above. */
  readonly limitPrice: bigint
  readonly nonce: bigint
  /** Unix seconds; no fill executed after it is accepted. */
  readonly expiry: bigint
}

export interface ExecutionMessage {
  readonly venue: Address
  /** hashTypedData of the order this fills. */
  readonly orderHash: Hex
  /** The venue's id for this fill, unique per venue: a resubmission gets the first answer. */
  readonly fillId: string
  /** 1e-6 USD per unit. */
  readonly price: bigint
  /** 1e-8 units, > 0, at most what is left of the order. */
  readonly size: bigint
  /** 1e-6 USD the account pays the venue. */
  readonly fee: bigint
  /** Unix seconds. */
  readonly executedAt: bigint
}

export interface SignedOrder {
  readonly message: OrderMessage
  /** The account, or a key it delegated with the trade scope. */
  readonly signer: Address
  readonly signature: Hex
}

export interface SignedExecution {
  readonly message: ExecutionMessage
  readonly signature: Hex
}

/** What a venue submits to POST /v1/fills. */
export interface FillSubmission {
  readonly order: SignedOrder
  readonly execution: SignedExecution
}
