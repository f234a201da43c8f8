/**
 * Posting an epoch's two roots to the hub, which publishes them for the
 * relayer to carry to every chain's registry. The hub takes only the next
 * number (latest + 1, EpochNotIncreasing otherwise) and only from the operator.
 */
import { type Address, type Hex, pad, parseAbi, toHex } from 'viem'
import { type ChainClients, revertName } from '../chain/clients.ts'
import { XmarginError } from '../errors.ts'

export interface EpochPoster {
  /** The hub's latest posted epoch (0 before the first). */
  latestEpoch(): Promise<bigint>
  post(epoch: bigint, stateRoot: bigint, marketRoot: bigint): Promise<{ txHash: Hex }>
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

const HUB_EPOCH_ABI = parseAbi([
  'function latestEpoch() external view returns (uint64)',
  'function postEpoch(uint64 epoch, bytes32 stateRoot, bytes32 marketRoot) external payable returns (uint64 sequence)',
  'error NotOperator(address caller)',
  'error EpochNotIncreasing(uint64 latest, uint64 posted)',
  'error EpochStepTooLarge(uint64 latest, uint64 posted, uint64 maxStep)',
])
const MESSAGE_FEE_ABI = parseAbi(['function messageFee() external view returns (uint256)'])

const bytes32 = (x: bigint): Hex => pad(toHex(x), { size: 32 })

/** MarginHub through the operator's wallet, paying the Wormhole message fee like an approval does. */
export class HubEpochPoster implements EpochPoster {
  constructor(
    private readonly clients: ChainClients,
    private readonly hub: Address,
    private readonly wormhole: Address,
  ) {}

  latestEpoch(): Promise<bigint> {
    return this.clients.public.readContract({
      address: this.hub,
      abi: HUB_EPOCH_ABI,
      functionName: 'latestEpoch',
    })
  }

  async post(epoch: bigint, stateRoot: bigint, marketRoot: bigint): Promise<{ txHash: Hex }> {
    const value = await this.clients.public.readContract({
      address: this.wormhole,
      abi: MESSAGE_FEE_ABI,
      functionName: 'messageFee',
    })
    let request: unknown
    try {
      ;({ request } = await this.clients.public.simulateContract({
        address: this.hub,
        abi: HUB_EPOCH_ABI,
        functionName: 'postEpoch',
        args: [epoch, bytes32(stateRoot), bytes32(marketRoot)],
        value,
        account: this.clients.wallet.account,
      }))
    } catch (err) {
      throw new EpochPostFailed(epoch, revertName(err) ?? String(err), err)
    }
    const hash = await this.clients.wallet.writeContract(request as never)
    const receipt = await this.clients.public.waitForTransactionReceipt({ hash })
    if (receipt.status !== 'success') throw new EpochPostFailed(epoch, 'reverted')
    return { txHash: receipt.transactionHash }
  }
}
