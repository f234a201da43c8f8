/**
 * The hub as the accounts see it: the on-chain ledger (what the relayer has
 * delivered so far, so it may lag the adapters) and the operator's one move
 * in this capability, approving a withdrawal. The contract enforces the
 * reservation (E2) and stamps the expiry (E3); this only reads back what it did.
 */
import { type Address, decodeEventLog, type Hex, type TransactionReceipt } from 'viem'
import { MarginHub } from '../../build/contracts/artifacts.ts'
import { type ChainClients, revertName } from '../chain/clients.ts'
import { XmarginError } from '../errors.ts'

export interface Approval {
  readonly payoutId: bigint
  /** Unix seconds; 0 where the hub publishes no expiry. */
  readonly expiry: number
  readonly hubTx: Hex
}

export interface HubLedger {
  /** The hub ledger's balance of `token` for `account` in the vault on Wormhole chain `chain`. */
  balance(account: Address, chain: number, token: Address): Promise<bigint>
  approveWithdrawal(
    account: Address,
    chain: number,
    token: Address,
    amount: bigint,
  ): Promise<Approval>
}

/** The hub refused to publish an approval; `reason` is its custom error. */
export class ApprovalRefused extends XmarginError {
  override name = 'ApprovalRefused'
  constructor(
    readonly reason: string,
    cause: unknown,
  ) {
    super(`the hub refused the withdrawal approval: ${reason}`, { code: 'approval_refused', cause })
  }
}

/** The approval was sent, but whether it landed is unknown: its withdrawal stays reserved. */
export class ApprovalInDoubt extends XmarginError {
  override name = 'ApprovalInDoubt'
  constructor(cause: unknown) {
    super('the withdrawal approval was sent but its receipt was not read', {
      code: 'approval_in_doubt',
      cause,
    })
  }
}

export class EvmHubLedger implements HubLedger {
  constructor(
    private readonly clients: ChainClients,
    private readonly hub: Address,
    private readonly wormhole: Address,
  ) {}

  balance(account: Address, chain: number, token: Address): Promise<bigint> {
    return this.clients.public.readContract({
      address: this.hub,
      abi: MarginHub.abi,
      functionName: 'collateral',
      args: [account, chain, token],
    }) as Promise<bigint>
  }

  async approveWithdrawal(
    account: Address,
    chain: number,
    token: Address,
    amount: bigint,
  ): Promise<Approval> {
    const value = await this.#messageFee()
    const call = {
      address: this.hub,
      abi: MarginHub.abi,
      functionName: 'approveWithdrawal',
      args: [chain, account, token, amount],
      value,
      account: this.clients.wallet.account,
    }
    let request: unknown
    try {
      ;({ request } = await this.clients.public.simulateContract(call as never))
    } catch (err) {
      const reason = revertName(err) ?? (err instanceof Error ? err.message : String(err))
      throw new ApprovalRefused(reason, err)
    }
    // Past this point the approval may be on chain: a failure is in doubt, never a refusal.
    try {
      const hash = await this.clients.wallet.writeContract(request as never)
      const receipt: TransactionReceipt = await this.clients.public.waitForTransactionReceipt({
        hash,
      })
      if (receipt.status !== 'success') throw new ApprovalRefused('reverted', undefined)
      return { ...approvalIn(receipt), hubTx: receipt.transactionHash }
    } catch (err) {
      if (err instanceof ApprovalRefused) throw err
      throw new ApprovalInDoubt(err)
    }
  }

  #messageFee(): Promise<bigint> {
    return this.clients.public.readContract({
      address: this.wormhole,
      abi: [
        {
          type: 'function',
          name: 'messageFee',
          stateMutability: 'view',
          inputs: [],
          outputs: [{ type: 'uint256' }],
        },
      ],
      functionName: 'messageFee',
    })
  }
}

function approvalIn(receipt: TransactionReceipt): Omit<Approval, 'hubTx'> {
  for (const log of receipt.logs) {
    try {
      const e = decodeEventLog({ abi: MarginHub.abi, data: log.data, topics: log.topics })
      if (e.eventName !== 'WithdrawalApproved') continue
      const args = e.args as { id: bigint; expiry?: bigint }
      return { payoutId: args.id, expiry: Number(args.expiry ?? 0n) }
    } catch {}
  }
  throw new XmarginError('the approval transaction emitted no WithdrawalApproved', {
    code: 'transaction_reverted',
    details: receipt.transactionHash,
  })
}
