/**
 * Every account's state, folded from the log: collateral credited per chain
 * and token, withdrawals and their status, delegated keys. `apply` is the one
 * place an event changes state; a snapshot is this book as JSON, and loading
 * one then applying the events after it gives the same book as replaying all.
 */
import { type Address, getAddress } from 'viem'
import type { Authority, Delegation } from '../auth/verify-request.ts'
import type { AccountEvent, MarginMoment, Recorded } from './events.ts'

export interface Holding {
  readonly chain: string
  readonly token: Address
  /** Base units: deposits credited minus payouts seen. */
  credited: bigint
}

export type WithdrawalStatus = 'requested' | 'approved' | 'paid' | 'failed' | 'expired' | 'rejected'

export interface Withdrawal {
  readonly id: string
  readonly chain: string
  readonly token: Address
  readonly amount: bigint
  readonly requestedAt: number
  status: WithdrawalStatus
  payoutId?: bigint
  expiry?: number
  hubTx?: string
  paidTx?: string
  reason?: string
  /** The last event that changed it. */
  seq: bigint
}

/** An open position on one chain in one instrument (its canonical id). */
export interface OpenPosition {
  readonly chain: string
  readonly instrument: string
  /** 1e-8 units, signed (+ long), never 0. */
  quantity: bigint
  /** USD: quantity * average entry of what is open (linear); 0 for options. */
  basis: number
}

/** An order's fills so far, by its nonce: all fills of one order never exceed its size. */
export interface OrderFills {
  readonly hash: string
  readonly size: bigint
  /** Unix seconds: past it no fill of the order is taken, so it is forgotten. */
  readonly expiry: bigint
  filled: bigint
}

export interface AccountState {
  readonly account: Address
  readonly holdings: Map<string, Holding>
  /** USD: premiums, realised PnL, fees, funding and settlements. */
  cash: number
  readonly positions: Map<string, OpenPosition>
  readonly orders: Map<string, OrderFills>
  /** The last status recorded for it (status_changed), if any. */
  status?: MarginMoment['status']
  readonly withdrawals: Map<string, Withdrawal>
  readonly delegations: Map<string, Delegation>
  /** The last event applied to this account. */
  seq: bigint
}

/** Withdrawals still holding their amount back: not yet paid, failed, expired or rejected. */
export const OUTSTANDING: ReadonlySet<WithdrawalStatus> = new Set(['requested', 'approved'])

const holdingKey = (chain: string, token: Address) => `${chain}:${token.toLowerCase()}`
export const positionKey = (chain: string, instrument: string) => `${chain}|${instrument}`

export class AccountBook implements Authority {
  readonly #accounts = new Map<string, AccountState>()
  /** Hub payout id -> the withdrawal it pays. */
  readonly #payouts = new Map<bigint, { account: string; withdrawal: string }>()
  readonly #keys = new Set<string>()
  /** Accounts changed since their state was last saved: key -> the seq of that change. */
  readonly #changed = new Map<string, bigint>()
  #seq = 0n

  /** The last event applied. */
  get seq(): bigint {
    return this.#seq
  }

  get size(): number {
    return this.#accounts.size
  }

  get(account: Address): AccountState | undefined {
    return this.#accounts.get(account.toLowerCase())
  }

  accounts(): IterableIterator<AccountState> {
    return this.#accounts.values()
  }

  delegation(account: Address, key: Address): Delegation | undefined {
    return this.get(account)?.delegations.get(key.toLowerCase())
  }

  isKnown(address: Address): boolean {
    const a = address.toLowerCase()
    return this.#accounts.has(a) || this.#keys.has(a)
  }

  /** Which withdrawal a hub payout id pays, if it is one. */
  withdrawalOf(payoutId: bigint): { account: Address; withdrawal: Withdrawal } | undefined {
    const ref = this.#payouts.get(payoutId)
    const state = ref && this.#accounts.get(ref.account)
    const withdrawal = ref && state?.withdrawals.get(ref.withdrawal)
    return state && withdrawal ? { account: state.account, withdrawal } : undefined
  }

