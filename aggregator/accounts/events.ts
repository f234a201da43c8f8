/**
 * The account log's events: everything that ever changed an account, in the
 * order it happened. Each has a natural key, unique in the log, so recording
 * the same fact twice (a chain range read again after a crash, a retried
 * request) records it once. Amounts are base units of the token (bigint, as
 * decimal strings in the store).
 *
 * Trading events carry both the fact and what it booked (the position after
 * it, the cash it moved), so the log is the audit trail on its own and a
 * replay needs no pricing: a fill keeps the order's and the venue's
 * signatures, the trader's evidence that every position was signed (trust
 * model, operator trusted for positions).
 */
import type { Address, Hex } from 'viem'

/** USD figures of an account's margin at one moment (spec section 6). */
export interface MarginMoment {
  readonly equity: number
  readonly maintenanceMargin: number
  readonly initialMargin: number
  readonly status: 'healthy' | 'restricted' | 'liquidatable' | 'bankrupt'
}

/** A position after an event: quantity in 1e-8 units (signed), basis in USD (0 for options). */
export interface BookedPosition {
  readonly quantity: bigint
  readonly basis: number
}

interface ChainFact {
  readonly chain: string
  readonly txHash: Hex
  readonly logIndex: number
  readonly blockNumber: bigint
  readonly blockTime: number
}

export type AccountEvent =
  | {
      readonly kind: 'credit'
      readonly account: Address
      readonly fact: ChainFact
      readonly token: Address
      readonly amount: bigint
      readonly sequence: bigint
    }
  | {
      readonly kind: 'payout'
      readonly account: Address
      readonly fact: ChainFact
      readonly payoutId: bigint
      readonly token: Address
      readonly amount: bigint
      readonly liquidation: boolean
    }
  | {
      readonly kind: 'payout_refused'
      readonly account: Address
      readonly fact: ChainFact
      readonly payoutId: bigint
      readonly token: Address
      readonly amount: bigint
      readonly reason: 'expired' | 'insufficient_balance'
    }
  | {
      readonly kind: 'withdrawal_requested'
      readonly account: Address
      readonly withdrawal: string
      readonly chain: string
      readonly token: Address
      readonly amount: bigint
      /** Unix seconds. */
      readonly at: number
    }
  | {
      readonly kind: 'withdrawal_approved'
      readonly account: Address
      readonly withdrawal: string
      readonly payoutId: bigint
      /** Unix seconds after which the vault refuses to pay. */
      readonly expiry: number
      readonly hubTx: Hex
    }
  | {
      readonly kind: 'withdrawal_rejected'
      readonly account: Address
      readonly withdrawal: string
      readonly reason: string
    }
  | {
      readonly kind: 'key_delegated'
      readonly account: Address
      readonly key: Address
      readonly read: boolean
      readonly trade: boolean
      readonly withdraw: boolean
      readonly keyExpiry: bigint
      /** The Delegate request's nonce: a key may be re-delegated (new scopes), never after revocation. */
      readonly nonce: bigint
    }
  | { readonly kind: 'key_revoked'; readonly account: Address; readonly key: Address }
  | {
      readonly kind: 'fill'
      readonly account: Address
      /** The venue's name and its allow-listed signing address. */
      readonly venue: string
      readonly venueAddress: Address
      /** The position's chain label: the venue's chain. */
      readonly chain: string
      readonly fillId: string
      readonly instrument: string
      readonly side: 'buy' | 'sell'
      /** 1e-8 units. */
      readonly size: bigint
      /** 1e-6 USD per unit. */
      readonly price: bigint
      /** 1e-6 USD. */
      readonly fee: bigint
      readonly executedAt: number
      readonly order: {
        readonly nonce: bigint
        readonly hash: Hex
        readonly size: bigint
        readonly limitPrice: bigint
        readonly expiry: bigint
        readonly signer: Address
        readonly signature: Hex
      }
      /** The Execution's EIP-712 digest: a resubmission must be this very execution. */
      readonly executionHash: Hex
      readonly executionSignature: Hex
      /** What it booked: the position after it (null when closed) and the cash it moved (USD). */
      readonly position: BookedPosition | null
      readonly cashDelta: number
      readonly realisedPnl: number
      /** The margin the pre-trade check found after it: a resubmission is answered with these. */
      readonly after: MarginMoment
    }
  | {
      readonly kind: 'fill_refused'
      readonly account: Address
      readonly venue: string
      readonly venueAddress: Address
      readonly fillId: string
      readonly instrument: string
      readonly orderHash: Hex
      readonly executionHash: Hex
      readonly code: string
      readonly message: string
      readonly field: string
      readonly figures: Readonly<Record<string, number>> | null
    }
  | {
      readonly kind: 'funding'
      readonly account: Address
      readonly chain: string
      readonly instrument: string
      /** Funding interval number: floor(time / interval). */
      readonly interval: number
      readonly rate: number
      readonly mark: number
      readonly quantity: bigint
      /** USD the account received (negative: paid). */
      readonly amount: number
    }
  | {
      readonly kind: 'settlement'
      readonly account: Address
      readonly chain: string
      readonly instrument: string
      readonly price: number
      readonly quantity: bigint
      /** USD the account received (negative: paid); the position is gone after it. */
      readonly amount: number
      readonly at: number
    }
  | {
      readonly kind: 'status_changed'
      readonly account: Address
      /** Unique per change (the tick or event that caused it). */
      readonly id: string
      readonly from: MarginMoment['status']
      readonly to: MarginMoment['status']
      readonly figures: MarginMoment
      readonly cause: 'price' | 'time' | 'account'
      readonly at: number
    }

