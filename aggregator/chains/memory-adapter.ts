/**
 * The ChainAdapter of a MemoryChain: the same final-range rules as the EVM
 * adapter over a scripted chain, so the accounts' tests can script
 * deposits, payouts and reorgs without a node, and the conformance suite
 * has a second implementation to hold the interface to.
 */
import type { Address } from 'viem'
import { type FinalRangeOptions, finalRange } from '../chain/final-range.ts'
import { XmarginError } from '../errors.ts'
import type { ChainAdapter, PollResult } from './chain-adapter.ts'
import type { MemoryChain } from './memory-chain.ts'
import { checkRangeOptions } from './options.ts'

export class MemoryChainAdapter implements ChainAdapter {
  readonly chain: string
  readonly confirmations: number
  #closed = false

  constructor(
    readonly memory: MemoryChain,
    private readonly options: FinalRangeOptions,
  ) {
    checkRangeOptions(options)
    this.chain = memory.name
    this.confirmations = options.confirmations
  }

  async poll(from: bigint): Promise<PollResult> {
    this.#open()
    const head = this.memory.head
    const range = finalRange(from, head, this.options)
    if (!range) return { events: [], next: from, head }
    return { events: this.memory.events(range.from, range.to), next: range.to + 1n, head }
  }

  async vaultBalance(account: Address, token: Address): Promise<bigint> {
    this.#open()
    return this.memory.balanceOf(account, token)
  }

  async close(): Promise<void> {
    this.#closed = true
  }

  #open(): void {
    if (this.#closed)
      throw new XmarginError(`${this.chain}: the adapter is closed`, { code: 'closed' })
  }
}
