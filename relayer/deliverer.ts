/**
 * One chain's deliverer: a single wallet whose transactions go out one at a
 * time (serialized nonces), each after the VAA passed checkVaa and a
 * simulation. Collateral updates for the hub that are ready together go in
 * one ingestCollateralUpdates call. A call whose target publishes a message
 * itself (a vault payout) pays the target core's message fee, read fresh in
 * each pass that has such a call. A revert with AlreadyConsumed means someone delivered it:
 * that counts as delivered. Failures back off exponentially with jitter up
 * to a maximum number of attempts, then the delivery is parked as failed;
 * the queue is ordered by due time, so a failing message never blocks the
 * ones behind it. A transaction without a receipt in time is replaced at the
 * same nonce with a higher fee.
 */
import {
  type Account,
  type Address,
  type Chain,
  decodeErrorResult,
  decodeEventLog,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import { revertName } from '../aggregator/chain/clients.ts'
import type { Logger } from '../aggregator/log.ts'
import {
  MarginHub,
  MarginVault,
  SolvencyRegistry,
  WormholeImplementation,
} from '../build/contracts/artifacts.ts'
import { GuardianSets } from './guardian-sets.ts'
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

const PREPARE_CONCURRENCY = 16
/** Deliveries per pass: collateral updates among them go to the hub 16 to a transaction. */
const BATCH = 48
/** Target reverts that no retry can change: the VAA itself is wrong for this target. */
const REFUSALS = new Set([
  'InvalidVaa',
  'UnknownEmitter',
  'WrongTarget',
  'MalformedPayload',
  'UnexpectedKind',
])

/** A delivery whose VAA passed the checks, with its calldata, gas limit and the value it pays. */
interface Ready {
  readonly d: Delivery
  readonly attempt: number
  readonly vaa: Hex
  readonly data: Hex
  readonly gas: bigint
  readonly value: bigint
}

/**
 * One transaction: a single simulated delivery, or collateral updates in one
 * hub call (a batch, simulated as a whole before it is sent).
 */
interface Outgoing {
  readonly items: readonly Ready[]
  readonly to: Address
  readonly data: Hex
  readonly gas: bigint
  readonly value: bigint
  readonly batch: boolean
}

/** Collateral updates per hub transaction (ingestCollateralUpdates). */
const UPDATES_PER_TX = 16

/** The hub's custom error in revert data, by name (the raw data when it is none of them). */
function hubErrorName(data: Hex): string {
  try {
    return decodeErrorResult({ abi: MarginHub.abi, data }).errorName
  } catch {
    return data
  }
}

/**
 * Ready deliveries as transactions. Collateral updates that were not
 * simulated one by one (gas 0) go to the hub together, even a lone one, so
 * that the hub's skip events settle each of them the same way.
 */
export function outgoing(ready: readonly Ready[]): Outgoing[] {
  const out: Outgoing[] = ready
    .filter((r) => r.gas > 0n)
    .map((r) => ({
      items: [r],
      to: r.d.targetContract,
      data: r.data,
      gas: r.gas,
      value: r.value,
      batch: false,
    }))
  const updates = ready.filter((r) => r.gas === 0n)
  for (let i = 0; i < updates.length; i += UPDATES_PER_TX) {
    const items = updates.slice(i, i + UPDATES_PER_TX)
    out.push({
      items,
      to: items[0]!.d.targetContract,
      data: encodeFunctionData({
        abi: MarginHub.abi,
        functionName: 'ingestCollateralUpdates',
        args: [items.map((r) => r.vaa)],
      }),
      gas: 0n,
      // collateral updates publish nothing: the hub's ingest is not payable
      value: 0n,
      batch: true,
    })
  }
  return out
}

/** map with at most `limit` calls in flight; results in input order. */
async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

const ABIS = {
  ingestCollateralUpdate: MarginHub.abi,
  receiveEpochRoot: SolvencyRegistry.abi,
  receiveAccountIndices: SolvencyRegistry.abi,
  execute: MarginVault.abi,
} as const

/**
 * Target calls that publish a Wormhole message of their own, so they must
 * send exactly the target core's messageFee() (WrongMessageFee otherwise):
 * a vault's payout publishes the collateral update that tells the hub. The
 * hub's ingest and the registry's receiveEpochRoot publish nothing and are
 * not payable.
 */
const PUBLISHES: ReadonlySet<Delivery['method']> = new Set(['execute'])

/** Backoff before attempt `attempt + 1`: base * 2^(attempt-1), capped, with +-50% jitter. */
export function backoffMs(
  attempt: number,
  o: Pick<DeliveryOptions, 'baseDelayMs' | 'maxDelayMs'>,
  random = Math.random,
): number {
  const exp = Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return exp * (0.5 + random())
}

export interface DelivererEvents {
  /** A failed attempt that will be tried again (feeds the retries metric). */
  onRetry?(d: Delivery, error: string): void
}

export class ChainDeliverer {
  private readonly guardianSets: GuardianSets

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
  ) {
    this.guardianSets = new GuardianSets(chain.core, client)
  }

  /** Deliver what is due. Returns how many deliveries it handled. */
  async runOnce(limit = BATCH): Promise<number> {
    const due = await this.store.due(this.chain.wormholeChainId, limit)
    await this.deliverBatch(due)
    return due.length
  }

  /** Deliver one delivery now (operators' retries and tests). */
  deliver(d: Delivery): Promise<void> {
    return this.deliverBatch([d])
  }

  /**
   * Prepare every delivery concurrently (fetch and check the VAA, estimate
   * gas), then send the ready ones back to back with consecutive nonces from
   * this wallet's one nonce counter, then confirm each receipt in order.
   */
  private async deliverBatch(due: readonly Delivery[]): Promise<void> {
    // updates that will share a hub transaction are simulated together, not one by one
    const batched = due.filter((d) => d.method === 'ingestCollateralUpdate').length > 1
    const started = performance.now()
    const fee = this.messageFee(due)
    const prepared = await mapConcurrent(due, PREPARE_CONCURRENCY, (d) =>
      this.prepare(d, !(batched && d.method === 'ingestCollateralUpdate'), fee),
    )
    const ready = prepared.filter((p): p is Ready => p !== null)
    if (ready.length === 0) return
    let nonce: number
    let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint }
    try {
      ;[nonce, fees] = await Promise.all([
        this.client.getTransactionCount({
          address: this.wallet.account.address,
          blockTag: 'pending',
        }),
        this.client.estimateFeesPerGas(),
      ])
    } catch (err) {
      for (const r of ready) await this.failed(r, err)
      return
    }
    const preparedAt = performance.now()
    const sent: { tx: Outgoing; hash: Hex; nonce: number }[] = []
    for (const planned of outgoing(ready)) {
      try {
        const tx = planned.batch ? { ...planned, gas: await this.estimateBatch(planned) } : planned
        sent.push({ tx, hash: await this.send(tx, nonce, fees), nonce })
        nonce++
      } catch (err) {
        for (const r of planned.items) await this.failed(r, err)
      }
    }
    const sentAt = performance.now()
    for (const { tx, hash, nonce: n } of sent) {
      try {
        await this.settle(tx, await this.confirm(tx, hash, n, fees))
      } catch (err) {
        for (const r of tx.items) await this.failed(r, err)
      }
    }
    const ms = (from: number, to: number) => Math.round(to - from)
    this.logger.debug(
      {
        chain: this.chain.name,
        deliveries: due.length,
        ready: ready.length,
        transactions: sent.length,
        prepareMs: ms(started, preparedAt),
        sendMs: ms(preparedAt, sentAt),
        confirmMs: ms(sentAt, performance.now()),
      },
      'pass',
    )
  }

  /**
   * A mined transaction: every delivery in it is delivered, except those a
   * batch skipped: "already consumed" counts as delivered, anything else is a
   * failed attempt (tried again, alone if it is the only one then).
   */
  private async settle(tx: Outgoing, receipt: TransactionReceipt): Promise<void> {
    const skipped = new Map<number, Hex>()
    if (tx.batch) {
      for (const log of receipt.logs) {
        if (log.address.toLowerCase() !== tx.to.toLowerCase()) continue
        try {
          const e = decodeEventLog({ abi: MarginHub.abi, data: log.data, topics: log.topics })
          if (e.eventName === 'CollateralUpdateSkipped')
            skipped.set(Number(e.args.index), e.args.reason)
        } catch {
          // another event of the hub
        }
      }
    }
    const done: { r: Ready; txHash: Hex | null }[] = []
    for (const [i, r] of tx.items.entries()) {
      const reason = skipped.get(i)
      if (reason === undefined) done.push({ r, txHash: receipt.transactionHash })
      else if (hubErrorName(reason) === 'AlreadyConsumed') done.push({ r, txHash: null })
      else
        await this.failed(
          r,
          new Error(`skipped in batch ${receipt.transactionHash}: ${hubErrorName(reason)}`),
        )
    }
    await this.succeeded(done)
  }

  /**
   * A batch's gas: its simulation (a VAA in it that would revert is skipped,
   * so only a fault of the whole call fails it), with the per-delivery cap.
   */
  private async estimateBatch(tx: Outgoing): Promise<bigint> {
    const gas = await this.client.estimateGas({
      account: this.wallet.account,
      to: tx.to,
      data: tx.data,
    })
    const cap = this.options.gasCap * BigInt(tx.items.length)
    if (gas > cap) throw new Error(`the batch needs ${gas} gas, over the cap of ${cap}`)
    return (gas * 12n) / 10n
  }

  /**
   * The target core's message fee, read once per pass that has a delivery
   * needing it (none otherwise), while the VAAs are fetched: a governance
   * fee change is picked up by the next pass, and a pass of collateral
   * updates costs no extra call. Each delivery that needs it awaits it.
   */
  private messageFee(due: readonly Delivery[]): Promise<bigint> {
    if (!due.some((d) => PUBLISHES.has(d.method))) return Promise.resolve(0n)
    const fee = this.client.readContract({
      address: this.chain.core,
      abi: WormholeImplementation.abi,
      functionName: 'messageFee',
    })
    // a failed read fails the deliveries that await it; never an unhandled rejection
    fee.catch(() => {})
    return fee
  }

  /**
   * Fetch and check the VAA and (unless it goes in a batch) simulate it,
   * paying the message fee if the call publishes, to estimate gas; null when
   * the delivery was settled here.
   */
  private async prepare(
    d: Delivery,
    simulate: boolean,
    fee: Promise<bigint>,
  ): Promise<Ready | null> {
    const r = { d, attempt: d.attempts + 1 }
    try {
      const vaa = await this.source.fetchVaa({
        emitterChain: d.emitterChain,
        emitterAddress: d.emitterAddress,
        sequence: d.sequence,
        txHash: d.txHashObserved,
      })
      if (vaa === null) {
        // Not signed yet: ask again soon; not the delivery's fault, so it costs no attempt.
        await this.store.failedAttempt(
          d.id,
          d.attempts,
          'VAA not available yet',
          this.options.baseDelayMs,
          false,
        )
        return null
      }
      await checkVaa(vaa, d, this.topology, this.guardianSets)
      const data = encodeFunctionData({
        abi: ABIS[d.method],
        functionName: d.method,
        args: [vaa],
      } as never)
      const value = PUBLISHES.has(d.method) ? await fee : 0n
      if (!simulate) return { ...r, vaa, data, gas: 0n, value }
      let gas: bigint
      try {
        // with the value: a wallet that cannot pay the fee fails here, before sending
        gas = await this.client.estimateContractGas({
          address: d.targetContract,
          abi: ABIS[d.method],
          functionName: d.method,
          args: [vaa],
          account: this.wallet.account,
          value,
        } as never)
      } catch (err) {
        const reverted = revertName(err)
        if (reverted !== undefined && REFUSALS.has(reverted))
          throw new VaaRejected(`the target would revert ${reverted}`)
        if (reverted !== 'AlreadyConsumed') throw err
        await this.succeeded([{ r: { ...r, vaa, data, gas: 0n, value }, txHash: null }])
        return null
      }
      if (gas > this.options.gasCap)
        throw new VaaRejected(`needs ${gas} gas, over the cap of ${this.options.gasCap}`)
      return { ...r, vaa, data, gas: (gas * 12n) / 10n, value }
    } catch (err) {
      await this.failed(r, err)
      return null
    }
  }

  private send(
    tx: Outgoing,
    nonce: number,
    fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<Hex> {
    return this.wallet.sendTransaction({
      to: tx.to,
      data: tx.data,
      gas: tx.gas,
      value: tx.value,
      nonce,
      ...fees,
      chain: this.wallet.chain,
    })
  }

  /** Wait for the receipt; a transaction stuck past the timeout is replaced at its nonce with higher fees. */
  private async confirm(
    tx: Outgoing,
    first: Hex,
    nonce: number,
    fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint },
  ): Promise<TransactionReceipt> {
    let hash = first
    let { maxFeePerGas, maxPriorityFeePerGas } = fees
    for (let replacement = 0; ; replacement++) {
      const receipt = await this.receipt(hash)
      if (receipt) {
        if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`)
        return receipt
      }
      if (replacement >= this.options.maxReplacements)
        throw new Error(`transaction ${hash} got no receipt in ${this.options.receiptTimeoutMs} ms`)
      // Nodes replace a pending transaction only for at least ~10% more on both fees: bump by 25%.
      maxFeePerGas = (maxFeePerGas * 5n) / 4n + 1n
      maxPriorityFeePerGas = (maxPriorityFeePerGas * 5n) / 4n + 1n
      this.logger.warn(
        {
          deliveries: tx.items.map((r) => r.d.id),
          chain: this.chain.name,
          hash,
          nonce,
          maxFeePerGas: String(maxFeePerGas),
        },
        'replacing a stuck transaction',
      )
      hash = await this.send(tx, nonce, { maxFeePerGas, maxPriorityFeePerGas })
    }
  }

  private async succeeded(done: readonly { r: Ready; txHash: Hex | null }[]): Promise<void> {
    await this.store.deliveredMany(
      done.map(({ r, txHash }) => ({
        id: r.d.id,
        attempt: r.attempt,
        outcome: txHash === null ? ('already_consumed' as const) : ('delivered' as const),
        txHash,
      })),
    )
    for (const { r, txHash } of done) {
      this.logger.info(
        {
          delivery: r.d.id,
          chain: this.chain.name,
          kind: r.d.kind,
          sequence: String(r.d.sequence),
          tx: txHash,
          attempt: r.attempt,
        },
        txHash ? 'delivered' : 'already consumed',
      )
    }
  }

  private async failed(r: Pick<Ready, 'd' | 'attempt'>, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message.split('\n')[0]! : String(err)
    const final = err instanceof VaaRejected || r.attempt >= this.options.maxAttempts
    const delay =
      err instanceof VaaSourceError && err.retryAfterMs !== null
        ? err.retryAfterMs
        : backoffMs(r.attempt, this.options)
    await this.store.failedAttempt(r.d.id, r.attempt, message, delay, final)
    if (!final) this.events.onRetry?.(r.d, message)
    this.logger.warn(
      {
        delivery: r.d.id,
        chain: this.chain.name,
        kind: r.d.kind,
        attempt: r.attempt,
        final,
        error: message,
      },
      final ? 'parked as failed' : 'will retry',
    )
  }

  /**
   * The receipt, polled from 2 ms doubling to 200 ms (local chains answer at
   * once, public ones within seconds); null after receiptTimeoutMs.
   */
  private async receipt(hash: Hex): Promise<TransactionReceipt | null> {
    const deadline = Date.now() + this.options.receiptTimeoutMs
    for (let wait = 2; ; wait = Math.min(wait * 2, 200)) {
      const found = await this.client.getTransactionReceipt({ hash }).catch(() => null)
      if (found) return found
      if (Date.now() >= deadline) return null
      await new Promise((r) => setTimeout(r, Math.min(wait, Math.max(0, deadline - Date.now()))))
    }
  }
}
