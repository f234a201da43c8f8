/**
 * A scripted chain with one vault, in memory: deposits, payouts and refused
 * payouts each mine a block of their own, and `rewind` replaces blocks the
 * way a reorg does. Block times advance a fixed step from a fixed start, so
 * a script gives the same events every run. Read it through
 * MemoryChainAdapter (memory-adapter.ts).
 */
import { type Address, type Hex, keccak256, toHex } from 'viem'
import { XmarginError } from '../errors.ts'
import type { EventOrigin, VaultEvent } from './chain-adapter.ts'

type Move =
  | {
      readonly kind: 'deposit'
      readonly account: Address
      readonly token: Address
      readonly amount: bigint
    }
  | {
      readonly kind: 'payout'
      readonly id: bigint
      readonly account: Address
      readonly token: Address
      readonly amount: bigint
      readonly recipient: Address
      readonly liquidation: boolean
    }
  | {
      readonly kind: 'payout_refused'
      readonly id: bigint
      readonly account: Address
      readonly token: Address
      readonly amount: bigint
      readonly reason: 'expired' | 'insufficient_balance'
    }

interface Block {
  readonly time: number
  readonly events: readonly VaultEvent[]
}

export interface MemoryChainOptions {
  /** Unix seconds of block 0. */
  readonly genesisTime?: number
  readonly blockSeconds?: number
}

/** Where the vault's log sits in a block: after the token transfer and the Wormhole message, as on chain. */
const LOG_INDEX = 2

export class MemoryChain {
  /** blocks[n] is block n; block 0 is genesis and holds nothing. */
  #blocks: Block[]
  /** Bumped by each rewind, so a replacing block's transactions have new hashes. */
  #fork = 0
  readonly #blockSeconds: number

  constructor(
    readonly name = 'memory',
    options: MemoryChainOptions = {},
  ) {
    this.#blocks = [{ time: options.genesisTime ?? 1_767_225_600, events: [] }]
    this.#blockSeconds = options.blockSeconds ?? 2
  }

  get head(): bigint {
    return BigInt(this.#blocks.length - 1)
  }

  /** The canonical blocks [from, to]' events, in chain order. */
  events(from: bigint, to: bigint): VaultEvent[] {
    return this.#blocks.slice(Number(from), Number(to) + 1).flatMap((b) => b.events)
  }

  /** The account's vault balance of the token at the head. */
  balanceOf(account: Address, token: Address): bigint {
    let balance = 0n
    for (const e of this.events(0n, this.head)) {
      if (!same(e, account, token)) continue
      if (e.kind === 'deposit') balance += e.amount
      if (e.kind === 'payout') balance -= e.amount
    }
    return balance
  }

  /** Mine `blocks` empty blocks. */
  mine(blocks = 1): void {
    for (let i = 0; i < blocks; i++) this.#push([])
  }

  deposit(account: Address, token: Address, amount: bigint): VaultEvent & { kind: 'deposit' } {
    if (amount <= 0n)
      throw new XmarginError('a deposit must be positive', { code: 'invalid_argument' })
    const balance = this.balanceOf(account, token) + amount
    return this.#mineOne({ kind: 'deposit', account, token, amount }, { balance })
  }

  /** Pay out of the account's balance, as a vault executes a hub approval (or a seizure, to `recipient`). */
  payout(p: {
    id: bigint
    account: Address
    token: Address
    amount: bigint
    recipient?: Address
    liquidation?: boolean
  }): VaultEvent & { kind: 'payout' } {
    const held = this.balanceOf(p.account, p.token)
    if (p.amount > held) {
      throw new XmarginError('the vault balance cannot cover the payout', {
        code: 'insufficient_balance',
        details: `${p.account} holds ${held} of ${p.token}, payout ${p.amount}`,
      })
    }
    return this.#mineOne({
      ...p,
      kind: 'payout',
      recipient: p.recipient ?? p.account,
      liquidation: p.liquidation ?? false,
    })
  }

  /** A payout the vault consumed without paying. */
  refusePayout(p: {
    id: bigint
    account: Address
    token: Address
    amount: bigint
    reason: 'expired' | 'insufficient_balance'
  }): VaultEvent & { kind: 'payout_refused' } {
    return this.#mineOne({ kind: 'payout_refused', ...p })
  }

  /** Drop every block above `height`: what a reorg to a branch forked there does before it grows. */
  rewind(height: bigint): void {
    if (height < 0n || height > this.head) {
      throw new XmarginError(`cannot rewind to ${height}: the head is ${this.head}`, {
        code: 'invalid_argument',
      })
    }
    this.#blocks = this.#blocks.slice(0, Number(height) + 1)
    this.#fork++
  }

  #mineOne<M extends Move>(move: M, extra: object = {}): VaultEvent & { kind: M['kind'] } {
    const n = BigInt(this.#blocks.length)
    const origin: EventOrigin = {
      chain: this.name,
      blockNumber: n,
      txHash: keccak256(toHex(`${this.name}:${this.#fork}:${n}`)) as Hex,
      logIndex: LOG_INDEX,
      blockTime: this.#nextTime(),
    }
    const event = { ...origin, ...move, ...extra, sequence: this.#sequence() } as VaultEvent & {
      kind: M['kind']
    }
    this.#push([event])
    return event
  }

  /** The vault's next Wormhole sequence: one message per deposit or payout, refusals included. */
  #sequence(): bigint {
    return BigInt(this.events(0n, this.head).length)
  }

  #nextTime(): number {
    return this.#blocks.at(-1)!.time + this.#blockSeconds
  }

  #push(events: readonly VaultEvent[]): void {
    this.#blocks.push({ time: this.#nextTime(), events })
  }
}

const same = (e: VaultEvent, account: Address, token: Address) =>
  e.account.toLowerCase() === account.toLowerCase() && e.token.toLowerCase() === token.toLowerCase()
