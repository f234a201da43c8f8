/**
 * A HubLedger over scripted chains, for the accounts' tests and tools: it
 * keeps the hub's ledger rules (E2: an approval reserves, and is refused
 * beyond balance - reserved; E3: it carries an expiry) without a node. The
 * real one is EvmHubLedger; the devnet tests run the accounts against it.
 */
import type { Address, Hex } from 'viem'
import { pad, toHex } from 'viem'
import type { Approval, HubLedger } from './hub-ledger.ts'
import { ApprovalRefused } from './hub-ledger.ts'

const key = (account: Address, chain: number, token: Address) =>
  `${account.toLowerCase()}:${chain}:${token.toLowerCase()}`

export class MemoryHub implements HubLedger {
  readonly #balances = new Map<string, bigint>()
  readonly #reserved = new Map<string, bigint>()
  readonly #approvals = new Map<bigint, { key: string; amount: bigint }>()
  #nextId = 1n

  constructor(
    private readonly lifetimeSeconds = 3600,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  /** What the relayer's delivery of a collateral update would set. */
  setBalance(account: Address, chain: number, token: Address, balance: bigint): void {
    this.#balances.set(key(account, chain, token), balance)
  }

  async balance(account: Address, chain: number, token: Address): Promise<bigint> {
    return this.#balances.get(key(account, chain, token)) ?? 0n
  }

  reserved(account: Address, chain: number, token: Address): bigint {
    return this.#reserved.get(key(account, chain, token)) ?? 0n
  }

  async approveWithdrawal(
    account: Address,
    chain: number,
    token: Address,
    amount: bigint,
  ): Promise<Approval> {
    const k = key(account, chain, token)
    const free = (this.#balances.get(k) ?? 0n) - (this.#reserved.get(k) ?? 0n)
    if (amount > free) throw new ApprovalRefused('InsufficientLedgerBalance', undefined)
    const payoutId = this.#nextId++
    this.#reserved.set(k, (this.#reserved.get(k) ?? 0n) + amount)
    this.#approvals.set(payoutId, { key: k, amount })
    return {
      payoutId,
      expiry: this.now() + this.lifetimeSeconds,
      hubTx: pad(toHex(payoutId), { size: 32 }) as Hex,
    }
  }

  /** The vault's report arrived: release the reservation (and debit, if it paid). */
  settle(payoutId: bigint, paid: boolean): void {
    const a = this.#approvals.get(payoutId)
    if (!a) return
    this.#approvals.delete(payoutId)
    this.#reserved.set(a.key, (this.#reserved.get(a.key) ?? 0n) - a.amount)
    if (paid) this.#balances.set(a.key, (this.#balances.get(a.key) ?? 0n) - a.amount)
  }
}
