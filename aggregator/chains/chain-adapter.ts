/**
 * What the accounts need from a chain: its vault's events, final (past the
 * chain's confirmation depth), in order, from a cursor the caller persists.
 * An adapter holds no state of its own beyond caches: the accounts service
 * stores each batch's events together with the next cursor, atomically, so a
 * crash between two polls re-reads a range and credits nothing twice (every
 * event has a natural key). EVM chains implement it on viem (evm-adapter.ts);
 * a non-EVM chain would implement the same interface and pass the same
 * conformance suite.
 */
import type { Address, Hex } from 'viem'

/** Where an event was observed: its natural key is (chain, txHash, logIndex). */
export interface EventOrigin {
  /** The chain's name in the manifest ('arbitrum'). */
  readonly chain: string
  readonly blockNumber: bigint
  readonly txHash: Hex
  readonly logIndex: number
  /** Unix seconds of the block. */
  readonly blockTime: number
}

export type VaultEvent =
  | (EventOrigin & {
      readonly kind: 'deposit'
      readonly account: Address
      readonly token: Address
      /** Base units of the token. */
      readonly amount: bigint
      /** The account's vault balance of the token after the deposit. */
      readonly balance: bigint
      /** The Wormhole sequence of the collateral update the vault published. */
      readonly sequence: bigint
    })
  | (EventOrigin & {
      readonly kind: 'payout'
      /** The hub's payout id (withdrawal approval or seizure). */
      readonly id: bigint
      readonly account: Address
      readonly token: Address
      readonly amount: bigint
      readonly recipient: Address
      readonly liquidation: boolean
      readonly sequence: bigint
    })
  | (EventOrigin & {
      readonly kind: 'payout_refused'
      readonly id: bigint
      readonly account: Address
      readonly token: Address
      readonly amount: bigint
      /** Why the vault consumed the payout without paying. */
      readonly reason: 'expired' | 'insufficient_balance'
      readonly sequence: bigint
    })

export interface PollResult {
  /** Final events in [from, next), in chain order. */
  readonly events: readonly VaultEvent[]
  /** The first block not yet read: the cursor to persist with these events. */
  readonly next: bigint
  /** The head seen, for lag. */
  readonly head: bigint
}

export interface ChainAdapter {
  readonly chain: string
  readonly confirmations: number
  /** Read final vault events from block `from` onward (at most one range per call). */
  poll(from: bigint): Promise<PollResult>
  /** The vault's view of an account's balance of a token now (for the account view; not final). */
  vaultBalance(account: Address, token: Address): Promise<bigint>
  close(): Promise<void>
}
