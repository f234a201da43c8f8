/**
 * One chain's watcher: reads LogMessagePublished from the core by getLogs
 * over block ranges, starting at the persisted cursor and stopping at
 * head - confirmations, so a reorg shallower than that depth can never hand
 * it a message that is later orphaned. Each range is recorded atomically
 * with the cursor move.
 */
import type { AbiEvent, Chain, Log, PublicClient, Transport } from 'viem'
import { type FinalRangeOptions, finalRange } from '../aggregator/chain/final-range.ts'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'
import { blockTimes, messagesFromLogs } from './messages.ts'
import type { RelayStore } from './store/relay-store.ts'
import { emittersOn, type RelayChain, route, type Topology } from './topology.ts'

const LOG_MESSAGE_PUBLISHED = WormholeImplementation.abi.find(
  (x) => x.type === 'event' && x.name === 'LogMessagePublished',
) as AbiEvent

const QUIET_PERSIST_MS = 1000

export type WatcherOptions = FinalRangeOptions

export class ChainWatcher {
  #head = 0n
  /** The cursor, read from the store once: this watcher is the only one that moves it. */
  #next: bigint | undefined
  #persistedAt = 0

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

  /** The first block not yet read (undefined before the first poll). */
  get next(): bigint | undefined {
    return this.#next
  }

  /** Read one range past the cursor; returns how many new messages it recorded. */
  async poll(): Promise<number> {
    // No cached head: a stale one would only delay, but a fresh one keeps reorg handling exact.
    this.#head = await this.client.getBlockNumber({ cacheTime: 0 })
    this.#next ??= (await this.store.cursor(this.chain.wormholeChainId)) ?? 0n
    const range = finalRange(this.#next, this.#head, this.options)
    if (!range) return 0
    const { from, to } = range
    const logs: Log[] = await this.client.getLogs({
      address: this.chain.core,
      event: LOG_MESSAGE_PUBLISHED,
      fromBlock: from,
      toBlock: to,
    })
    const watched = new Set(emittersOn(this.topology, this.chain).map((a) => a.toLowerCase()))
    const blocks = [...new Set(logs.map((l) => l.blockNumber!))]
    const times = await blockTimes(logs, this.client)
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
    // A range without messages moves the stored cursor at most once a second: after a
    // crash those blocks are only read again, and nothing in them is recorded.
    if (observed.length === 0 && Date.now() - this.#persistedAt < QUIET_PERSIST_MS) {
      this.#next = to + 1n
      return 0
    }
    const added = await this.store.observe(this.chain.wormholeChainId, to + 1n, observed)
    this.#next = to + 1n
    this.#persistedAt = Date.now()
    return added
  }
}
