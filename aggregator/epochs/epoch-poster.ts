/**
 * Posting an epoch's two roots to the hub, which publishes them for the
 * relayer to carry to every chain's registry. The hub takes only the next
 * number (latest + 1, EpochNotIncreasing otherwise) and only from the operator.
 */
import { type Address, type Hex, pad, toHex } from 'viem'
import { MarginHub, WormholeImplementation } from '../../build/contracts/artifacts.ts'
import { type ChainClients, revertName } from '../chain/clients.ts'
import { XmarginError } from '../errors.ts'

export interface EpochPoster {
  /** The hub's latest posted epoch (0 before the first). */
  latestEpoch(): Promise<bigint>
  post(epoch: bigint, stateRoot: bigint, marketRoot: bigint): Promise<{ txHash: Hex }>
  /**
   * Have the hub publish these accounts' leaf indices for the registries (E4),
   * before the epoch that first holds them is posted; what fails is kept and
   * tried again on the next call, so a registry may learn an index an epoch late.
   */
  publishIndices?(entries: readonly IndexedAccount[]): Promise<void>
}

export interface IndexedAccount {
  readonly account: Address
  readonly index: bigint
}

/** The hub refused or lost the post: the epoch is not committed. */
export class EpochPostFailed extends XmarginError {
  override name = 'EpochPostFailed'
  constructor(
    readonly epoch: bigint,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`the hub did not take epoch ${epoch}: ${reason}`, { code: 'epoch_post_failed', cause })
  }
}

/** A hub without a node: keeps the posted roots in order, refusing any number but latest + 1. */
export class MemoryEpochPoster implements EpochPoster {
  readonly posted: { epoch: bigint; stateRoot: bigint; marketRoot: bigint }[] = []
  /** Each publishIndices call's entries, with the number of epochs posted before it. */
  readonly indices: { entries: IndexedAccount[]; afterEpochs: number }[] = []

  async publishIndices(entries: readonly IndexedAccount[]): Promise<void> {
    if (entries.length > 0)
      this.indices.push({ entries: [...entries], afterEpochs: this.posted.length })
  }

  /** Set to make the next post fail (tests of a failed post). */
  failNext: string | undefined

  async latestEpoch(): Promise<bigint> {
    return this.posted.at(-1)?.epoch ?? 0n
  }

  async post(epoch: bigint, stateRoot: bigint, marketRoot: bigint): Promise<{ txHash: Hex }> {
    const latest = await this.latestEpoch()
    if (this.failNext !== undefined) {
      const reason = this.failNext
      this.failNext = undefined
      throw new EpochPostFailed(epoch, reason)
    }
    if (epoch !== latest + 1n) throw new EpochPostFailed(epoch, 'EpochNotIncreasing')
    this.posted.push({ epoch, stateRoot, marketRoot })
    return { txHash: pad(toHex(epoch), { size: 32 }) }
  }
}

const bytes32 = (x: bigint): Hex => pad(toHex(x), { size: 32 })

/** The hub takes at most this many accounts' indices per message. */
const INDICES_PER_MESSAGE = 32

/** Runs of consecutive indices, each at most `width` long, in index order. */
export function consecutiveRuns(
  entries: readonly IndexedAccount[],
  width = INDICES_PER_MESSAGE,
): IndexedAccount[][] {
  const sorted = [...entries].sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0))
  const runs: IndexedAccount[][] = []
  for (const e of sorted) {
    const run = runs.at(-1)
    const last = run?.at(-1)
    if (run && last && e.index === last.index + 1n && run.length < width) run.push(e)
    else if (!last || e.index !== last.index) runs.push([e])
  }
  return runs
}

/** MarginHub through the operator's wallet, paying the Wormhole message fee like an approval does. */
export class HubEpochPoster implements EpochPoster {
  /** Indices the hub has published, read once from its events, then kept here. */
  #published: Set<bigint> | undefined
  readonly #pending = new Map<bigint, Address>()

  constructor(
    private readonly clients: ChainClients,
    private readonly hub: Address,
    private readonly wormhole: Address,
  ) {}

  async publishIndices(entries: readonly IndexedAccount[]): Promise<void> {
    const published = await this.#publishedIndices()
    for (const e of entries) if (!published.has(e.index)) this.#pending.set(e.index, e.account)
    const pending = [...this.#pending].map(([index, account]) => ({ index, account }))
    for (const run of consecutiveRuns(pending)) {
      await this.#write('publishAccountIndices', [run.map((e) => e.account)], 0n)
      for (const e of run) {
        published.add(e.index)
        this.#pending.delete(e.index)
      }
    }
  }

  async #publishedIndices(): Promise<Set<bigint>> {
    if (this.#published) return this.#published
    const logs = await this.clients.public.getContractEvents({
      address: this.hub,
      abi: MarginHub.abi,
      eventName: 'AccountIndicesPublished',
      fromBlock: 0n,
    })
    const published = new Set<bigint>()
    for (const { args } of logs)
      for (let i = 0n; i < (args.count ?? 0n); i++) published.add((args.first ?? 0n) + i)
    this.#published = published
    return published
  }

  /** Simulate, send and wait for an operator call that publishes (so pays the message fee). */
  async #write(
    functionName: 'publishAccountIndices' | 'postEpoch',
    args: readonly unknown[],
    epoch: bigint,
  ): Promise<Hex> {
    const value = await this.clients.public.readContract({
      address: this.wormhole,
      abi: WormholeImplementation.abi,
      functionName: 'messageFee',
    })
    let request: unknown
    try {
      ;({ request } = await this.clients.public.simulateContract({
        address: this.hub,
        abi: MarginHub.abi,
        functionName,
        args: args as never,
        value,
        account: this.clients.wallet.account,
      }))
    } catch (err) {
      throw new EpochPostFailed(epoch, revertName(err) ?? String(err), err)
    }
    const hash = await this.clients.wallet.writeContract(request as never)
    const receipt = await this.clients.public.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new EpochPostFailed(epoch, 'reverted')
    return receipt.transactionHash
  }

  latestEpoch(): Promise<bigint> {
    return this.clients.public.readContract({
      address: this.hub,
      abi: MarginHub.abi,
      functionName: 'latestEpoch',
    })
  }

  async post(epoch: bigint, stateRoot: bigint, marketRoot: bigint): Promise<{ txHash: Hex }> {
    const txHash = await this.#write(
      'postEpoch',
      [epoch, bytes32(stateRoot), bytes32(marketRoot)],
      epoch,
    )
    return { txHash }
  }
}
