/**
 * One chain's watcher: reads LogMessagePublished from the core by getLogs
 * over block ranges, starting at the persisted cursor and stopping at
 * head - confirmations, so a reorg shallower than that depth can never hand
 * it a message that is later orphaned. Each range is recorded atomically
 * with the cursor move.
 */
import type { AbiEvent, Chain, Log, PublicClient, Transport } from 'viem'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'
import { messagesFromLogs } from './messages.ts'
import type { RelayStore } from './store/relay-store.ts'
import { emittersOn, type RelayChain, route, type Topology } from './topology.ts'

const LOG_MESSAGE_PUBLISHED = WormholeImplementation.abi.find(
  (x) => x.type === 'event' && x.name === 'LogMessagePublished',
) as AbiEvent

export interface WatcherOptions {
  readonly confirmations: number
  readonly maxBlockRange: number
}

export class ChainWatcher {
  #head = 0n

  constructor(
    readonly chain: RelayChain,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly store: RelayStore,
    private readonly topology: Topology,
    private readonly options: WatcherOptions,
  ) {}

  /** Latest head seen, for the block-lag metric. */
  get head(): bigint {
    return this.#head
  }

  /** Read one range past the cursor; returns how many new messages it recorded. */
  async poll(): Promise<number> {
    // No cached head: a stale one would only delay, but a fresh one keeps reorg handling exact.
    this.#head = await this.client.getBlockNumber({ cacheTime: 0 })
    const safe = this.#head - BigInt(this.options.confirmations)
    const from = (await this.store.cursor(this.chain.wormholeChainId)) ?? 0n
    if (from > safe) return 0
    const to =
      from + BigInt(this.options.maxBlockRange) - 1n < safe
        ? from + BigInt(this.options.maxBlockRange) - 1n
        : safe
    const logs: Log[] = await this.client.getLogs({
      address: this.chain.core,
      event: LOG_MESSAGE_PUBLISHED,
      fromBlock: from,
      toBlock: to,
    })
    const watched = new Set(emittersOn(this.topology, this.chain).map((a) => a.toLowerCase()))
    const blocks = [...new Set(logs.map((l) => l.blockNumber!))]
    const times = new Map(
      await Promise.all(
        blocks.map(
          async (n) =>
            [n, Number((await this.client.getBlock({ blockNumber: n })).timestamp)] as const,
        ),
      ),
    )
    const messages = blocks.flatMap((n) =>
      messagesFromLogs(
        logs.filter((l) => l.blockNumber === n),
        this.chain.core,
        this.chain.wormholeChainId,
        times.get(n)!,
      ),
    )
    const observed = messages
      .filter((m) => watched.has(m.sender.toLowerCase()))
      .map((m) => {
        const { kind, targets } = route(this.topology, m.emitterChain, m.emitterAddress, m.payload)
        return { message: { ...m, kind }, targets }
      })
    return this.store.observe(this.chain.wormholeChainId, to + 1n, observed)
  }
}
