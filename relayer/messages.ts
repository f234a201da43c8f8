/**
 * Wormhole messages as the core contract logs them (LogMessagePublished),
 * read from receipts or logs into the shape the guardian signs.
 */
import {
  type Address,
  type Chain,
  type Hex,
  type Log,
  type PublicClient,
  pad,
  parseEventLogs,
  type TransactionReceipt,
  type Transport,
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

/**
 * The unix time of each block these logs are in: from the logs themselves
 * where the node reports blockTimestamp (anvil and recent clients do), else
 * read from the block, once per block.
 */
export async function blockTimes(
  logs: readonly Log[],
  client: PublicClient<Transport, Chain>,
): Promise<Map<bigint, number>> {
  const times = new Map<bigint, number>()
  const missing = new Set<bigint>()
  for (const log of logs) {
    const n = log.blockNumber!
    if (log.blockTimestamp != null) times.set(n, Number(log.blockTimestamp))
    else missing.add(n)
  }
  await Promise.all(
    [...missing]
      .filter((n) => !times.has(n))
      .map(async (n) => {
        times.set(n, Number((await client.getBlock({ blockNumber: n })).timestamp))
      }),
  )
  return times
}
