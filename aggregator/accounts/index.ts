/**
 * Accounts: the one account per trader that every chain feeds. Owns the
 * account log (credits, withdrawals, delegations, and later fills, funding
 * and liquidations), the book folded from it, the chain adapters' ingest
 * loops, signed-request authority (delegated keys, nonces) and the
 * withdrawal flow up to the hub's approval. Nothing else writes the log.
 *
 * Restart: the saved account states, then the events after them. The
 * states of the accounts that changed are saved every `snapshotEvery`
 * events, on stop, and on open when the replay was long.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Address } from 'viem'
import type { Database } from '../../relayer/store/database.ts'
import { migrate } from '../../relayer/store/migrations.ts'
import type { RequestMessages } from '../auth/typed-data.ts'
import type { ChainAdapter, VaultEvent } from '../chains/chain-adapter.ts'
import { ForbiddenError } from '../errors.ts'
import { AccountBook, type AccountState, emptyAccount, OUTSTANDING } from './account-book.ts'
import {
  type AccountView,
  accountView,
  liveReport,
  reservedOf,
  type WithdrawalView,
  withdrawableBase,
  withdrawalView,
} from './account-view.ts'
import type { Directory } from './directory.ts'
import { EventLog } from './event-log.ts'
import type { AccountEvent, Recorded } from './events.ts'
import { ApprovalRefused, type HubLedger } from './hub-ledger.ts'
import type { MarketSource } from './market-source.ts'
import { ACCOUNT_MIGRATIONS } from './migrations.ts'
import { SqlNonces } from './sql-nonces.ts'
import { WithdrawalRefused } from './withdrawal-errors.ts'

export type { AccountView, WithdrawalView } from './account-view.ts'
export { WithdrawalRefused } from './withdrawal-errors.ts'

export interface AccountServiceOptions {
  readonly db: Database
  readonly directory: Directory
  readonly adapters: readonly ChainAdapter[]
  readonly hub: HubLedger
  readonly market: MarketSource
  readonly logger: Logger
  /** Between adapter polls when a poll found nothing new. */
  readonly pollMs?: number
  readonly snapshotEvery?: number
  /**
   * At least this long between two snapshots taken for the event count, so a
   * busy log does not save its hot accounts every few seconds (default 0).
   */
  readonly snapshotMinIntervalMs?: number
}

type Listener = (recorded: Recorded, state: AccountState) => void

/** The events other capabilities ask the accounts to record. */
export type TradingEvent = Extract<
  AccountEvent,
  { kind: 'fill' | 'fill_refused' | 'funding' | 'settlement' | 'status_changed' }
>

export class AccountService {
  readonly nonces: SqlNonces
  readonly #log: EventLog
  readonly #listeners = new Set<Listener>()
  readonly #loops: Promise<void>[] = []
  #running = false
  #sinceSnapshot = 0
  #snapshotAt = 0
  #saving: Promise<void> = Promise.resolve()

  private constructor(
    private readonly options: AccountServiceOptions,
    private readonly book: AccountBook,
    log: EventLog,
  ) {
    this.#log = log
    this.nonces = new SqlNonces(options.db)
  }

  /** Migrate, then rebuild every account from the latest snapshot and the events after it. */
  static async open(options: AccountServiceOptions): Promise<AccountService> {
    await migrate(options.db, ACCOUNT_MIGRATIONS)
    const log = new EventLog(options.db)
    const states = await log.loadStates()
    const book = states ? AccountBook.fromSnapshot(states) : new AccountBook()
    let replayed = 0
    for (;;) {
      const tail = await log.since(book.seq, 50_000)
      if (tail.length === 0) break
      for (const r of tail) book.apply(r)
      replayed += tail.length
    }
    const service = new AccountService(options, book, log)
    // saved now, before any traffic, rather than in a stall under the first fills
    if (replayed >= (options.snapshotEvery ?? 10_000)) await service.snapshot()
    return service
  }

  get directory(): Directory {
    return this.options.directory
  }

  /** The authority signed requests are checked against. */
  get authority(): AccountBook {
    return this.book
  }

  get seq(): bigint {
    return this.book.seq
  }

  get accountCount(): number {
    return this.book.size
  }

  /** Start every adapter's ingest loop (backfilling from its cursor first). */
  start(): void {
    this.#running = true
    for (const adapter of this.options.adapters) this.#loops.push(this.#follow(adapter))
  }

  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#loops)
    await Promise.all(this.options.adapters.map((a) => a.close()))
    if (this.#sinceSnapshot > 0) await this.snapshot()
  }

  /** Save the changed accounts' states (one save at a time; a call during one waits for it). */
  async snapshot(): Promise<void> {
    const previous = this.#saving
    const save = (async () => {
      await previous
      const changes = this.book.changes()
      this.#sinceSnapshot = 0
      await this.#log.saveStates(changes)
      this.book.saved(changes)
    })()
    this.#saving = save.catch(() => undefined)
    await save
  }

