/**
 * The life of a position after its fill: perp funding each funding interval
 * (cash events at the feed's rate: amount = -quantity * mark * rate, so longs
 * pay a positive rate), and futures and options settled at expiry (cash
 * event, position removed) before XM-1 would refuse them as expired.
 *
 * A settlement waits for a good price published at or after the expiry: the
 * settlement price is the first the feed gives for that moment, never one
 * from before it. Until then time stands still for the engine just before
 * that expiry (earliestOpenExpiry), so the book stays marginable.
 */
import type { Logger } from 'pino'
import type { AccountState } from '../accounts/account-book.ts'
import type { AccountEvent } from '../accounts/events.ts'
import type { AccountService, TradingEvent } from '../accounts/index.ts'
import { quantityOf } from '../accounts/portfolio.ts'
import type { PriceService } from '../prices/index.ts'
import { parseInstrumentId } from '../risk/instrument-id.ts'
import type { Instrument } from '../risk/types.ts'

export interface LifecycleOptions {
  readonly accounts: AccountService
  readonly prices: PriceService
  readonly fundingIntervalSeconds: number
  readonly logger: Logger
}

type Expiring = Exclude<Instrument, { kind: 'perp' }>

export class Lifecycle {
  /** Expiring instruments with open positions: id -> accounts holding it (lowercase). */
  readonly #open = new Map<string, { instrument: Expiring; holders: Set<string> }>()
  #fundedInterval: number | undefined
  #running = false

  constructor(private readonly options: LifecycleOptions) {}

  /** Start at `now`: the interval running then is not paid (funding is paid as an interval begins). */
  begin(now: number, states: Iterable<AccountState>): void {
    this.#fundedInterval = Math.floor(now / this.options.fundingIntervalSeconds)
    this.track(states)
  }

  track(states: Iterable<AccountState>): void {
    for (const s of states)
      for (const p of s.positions.values()) this.#hold(p.instrument, s.account)
  }

  /** Keep the open-interest index current as fills and settlements are recorded. */
  observe(event: AccountEvent, state: AccountState): void {
    if (event.kind !== 'fill' && event.kind !== 'settlement') return
    const entry = this.#open.get(event.instrument)
    const stillHeld = [...state.positions.values()].some((p) => p.instrument === event.instrument)
    if (stillHeld) this.#hold(event.instrument, state.account)
    else entry?.holders.delete(state.account.toLowerCase())
    if (entry && entry.holders.size === 0) this.#open.delete(event.instrument)
  }

  earliestOpenExpiry(): number | undefined {
    let earliest: number | undefined
    for (const { instrument } of this.#open.values())
      if (earliest === undefined || instrument.expiry < earliest) earliest = instrument.expiry
    return earliest
  }

  /** Funding when a new interval began, settlement of whatever expired; one run at a time. */
  run(now: number): void {
    if (this.#running) return
    this.#running = true
    void (async () => {
      try {
        await this.#fund(now)
        await this.#settle(now)
      } catch (err) {
        this.options.logger.error({ err }, 'position lifecycle failed')
      } finally {
        this.#running = false
      }
    })()
  }

  async #fund(now: number): Promise<void> {
    const interval = Math.floor(now / this.options.fundingIntervalSeconds)
    if (this.#fundedInterval === undefined) this.#fundedInterval = interval
    if (interval <= this.#fundedInterval) return
    this.#fundedInterval = interval
    const { prices, accounts } = this.options
    // Funding at a mark the feed no longer vouches for would move cash on a guess: that
    // underlying's interval is skipped (and logged), not paid late at another price.
    const marks = new Map<string, { mark: number; rate: number }>()
    for (const u of prices.underlyings) {
      const p = prices.current(u)
      const rate = prices.fundingRate(u)
      if (rate === 0) continue
      if (p?.status !== 'ok') {
        this.options.logger.warn(
          { underlying: u, interval },
          'funding skipped: the price is not good',
        )
        continue
      }
      marks.set(u, { mark: p.price, rate })
    }
    if (marks.size === 0) return
    const holders = [...accounts.states()]
      .filter((s) => [...s.positions.values()].some((p) => p.instrument.endsWith('-PERP')))
      .map((s) => s.account)
    // Each account's funding is built and recorded under its lock, from its state then.
    await Promise.all(
      holders.map((account) =>
        accounts.exclusive(account, async () => {
          const state = accounts.stateOf(account)
          if (!state) return
          const events: TradingEvent[] = []
          for (const p of state.positions.values()) {
            const instrument = parseInstrumentId(p.instrument)
            const m = instrument.kind === 'perp' ? marks.get(instrument.underlying) : undefined
            if (!m) continue
            events.push({
              kind: 'funding',
              account: state.account,
              chain: p.chain,
              instrument: p.instrument,
              interval,
              rate: m.rate,
              mark: m.mark,
              quantity: p.quantity,
              amount: fundingAmount(p.quantity, m.mark, m.rate),
            })
          }
          if (events.length > 0) await accounts.recordTrading(events)
        }),
      ),
    )
  }

  async #settle(now: number): Promise<void> {
    for (const [id, { instrument, holders }] of [...this.#open]) {
      if (instrument.expiry > now) continue
      const price = this.options.prices.current(instrument.underlying)
      if (!price || price.status !== 'ok' || price.publishTime < instrument.expiry) continue
      for (const holder of [...holders]) {
        await this.options.accounts.exclusive(holder, async () => {
          const state = this.options.accounts.stateOf(holder)
          if (!state) return
          const events = [...state.positions.values()]
            .filter((p) => p.instrument === id)
            .map(
              (p): TradingEvent => ({
                kind: 'settlement',
                account: state.account,
                chain: p.chain,
                instrument: id,
                price: price.price,
                quantity: p.quantity,
                amount: settlementAmount(instrument, p.quantity, p.basis, price.price),
                at: now,
              }),
            )
          if (events.length > 0) await this.options.accounts.recordTrading(events)
        })
      }
    }
  }

  #hold(id: string, account: string): void {
    const instrument = parseInstrumentId(id)
    if (instrument.kind === 'perp') return
    let entry = this.#open.get(id)
    if (!entry) {
      entry = { instrument, holders: new Set() }
      this.#open.set(id, entry)
    }
    entry.holders.add(account.toLowerCase())
  }
}

/** USD the holder receives: a long pays a positive rate on its notional at the mark. */
export function fundingAmount(quantity: bigint, mark: number, rate: number): number {
  return -quantityOf(quantity) * mark * rate
}

/** USD the holder receives at expiry: a future's PnL against its basis, an option's payoff. */
export function settlementAmount(
  instrument: Expiring,
  quantity: bigint,
  basis: number,
  price: number,
): number {
  const q = quantityOf(quantity)
  if (instrument.kind === 'future') return q * price - basis
  const payoff =
    instrument.type === 'call'
      ? Math.max(price - instrument.strike, 0)
      : Math.max(instrument.strike - price, 0)
  return q * payoff
}
