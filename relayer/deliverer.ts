/**
 * One chain's deliverer: a single wallet whose transactions go out one at a
 * time (serialized nonces), each after the VAA passed checkVaa and a
 * simulation. A revert with AlreadyConsumed means someone delivered it:
 * that counts as delivered. Failures back off exponentially with jitter up
 * to a maximum number of attempts, then the delivery is parked as failed;
 * the queue is ordered by due time, so a failing message never blocks the
 * ones behind it. A transaction without a receipt in time is replaced at the
 * same nonce with a higher fee.
 */
import {
  type Account,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem'
import type { Logger } from '../aggregator/log.ts'
import { MarginHub, MarginVault, SolvencyRegistry } from '../build/contracts/artifacts.ts'
import { type VaaSource, VaaSourceError } from './sources/vaa-source.ts'
import type { Delivery, RelayStore } from './store/relay-store.ts'
import type { RelayChain, Topology } from './topology.ts'
import { checkVaa, VaaRejected } from './verify.ts'

export interface DeliveryOptions {
  readonly maxAttempts: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Never spend more gas than this on one delivery. */
  readonly gasCap: bigint
  /** Wait this long for a receipt before replacing the transaction with a higher fee. */
  readonly receiptTimeoutMs: number
  /** Replacements before giving the attempt up. */
  readonly maxReplacements: number
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  maxAttempts: 8,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  gasCap: 2_000_000n,
  receiptTimeoutMs: 15_000,
  maxReplacements: 3,
}

const ABIS = {
  ingestCollateralUpdate: MarginHub.abi,
  receiveEpochRoot: SolvencyRegistry.abi,
  execute: MarginVault.abi,
} as const

/** Backoff before attempt `attempt + 1`: base * 2^(attempt-1), capped, with +-50% jitter. */
export function backoffMs(
  attempt: number,
  o: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random = Math.random,
): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return exp * (0.5 + random())
}

function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
  return reverted instanceof ContractFunctionRevertedError
    ? (reverted.data?.errorName ?? reverted.reason)
    : undefined
}

export interface DelivererEvents {
  onDelivered?(d: Delivery, ms: number): void
  onRetry?(d: Delivery, error: string): void
  onFailed?(d: Delivery, error: string): void
}

export class ChainDeliverer {
  constructor(
    readonly chain: RelayChain,
    private readonly client: PublicClient<Transport, Chain>,
    private readonly wallet: WalletClient<Transport, Chain, Account>,
    private readonly store: RelayStore,
    private readonly source: VaaSource,
    private readonly topology: Topology,
    private readonly options: DeliveryOptions,
    private readonly logger: Logger,
    private readonly events: DelivererEvents = {},
  ) {}

  /** Deliver what is due, one transaction at a time. Returns how many were handled. */
  async runOnce(limit = 50): Promise<number> {
    const due = await this.store.due(this.chain.wormholeChainId, limit)
    for (const d of due) await this.deliver(d)
    return due.length
  }

  async deliver(d: Delivery): Promise<void> {
    const attempt = d.attempts + 1
    const started = performance.now()
    try {
      const vaa = await this.source.fetchVaa({
        emitterChain: d.emitterChain,
        emitterAddress: d.emitterAddress,
        sequence: d.sequence,
        txHash: d.txHashObserved,
      })
      if (vaa === null) {
        // Not signed yet: ask again soon; this is not the delivery's fault, so it costs no attempt.
        await this.store.failedAttempt(
          d.id,
          d.attempts,
          'VAA not available yet',
          this.options.baseDelayMs,
          false,
        )
        return
      }
      await checkVaa(vaa, d, this.topology, { core: this.chain.core, client: this.client })
      const txHash = await this.submit(d, vaa)
      await this.store.delivered(
        d.id,
        attempt,
        txHash === null ? 'already_consumed' : 'delivered',
        txHash,
      )
      this.events.onDelivered?.(d, performance.now() - started)
      this.logger.info(
        {
          delivery: d.id,
          chain: this.chain.name,
          kind: d.kind,
          sequence: String(d.sequence),
          tx: txHash,
          attempt,
        },
        txHash ? 'delivered' : 'already consumed',
      )
    } catch (err) {
      const message = err instanceof Error ? err.message.split('\n')[0]! : String(err)
      const final = err instanceof VaaRejected || attempt >= this.options.maxAttempts
      const delay =
        err instanceof VaaSourceError && err.retryAfterMs !== null
          ? err.retryAfterMs
          : backoffMs(attempt, this.options)
      await this.store.failedAttempt(d.id, attempt, message, delay, final)
      if (final) this.events.onFailed?.(d, message)
      else this.events.onRetry?.(d, message)
      this.logger.warn(
        { delivery: d.id, chain: this.chain.name, kind: d.kind, attempt, final, error: message },
        final ? 'parked as failed' : 'will retry',
      )
    }
  }

  /** Simulate, then send; null when the target had already consumed it. */
  private async submit(d: Delivery, vaa: Hex): Promise<Hex | null> {
    const call = {
      address: d.targetContract,
      abi: ABIS[d.method],
      functionName: d.method,
      args: [vaa],
    } as const
    try {
      await this.client.simulateContract({ ...call, account: this.wallet.account } as never)
    } catch (err) {
      if (revertName(err) === 'AlreadyConsumed') return null
      throw err
    }
    const data = encodeFunctionData({
      abi: ABIS[d.method],
      functionName: d.method,
      args: [vaa],
    } as never)
    const gas = await this.client.estimateGas({
      account: this.wallet.account,
      to: d.targetContract,
      data,
    })
    if (gas > this.options.gasCap)
      throw new VaaRejected(`needs ${gas} gas, over the cap of ${this.options.gasCap}`)
    return this.sendWithReplacement(d, data, (gas * 12n) / 10n)
  }

  private async sendWithReplacement(d: Delivery, data: Hex, gas: bigint): Promise<Hex> {
    const nonce = await this.client.getTransactionCount({
      address: this.wallet.account.address,
      blockTag: 'pending',
    })
    const fees = await this.client.estimateFeesPerGas()
    let maxFeePerGas = fees.maxFeePerGas
    let maxPriorityFeePerGas = fees.maxPriorityFeePerGas
    for (let replacement = 0; ; replacement++) {
      const hash = await this.wallet.sendTransaction({
        to: d.targetContract,
        data,
        gas,
        nonce,
        maxFeePerGas,
        maxPriorityFeePerGas,
        chain: this.wallet.chain,
      })
      try {
        const receipt = await this.client.waitForTransactionReceipt({
          hash,
          timeout: this.options.receiptTimeoutMs,
          pollingInterval: 50,
        })
        if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
        return hash
      } catch (err) {
        if (
          !(err instanceof BaseError && err.name === 'WaitForTransactionReceiptTimeoutError') ||
          replacement >= this.options.maxReplacements
        )
          throw err
        // Stuck: same nonce, at least 12.5% more on both fees (what nodes require to replace).
        maxFeePerGas = (maxFeePerGas * 5n) / 4n + 1n
        maxPriorityFeePerGas = (maxPriorityFeePerGas * 5n) / 4n + 1n
        this.logger.warn(
          {
            delivery: d.id,
            chain: this.chain.name,
            hash,
            nonce,
            maxFeePerGas: String(maxFeePerGas),
          },
          'replacing a stuck transaction',
        )
      }
    }
  }
}