  apply({ seq, event }: Recorded): AccountState {
    const state = this.#account(event.account)
    if (seq > this.#seq) this.#seq = seq
    // A saved state already holds its account's events up to its seq (states
    // are saved in chunks, so one can be newer than the book's saved seq).
    if (seq <= state.seq) return state
    applyTo(state, event, seq, this)
    state.seq = seq
    this.#changed.set(state.account.toLowerCase(), seq)
    return state
  }

  /** The states of the accounts changed since they were last saved, as of `seq`. */
  changes(): BookSnapshot {
    const accounts: AccountSnapshot[] = []
    for (const key of this.#changed.keys()) accounts.push(accountSnapshot(this.#accounts.get(key)!))
    return { seq: this.#seq.toString(), accounts }
  }

  /** The states in `saved` are stored: their accounts are unchanged unless an event came after. */
  saved(saved: BookSnapshot): void {
    const seq = BigInt(saved.seq)
    for (const a of saved.accounts) {
      const key = a.account.toLowerCase()
      const at = this.#changed.get(key)
      if (at !== undefined && at <= seq) this.#changed.delete(key)
    }
  }

  /** @internal for applyTo */
  linkPayout(payoutId: bigint, account: Address, withdrawal: string): void {
    this.#payouts.set(payoutId, { account: account.toLowerCase(), withdrawal })
  }

  /** @internal for applyTo */
  noteKey(key: Address): void {
    this.#keys.add(key.toLowerCase())
  }

  #account(account: Address): AccountState {
    const key = account.toLowerCase()
    let state = this.#accounts.get(key)
    if (!state) {
      state = emptyAccount(account)
      this.#accounts.set(key, state)
    }
    return state
  }

  toSnapshot(): BookSnapshot {
    return {
      seq: this.#seq.toString(),
      accounts: [...this.#accounts.values()].map(accountSnapshot),
    }
  }

  static fromSnapshot(snapshot: BookSnapshot): AccountBook {
    const book = new AccountBook()
    for (const a of snapshot.accounts) {
      const state = book.#account(a.account as Address)
      state.seq = BigInt(a.seq)
      for (const h of a.holdings) {
        const token = h.token as Address
        state.holdings.set(holdingKey(h.chain, token), {
          chain: h.chain,
          token,
          credited: BigInt(h.credited),
        })
      }
      state.cash = a.cash ?? 0
      for (const p of a.positions ?? []) {
        state.positions.set(positionKey(p.chain, p.instrument), {
          chain: p.chain,
          instrument: p.instrument,
          quantity: BigInt(p.quantity),
          basis: p.basis,
        })
      }
      for (const o of a.orders ?? []) {
        state.orders.set(o.nonce, {
          hash: o.hash,
          size: BigInt(o.size),
          expiry: BigInt(o.expiry),
          filled: BigInt(o.filled),
        })
      }
      if (a.status !== undefined) state.status = a.status as MarginMoment['status']
      for (const w of a.withdrawals) {
        const { payoutId, ...rest } = w
        const withdrawal: Withdrawal = {
          ...(rest as unknown as Withdrawal),
          amount: BigInt(w.amount),
          seq: BigInt(w.seq),
        }
        if (payoutId !== undefined) {
          withdrawal.payoutId = BigInt(payoutId)
          book.linkPayout(withdrawal.payoutId, state.account, withdrawal.id)
        }
        state.withdrawals.set(withdrawal.id, withdrawal)
      }
      for (const d of a.delegations) {
        const delegation = { ...d, keyExpiry: BigInt(d.keyExpiry) } as Delegation
        state.delegations.set(delegation.key.toLowerCase(), delegation)
        book.noteKey(delegation.key)
      }
    }
    book.#seq = BigInt(snapshot.seq)
    return book
  }
}

export interface BookSnapshot {
  readonly seq: string
  readonly accounts: readonly AccountSnapshot[]
}

export interface AccountSnapshot {
  readonly account: string
  readonly seq: string
  readonly holdings: readonly { chain: string; token: string; credited: string }[]
  readonly cash?: number
  readonly positions?: readonly {
    chain: string
    instrument: string
    quantity: string
    basis: number
  }[]
  readonly orders?: readonly {
    nonce: string
    hash: string
    size: string
    expiry: string
    filled: string
  }[]
  readonly status?: string
  readonly withdrawals: readonly (Record<string, unknown> & {
    amount: string
    seq: string
    payoutId?: string
  })[]
  readonly delegations: readonly (Record<string, unknown> & { key: string; keyExpiry: string })[]
}

function accountSnapshot(s: AccountState): AccountSnapshot {
  return {
    account: s.account,
    seq: s.seq.toString(),
    holdings: [...s.holdings.values()].map((h) => ({ ...h, credited: h.credited.toString() })),
    cash: s.cash,
    positions: [...s.positions.values()].map((p) => ({
      ...p,
      quantity: p.quantity.toString(),
    })),
    orders: [...s.orders].map(([nonce, o]) => ({
      nonce,
      hash: o.hash,
      size: o.size.toString(),
      expiry: o.expiry.toString(),
      filled: o.filled.toString(),
    })),
    ...(s.status !== undefined && { status: s.status }),
    withdrawals: [...s.withdrawals.values()].map(({ payoutId, ...w }) => ({
      ...w,
      amount: w.amount.toString(),
      seq: w.seq.toString(),
      ...(payoutId !== undefined && { payoutId: payoutId.toString() }),
    })),
    delegations: [...s.delegations.values()].map((d) => ({
      ...d,
      keyExpiry: d.keyExpiry.toString(),
    })),
  }
}

export function emptyAccount(account: Address): AccountState {
  return {
    account: getAddress(account),
    holdings: new Map(),
    cash: 0,
    positions: new Map(),
    orders: new Map(),
    withdrawals: new Map(),
    delegations: new Map(),
    seq: 0n,
  }
}

function applyTo(state: AccountState, e: AccountEvent, seq: bigint, book: AccountBook): void {
  switch (e.kind) {
    case 'fill': {
      const key = positionKey(e.chain, e.instrument)
      if (e.position === null) state.positions.delete(key)
      else
        state.positions.set(key, {
          chain: e.chain,
          instrument: e.instrument,
          quantity: e.position.quantity,
          basis: e.position.basis,
        })
      state.cash += e.cashDelta
      const nonce = e.order.nonce.toString()
      const order = state.orders.get(nonce) ?? {
        hash: e.order.hash,
        size: e.order.size,
        expiry: e.order.expiry,
        filled: 0n,
      }
      order.filled += e.size
      state.orders.set(nonce, order)
      // Orders that expired before this fill can take no more fills: the book forgets them.
      for (const [n, o] of state.orders) if (o.expiry < BigInt(e.executedAt)) state.orders.delete(n)
      return
    }
    case 'fill_refused':
      return
    case 'funding':
      state.cash += e.amount
      return
    case 'settlement':
      state.positions.delete(positionKey(e.chain, e.instrument))
      state.cash += e.amount
      return
    case 'status_changed':
      state.status = e.to
      return
    case 'credit':
      holding(state, e.fact.chain, e.token).credited += e.amount
      return
    case 'payout': {
      holding(state, e.fact.chain, e.token).credited -= e.amount
      const paid = e.liquidation ? undefined : payoutWithdrawal(state, e, book)
      if (paid) Object.assign(paid, { status: 'paid', paidTx: e.fact.txHash, seq })
      return
    }
    case 'payout_refused': {
      const refused = payoutWithdrawal(state, e, book)
      if (refused) {
        const status = e.reason === 'expired' ? 'expired' : 'failed'
        Object.assign(refused, { status, reason: e.reason, seq })
      }
      return
    }
    case 'withdrawal_requested':
      state.withdrawals.set(e.withdrawal, {
        id: e.withdrawal,
        chain: e.chain,
        token: e.token,
        amount: e.amount,
        requestedAt: e.at,
        status: 'requested',
        seq,
      })
      return
    case 'withdrawal_approved': {
      const w = state.withdrawals.get(e.withdrawal)
      if (!w) return
      Object.assign(w, {
        status: 'approved',
        payoutId: e.payoutId,
        expiry: e.expiry,
        hubTx: e.hubTx,
        seq,
      })
      book.linkPayout(e.payoutId, state.account, w.id)
      return
    }
    case 'withdrawal_rejected': {
      const w = state.withdrawals.get(e.withdrawal)
      if (w) Object.assign(w, { status: 'rejected', reason: e.reason, seq })
      return
    }
    case 'key_delegated':
      state.delegations.set(e.key.toLowerCase(), {
        account: state.account,
        key: getAddress(e.key),
        scopes: { read: e.read, trade: e.trade, withdraw: e.withdraw },
        keyExpiry: e.keyExpiry,
        revoked: state.delegations.get(e.key.toLowerCase())?.revoked ?? false,
      })
      book.noteKey(e.key)
      return
    case 'key_revoked': {
      // A revoke before any delegate still counts: the key stays revoked for good.
      const k = e.key.toLowerCase()
      const d = state.delegations.get(k) ?? {
        account: state.account,
        key: getAddress(e.key),
        scopes: { read: false, trade: false, withdraw: false },
        keyExpiry: 0n,
        revoked: true,
      }
      state.delegations.set(k, { ...d, revoked: true })
      book.noteKey(e.key)
      return
    }
  }
}

/**
 * The withdrawal a vault's payout (or refusal) settles: the one approved with
 * its hub id, or else one still `requested` with the same chain, token and
 * amount, whose approval landed on the hub but whose receipt the service never
 * read (a crash, a lost connection): linked now, so it is not held twice.
 */
function payoutWithdrawal(
  state: AccountState,
  e: { fact: { chain: string }; payoutId: bigint; token: Address; amount: bigint },
  book: AccountBook,
): Withdrawal | undefined {
  const known = book.withdrawalOf(e.payoutId)?.withdrawal
  if (known) return known
  for (const w of state.withdrawals.values()) {
    const same =
      w.status === 'requested' &&
      w.chain === e.fact.chain &&
      w.token.toLowerCase() === e.token.toLowerCase() &&
      w.amount === e.amount
    if (!same) continue
    w.payoutId = e.payoutId
    book.linkPayout(e.payoutId, state.account, w.id)
    return w
  }
  return undefined
}

function holding(state: AccountState, chain: string, token: Address): Holding {
  const key = holdingKey(chain, token)
  let h = state.holdings.get(key)
  if (!h) {
    h = { chain, token: getAddress(token), credited: 0n }
    state.holdings.set(key, h)
  }
  return h
}
