/**
 * The account log's events: everything that ever changed an account, in the
 * order it happened. Each has a natural key, unique in the log, so recording
 * the same fact twice (a chain range read again after a crash, a retried
 * request) records it once. Amounts are base units of the token (bigint, as
 * decimal strings in the store).
 */
import type { Address, Hex } from 'viem'

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

export type EventKind = AccountEvent['kind']

/** The fact an event records, unique across the log. */
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
  }
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
