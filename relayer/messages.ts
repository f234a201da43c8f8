/**
 * Wormhole messages as the core contract logs them (LogMessagePublished),
 * read from receipts or logs into the shape the guardian signs.
 */
import {
  type Address,
  type Hex,
  type Log,
  pad,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'
import type { ObservedMessage } from './devnet-guardian.ts'

export interface PublishedMessage extends ObservedMessage {
  readonly sender: Address
  readonly transactionHash: Hex
  readonly blockNumber: bigint
}

/**
 * Messages the core at `core` published in these logs, for the chain with
 * Wormhole id `emitterChain`; `timestamp` is the block's unix time.
 */
export function messagesFromLogs(
  logs: readonly Log[],
  core: Address,
  emitterChain: number,
  timestamp: number,
): PublishedMessage[] {
  const events = parseEventLogs({
    abi: WormholeImplementation.abi,
    eventName: 'LogMessagePublished',
    logs: [...logs],
  })
  return events
    .filter((e) => e.address.toLowerCase() === core.toLowerCase())
    .map((e) => ({
      emitterChain,
      emitterAddress: pad(e.args.sender, { size: 32 }),
      sender: e.args.sender,
      sequence: e.args.sequence,
      nonce: e.args.nonce,
      consistencyLevel: e.args.consistencyLevel,
      timestamp,
      payload: e.args.payload,
      transactionHash: e.transactionHash!,
      blockNumber: e.blockNumber!,
    }))
}

export function messagesFromReceipt(
  receipt: TransactionReceipt,
  core: Address,
  emitterChain: number,
  timestamp: number,
): PublishedMessage[] {
  return messagesFromLogs(receipt.logs, core, emitterChain, timestamp)
}

// Shared with the aggregator's chain adapters; re-exported for the relayer's callers.
export { blockTimes } from '../aggregator/chain/block-times.ts'