export type EventKind = AccountEvent['kind']

/** The fact an event records, unique across the log. */
/**
 * The events that change what an account holds (collateral, cash, positions),
 * and so its margin and its state-tree leaf; the others (statuses, refusals,
 * delegations, approvals) change neither.
 */
export const CHANGES_HOLDINGS: ReadonlySet<AccountEvent['kind']> = new Set([
  'credit',
  'payout',
  'payout_refused',
  'withdrawal_requested',
  'withdrawal_rejected',
  'fill',
  'funding',
  'settlement',
])

export function naturalKey(e: AccountEvent): string {
  switch (e.kind) {
    case 'credit':
    case 'payout':
    case 'payout_refused':
      return `${e.kind}:${e.fact.chain}:${e.fact.txHash.toLowerCase()}:${e.fact.logIndex}`
    case 'withdrawal_requested':
    case 'withdrawal_approved':
    case 'withdrawal_rejected':
      return `${e.kind}:${e.withdrawal}`
    case 'key_delegated':
      return `${e.kind}:${e.account.toLowerCase()}:${e.nonce}`
    case 'key_revoked':
      return `${e.kind}:${e.account.toLowerCase()}:${e.key.toLowerCase()}`
    // A fill id answers once, accepted or refused: both kinds share one key.
    case 'fill':
    case 'fill_refused':
      return fillKey(e.venueAddress, e.fillId)
    case 'funding':
      return `${e.kind}:${e.account.toLowerCase()}:${e.chain}:${e.instrument}:${e.interval}`
    case 'settlement':
      return `${e.kind}:${e.account.toLowerCase()}:${e.chain}:${e.instrument}`
    case 'status_changed':
      return `${e.kind}:${e.account.toLowerCase()}:${e.id}`
  }
}

export function fillKey(venueAddress: Address, fillId: string): string {
  return `fill:${venueAddress.toLowerCase()}:${fillId}`
}

/** An event as the log holds it: its place in the log and when it was recorded. */
export interface Recorded {
  readonly seq: bigint
  readonly event: AccountEvent
}

/** JSON for the store: a bigint is `{ "$bigint": "123" }`, so no string is ever mistaken for one. */
export function encodeEvent(e: AccountEvent): string {
  return JSON.stringify(e, (_, v) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v))
}

export function decodeEvent(json: unknown): AccountEvent {
  return revive(json) as AccountEvent
}

function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive)
  if (typeof v !== 'object' || v === null) return v
  const o = v as Record<string, unknown>
  if (typeof o['$bigint'] === 'string' && Object.keys(o).length === 1) return BigInt(o['$bigint'])
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x)]))
}
