/**
 * The ChainAdapter of an EVM chain, on viem: the MarginVault's events by
 * getLogs over final block ranges (aggregator/chain/final-range.ts, as the
 * relayer's watcher reads), with block times from the logs where the node
 * reports them. Holds no cursor: the caller passes it and persists `next`.
 */
import {
  type AbiEvent,
  type Address,
  type Chain,
  createPublicClient,
  defineChain,
  http,
  type PublicClient,
  type Transport,
} from 'viem'
import { MarginVault } from '../../build/contracts/artifacts.ts'
import { blockTimes } from '../chain/block-times.ts'
import { type FinalRangeOptions, finalRange } from '../chain/final-range.ts'
import type { ChainManifest } from '../devnet/manifest.ts'
import { XmarginError } from '../errors.ts'
import type { ChainAdapter, PollResult } from './chain-adapter.ts'
import { checkRangeOptions } from './options.ts'
import { vaultEventAbi, vaultEventsFromLogs } from './vault-events.ts'

export type AdapterOptions = FinalRangeOptions

/** A public client on the manifest chain; no retries of its own, the caller's next poll is the retry. */
export function vaultClient(chain: ChainManifest): PublicClient<Transport, Chain> {
  return createPublicClient({
    chain: defineChain({
      id: chain.evmChainId,
      name: chain.name,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [chain.rpcUrl] } },
    }),
    transport: http(chain.rpcUrl, { retryCount: 0 }),
  })
}

export class EvmChainAdapter implements ChainAdapter {
  readonly chain: string
  readonly confirmations: number
  readonly #events: readonly AbiEvent[]
  /** Checked once: logs from another chain's node would be credited to this one. */
  #chainChecked: Promise<void> | undefined

  constructor(
    private readonly manifest: ChainManifest,
    private readonly options: AdapterOptions,
    private readonly client: PublicClient<Transport, Chain> = vaultClient(manifest),
  ) {
    checkRangeOptions(options)
    this.chain = manifest.name
    this.confirmations = options.confirmations
    this.#events = vaultEventAbi()
  }

  async poll(from: bigint): Promise<PollResult> {
    await this.#checkChain()
    // never a cached head: a stale one only delays, but reorg safety is reasoned on a fresh one
    const head = await this.client.getBlockNumber({ cacheTime: 0 })
    const range = finalRange(from, head, this.options)
    if (!range) return { events: [], next: from, head }
    const logs = await this.client.getLogs({
      address: this.manifest.contracts.vault,
      events: this.#events,
      fromBlock: range.from,
      toBlock: range.to,
    })
    const times = await blockTimes(logs, this.client)
    return { events: vaultEventsFromLogs(logs, this.chain, times), next: range.to + 1n, head }
  }

  vaultBalance(account: Address, token: Address): Promise<bigint> {
    return this.client.readContract({
      address: this.manifest.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'balanceOf',
      args: [account, token],
    })
  }

  /** Nothing to release: the HTTP transport keeps no connection of its own. */
  async close(): Promise<void> {}

  #checkChain(): Promise<void> {
    this.#chainChecked ??= this.client.getChainId().then((id) => {
      if (id !== this.manifest.evmChainId) {
        throw new XmarginError(
          `${this.chain}: the RPC serves chain ${id}, not ${this.manifest.evmChainId}`,
          {
            code: 'wrong_chain',
            details: this.manifest.rpcUrl,
          },
        )
      }
    })
    // a failed check (node down) is made again on the next poll
    this.#chainChecked.catch(() => {
      this.#chainChecked = undefined
    })
    return this.#chainChecked
  }
}