  /** Every event as it is recorded; returns the unsubscribe. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** An account's events after `seq`, from the log (for a stream resuming). */
  async eventsSince(account: Address, seq: bigint): Promise<Recorded[]> {
    const found: Recorded[] = []
    for (let from = seq; ; ) {
      const batch = await this.#log.sinceFor(account, from, 10_000)
      found.push(...batch)
      if (batch.length < 10_000) return found
      from = batch.at(-1)!.seq
    }
  }

  state(account: Address): AccountState | undefined {
    return this.book.get(account)
  }

  /** The account's view; an account the log has never seen is empty, not unknown. */
  async view(account: Address): Promise<AccountView> {
    const state = this.book.get(account) ?? emptyAccount(account)
    const onHub = await Promise.all(
      [...state.holdings.values()].map(async (h) => {
        const chain = this.options.directory.chain(h.chain)
        if (!chain) return null
        return this.options.hub
          .balance(state.account, chain.wormholeChainId, h.token)
          .catch(() => null)
      }),
    )
    return accountView(state, this.options.directory, this.options.market, onHub)
  }

  /**
   * A verified Withdraw request: checked against the live state (E7: initial
   * margin holds after it), recorded, then approved on the hub (which reserves
   * it, E2, and stamps its expiry, E3). Serialized, so two requests cannot both
   * spend the same headroom.
   */
  withdraw(message: RequestMessages['Withdraw']): Promise<WithdrawalView> {
    return this.exclusive(message.account, () => this.#withdraw(message))
  }

  /**
   * Run `fn` when the account's earlier exclusive work is done: a withdrawal,
   * a fill's pre-trade check and its record, a settlement. Headroom is an
   * account's own, so only its own requests wait on each other.
   */
  exclusive<T>(account: string, fn: () => Promise<T>): Promise<T> {
    const key = account.toLowerCase()
    const run = (this.#exclusive.get(key) ?? Promise.resolve()).then(fn)
    const tail = run.catch(() => {})
    this.#exclusive.set(key, tail)
    void tail.then(() => {
      if (this.#exclusive.get(key) === tail) this.#exclusive.delete(key)
    })
    return run
  }

  readonly #exclusive = new Map<string, Promise<unknown>>()

  /** Every account's state (for the margin book and the life of positions). */
  states(): IterableIterator<AccountState> {
    return this.book.accounts()
  }

  stateOf(account: string): AccountState | undefined {
    return this.book.get(account as Address)
  }

  /**
   * Record what trading decided: fills and their refusals (the orders
   * capability), funding, settlements and status changes (margin). Returns
   * what was new: a fact already in the log is not recorded twice.
   */
  recordTrading(events: readonly TradingEvent[]): Promise<Recorded[]> {
    return this.#record(events)
  }

  /** The event recorded under a natural key (a fill id's first answer), if any. */
  recorded(key: string): Promise<Recorded | undefined> {
    return this.#log.byKey(key)
  }

  async #withdraw(m: RequestMessages['Withdraw']): Promise<WithdrawalView> {
    const chain = this.options.directory.chainByWormholeId(m.chain)
    if (!chain) throw new WithdrawalRefused('unknown_chain', `no chain with Wormhole id ${m.chain}`)
    const token = this.options.directory.token(chain.name, m.token)
    if (!token)
      throw new WithdrawalRefused(
        'unknown_token',
        `${m.token} is not a collateral token on ${chain.name}`,
      )
    if (m.amount <= 0n) throw new WithdrawalRefused('zero_amount', 'amount must be > 0')
    this.#checkPrices(m.account)
    const allowed = this.#withdrawable(m.account, chain.name, m.token)
    if (m.amount > allowed) {
      throw new WithdrawalRefused(
        'exceeds_withdrawable',
        `at most ${allowed} base units of ${token.symbol} on ${chain.name} can be withdrawn now`,
        allowed,
      )
    }
    const id = randomUUID()
    await this.#record([
      {
        kind: 'withdrawal_requested',
        account: m.account,
        withdrawal: id,
        chain: chain.name,
        token: m.token,
        amount: m.amount,
        at: Math.floor(Date.now() / 1000),
      },
    ])
    try {
      const approval = await this.options.hub.approveWithdrawal(
        m.account,
        m.chain,
        m.token,
        m.amount,
      )
      await this.#record([
        { kind: 'withdrawal_approved', account: m.account, withdrawal: id, ...approval },
      ])
    } catch (err) {
      this.options.logger.warn({ err, withdrawal: id }, 'withdrawal approval failed')
      // Only a refusal the hub gave before anything was sent frees the amount; an approval
      // in doubt stays `requested`, reserved, until its payout or refusal links it.
      if (err instanceof ApprovalRefused) {
        await this.#record([
          { kind: 'withdrawal_rejected', account: m.account, withdrawal: id, reason: err.reason },
        ])
      }
    }
    return withdrawalView(this.book.get(m.account)!.withdrawals.get(id)!)
  }

  /**
   * No withdrawal while an underlying the account has price risk on is not
   * priced well (E7): at a stale price, collateral would leave at what it was
   * worth before the market moved.
   */
  #checkPrices(account: Address): void {
    const doubtful = this.options.market.doubtful?.() ?? []
    if (doubtful.length === 0) return
    const state = this.book.get(account)
    if (!state) return
    const { report } = liveReport(state, this.options.directory, this.options.market)
    const exposed = doubtful.filter((u) => Object.hasOwn(report.underlyings, u))
    if (exposed.length > 0) {
      throw new WithdrawalRefused(
        'stale_price',
        `the ${exposed.join(', ')} price is not good now (stale or uncertain): withdrawals wait for it`,
      )
    }
  }

  /** Base units of `token` on `chain` the account can withdraw now. */
  #withdrawable(account: Address, chain: string, token: Address): bigint {
    const state = this.book.get(account)
    if (!state) return 0n
    const { report, lines } = liveReport(state, this.options.directory, this.options.market)
    const i = lines.findIndex(
      (l) => l.chain === chain && l.token.toLowerCase() === token.toLowerCase(),
    )
    if (i < 0) return 0n
    const free = lines[i]!.credited - reservedOf(state, chain, token)
    return withdrawableBase(report.withdrawable[i]!, free, lines[i]!.decimals)
  }

  async delegate(m: RequestMessages['Delegate']): Promise<void> {
    if (this.book.delegation(m.account, m.key)?.revoked) {
      throw new ForbiddenError(
        'key_revoked',
        `${m.account} revoked ${m.key}: it can never be delegated again`,
      )
    }
    await this.#record([
      {
        kind: 'key_delegated',
        account: m.account,
        key: m.key,
        read: m.read,
        trade: m.trade,
        withdraw: m.withdraw,
        keyExpiry: m.keyExpiry,
        nonce: m.nonce,
      },
    ])
  }

  async revoke(m: RequestMessages['Revoke']): Promise<void> {
    await this.#record([{ kind: 'key_revoked', account: m.account, key: m.key }])
  }

  /** Outstanding withdrawals of all accounts (for operators and tests). */
  outstanding(): number {
    let n = 0
    for (const s of this.book.accounts())
      for (const w of s.withdrawals.values()) if (OUTSTANDING.has(w.status)) n++
    return n
  }

  async #record(
    events: readonly AccountEvent[],
    cursor?: { chain: string; next: bigint },
  ): Promise<Recorded[]> {
    const recorded = await this.#log.append(events, cursor)
    this.#applyAll(recorded)
    return recorded
  }

  #applyAll(recorded: readonly Recorded[]): void {
    for (const r of recorded) {
      const state = this.book.apply(r)
      for (const listener of this.#listeners) {
        // A listener's fault is its own: the event is recorded, and the others still hear it.
        try {
          listener(r, state)
        } catch (err) {
          this.options.logger.error({ err, seq: r.seq }, 'account listener failed')
        }
      }
    }
    this.#sinceSnapshot += recorded.length
    const due = this.#sinceSnapshot >= (this.options.snapshotEvery ?? 10_000)
    const spaced = Date.now() - this.#snapshotAt >= (this.options.snapshotMinIntervalMs ?? 0)
    if (due && spaced) {
      this.#snapshotAt = Date.now()
      this.snapshot().catch((err) => this.options.logger.error({ err }, 'snapshot failed'))
    }
  }

  async #follow(adapter: ChainAdapter): Promise<void> {
    let next = (await this.#log.cursor(adapter.chain)) ?? 0n
    let failures = 0
    while (this.#running) {
      try {
        const polled = await adapter.poll(next)
        const events = polled.events.flatMap((e) => toAccountEvent(e))
        if (polled.next !== next || events.length > 0) {
          await this.#record(events, { chain: adapter.chain, next: polled.next })
        }
        const caughtUp = polled.next > polled.head - BigInt(adapter.confirmations)
        next = polled.next
        failures = 0
        if (caughtUp) await sleep(this.options.pollMs ?? 100)
      } catch (err) {
        failures++
        this.options.logger.warn({ err, chain: adapter.chain }, 'adapter poll failed')
        await sleep(Math.min(5_000, 100 * 2 ** failures))
      }
    }
  }
}

function toAccountEvent(e: VaultEvent): AccountEvent[] {
  const fact = {
    chain: e.chain,
    txHash: e.txHash,
    logIndex: e.logIndex,
    blockNumber: e.blockNumber,
    blockTime: e.blockTime,
  }
  switch (e.kind) {
    case 'deposit':
      return [
        {
          kind: 'credit',
          account: e.account,
          fact,
          token: e.token,
          amount: e.amount,
          sequence: e.sequence,
        },
      ]
    case 'payout':
      return [
        {
          kind: 'payout',
          account: e.account,
          fact,
          payoutId: e.id,
          token: e.token,
          amount: e.amount,
          liquidation: e.liquidation,
        },
      ]
    case 'payout_refused':
      return [
        {
          kind: 'payout_refused',
          account: e.account,
          fact,
          payoutId: e.id,
          token: e.token,
          amount: e.amount,
          reason: e.reason,
        },
      ]
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
