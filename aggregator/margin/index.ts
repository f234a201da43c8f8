/**
 * Margin: the live book. Owns the batch engine holding every account's
 * portfolio, kept current from the account log (a credit, fill, funding
 * payment, settlement or withdrawal re-margins its account alone) and from
 * the price service (a tick re-margins only the accounts exposed to the
 * underlying that moved). A status that changes becomes a `status_changed`
 * event in the account log, so it reaches the account's stream in log order.
 * Also owns time: the life of positions (funding, expiry settlement,
 * lifecycle.ts) and re-pricing for the passage of time.
 *
 * The market the engine holds is the one market of the service: the account
 * view, withdrawals (E7) and GET /v1/markets read it through `marketSource`.
 */
import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import type { Address } from 'viem'
import type { AccountState } from '../accounts/account-book.ts'
import { CHANGES_HOLDINGS, type MarginMoment, type Recorded } from '../accounts/events.ts'
import type { AccountService, TradingEvent } from '../accounts/index.ts'
import type { MarketSource } from '../accounts/market-source.ts'
import { portfolioOf } from '../accounts/portfolio.ts'
import { UnavailableError } from '../errors.ts'
import type { PriceService, PriceTick } from '../prices/index.ts'
import { BatchEngine } from '../risk/batch/engine.ts'
import type { MarginFigures, Market, Portfolio, RiskParams, Status } from '../risk/types.ts'
import { type MarginConfig, riskParamsOf } from './config.ts'
import { Lifecycle } from './lifecycle.ts'
import { marketDocument, paramsDocument } from './market-document.ts'

export { DEFAULT_MARGIN_CONFIG, type MarginConfig } from './config.ts'

export interface MarginServiceOptions {
  readonly accounts: AccountService
  readonly prices: PriceService
  readonly config: MarginConfig
  readonly logger: Logger
  /** Unix seconds. */
  readonly now?: () => number
  /** Seconds between funding payments. */
  readonly fundingIntervalSeconds: number
  /** How long start waits for every underlying's first price (an external feed may be slow). */
  readonly firstPriceTimeoutMs?: number
}

export class MarginService {
  readonly params: RiskParams
  readonly #engine: BatchEngine
  readonly #index = new Map<string, number>()
  readonly #addresses: Address[] = []
  /** The status last recorded per account index (what its stream has been told). */
  readonly #told: Status[] = []
  readonly #lifecycle: Lifecycle
  readonly #unsubscribe: (() => void)[] = []
  #timer: NodeJS.Timeout | undefined
  #pending: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly options: MarginServiceOptions,
    market: Market,
  ) {
    this.params = riskParamsOf(options.config)
    this.#engine = BatchEngine.empty(market, this.params)
    this.#lifecycle = new Lifecycle({
      accounts: options.accounts,
      prices: options.prices,
      fundingIntervalSeconds: options.fundingIntervalSeconds,
      logger: options.logger,
    })
  }

  /** Load every account into the engine at the current prices, then follow the log and the prices. */
  static async start(options: MarginServiceOptions): Promise<MarginService> {
    const now = options.now ?? (() => Math.floor(Date.now() / 1000))
    await firstPrices(options.prices, options.firstPriceTimeoutMs ?? 30_000)
    const service = new MarginService(options, liveMarket(options.prices, options.config, now()))
    service.#lifecycle.begin(now(), options.accounts.states())
    for (const state of options.accounts.states()) service.#load(state)
    service.#unsubscribe.push(
      options.accounts.subscribe((r, state) => service.#onAccount(r, state)),
      options.prices.subscribe((tick) => service.#onPrice(tick)),
    )
    // Statuses the log has not been told yet (prices moved while the service was down).
    service.#tellChanges(
      service.#addresses.flatMap((_, i) => {
        const status = service.#engine.status(i)
        return status === service.#told[i]
          ? []
          : [{ index: i, from: service.#told[i]!, to: status }]
      }),
      'price',
    )
    service.#timer = setInterval(() => service.#passTime(), 1_000)
    service.#timer.unref()
    return service
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    for (const u of this.#unsubscribe) u()
    await this.#pending.catch(() => {})
  }

  /** The engine's market and parameters as spec documents: one snapshot for one answer. */
  get marketSource(): MarketSource {
    return {
      current: () => ({
        market: marketDocument(this.#engine.market),
        params: paramsDocument(this.params),
      }),
    }
  }

  get market(): Market {
    return this.#engine.market
  }

  get accountCount(): number {
    return this.#addresses.length
  }

  /** Accounts per status at the live prices (for /metrics). */
  statusCounts(): Record<Status, number> {
    const counts: Record<Status, number> = {
      healthy: 0,
      restricted: 0,
      liquidatable: 0,
      bankrupt: 0,
    }
    for (let i = 0; i < this.#addresses.length; i++) counts[this.#engine.status(i)]++
    return counts
  }

  /** The account's live figures; an account the book has never seen holds nothing. */
  figures(account: Address): MarginFigures {
    const i = this.#index.get(account.toLowerCase())
    return i === undefined ? this.#engine.whatIf(EMPTY) : this.#engine.figures(i)
  }

  /** Figures of `portfolio` at the live prices, changing nothing (the pre-trade check). */
  whatIf(portfolio: Portfolio): MarginFigures {
    return this.#engine.whatIf(portfolio)
  }

  /** Resolves once every status change recorded so far is in the log (tests, shutdown). */
  settled(): Promise<void> {
    return this.#pending.then(() => {})
  }

  #load(state: AccountState): number {
    const key = state.account.toLowerCase()
    let i = this.#index.get(key)
    const portfolio = portfolioOf(state, this.options.accounts.directory)
    if (i === undefined) {
      i = this.#engine.add(portfolio)
      this.#index.set(key, i)
      this.#addresses[i] = state.account
      this.#told[i] = (state.status as Status | undefined) ?? 'healthy'
    } else {
      this.#engine.set(i, portfolio)
    }
    return i
  }

  #onAccount(r: Recorded, state: AccountState): void {
    this.#lifecycle.observe(r.event, state)
    if (!CHANGES_HOLDINGS.has(r.event.kind)) return
    const i = this.#load(state)
    const status = this.#engine.status(i)
    if (status !== this.#told[i])
      this.#tellChanges([{ index: i, from: this.#told[i]!, to: status }], 'account')
  }

  #onPrice(tick: PriceTick): void {
    const current = this.#engine.market.underlyings.get(tick.underlying)
    if (!current || (current.price === tick.price && current.vol === tick.vol)) return
    const changes: Change[] = []
    this.#engine.updateUnderlying(
      tick.underlying,
      { price: tick.price, vol: tick.vol },
      (index, from, to) => changes.push({ index, from, to }),
    )
    this.#tellChanges(changes, 'price')
  }

  #passTime(): void {
    const now = (this.options.now ?? (() => Math.floor(Date.now() / 1000)))()
    this.#lifecycle.run(now)
    // XM-1 cannot margin an instrument at or past its expiry: time stops just before the
    // earliest one still open until it is settled.
    const stop = this.#lifecycle.earliestOpenExpiry()
    const t = stop === undefined ? now : Math.min(now, stop - 1)
    if (t - this.#engine.market.timestamp < this.options.config.timePassSeconds) return
    const changes: Change[] = []
    this.#engine.setTimestamp(t, (index, from, to) => changes.push({ index, from, to }))
    this.#tellChanges(changes, 'time')
  }

  /** Record status changes as one append, in order; `told` moves at once so none is told twice. */
  #tellChanges(changes: readonly Change[], cause: 'price' | 'time' | 'account'): void {
    if (changes.length === 0) return
    const at = Math.floor(Date.now() / 1000)
    const events: TradingEvent[] = changes.map(({ index, from, to }) => {
      this.#told[index] = to
      return {
        kind: 'status_changed',
        account: this.#addresses[index]!,
        id: randomUUID(),
        from,
        to,
        figures: this.#moment(index),
        cause,
        at,
      }
    })
    const recorded = this.options.accounts.recordTrading(events)
    this.#pending = this.#pending
      .then(() => recorded)
      .catch((err) => {
        this.options.logger.error({ err }, 'recording status changes failed')
      })
  }

  #moment(i: number): MarginMoment {
    return {
      equity: this.#engine.equity[i]!,
      maintenanceMargin: this.#engine.maintenanceMargin[i]!,
      initialMargin: this.#engine.initialMargin[i]!,
      status: this.#engine.status(i),
    }
  }
}

interface Change {
  readonly index: number
  readonly from: Status
  readonly to: Status
}

const EMPTY: Portfolio = { cash: 0, collateral: [], positions: [] }

/** Wait until every underlying has a price, or fail naming the ones without. */
async function firstPrices(prices: PriceService, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const missing = prices.underlyings.filter((u) => !prices.current(u))
    if (missing.length === 0) return
    if (Date.now() >= deadline)
      throw new UnavailableError('setting_up', `no price yet for ${missing.join(', ')}`, 5)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The XM-1 market from the price service's last good prices and the configured assets. */
function liveMarket(prices: PriceService, config: MarginConfig, timestamp: number): Market {
  const underlyings = new Map<string, { price: number; vol: number }>()
  for (const name of prices.underlyings) {
    const p = prices.current(name)
    if (!p) throw new UnavailableError('setting_up', `no price for ${name} yet`, 1)
    underlyings.set(name, { price: p.price, vol: p.vol })
  }
  const assets = new Map(
    Object.entries(config.assets).map(([name, a]) => [
      name,
      a.underlying === undefined
        ? { kind: 'fixed' as const, price: a.price!, haircut: a.haircut }
        : { kind: 'underlying' as const, underlying: a.underlying, haircut: a.haircut },
    ]),
  )
  return { timestamp, underlyings, assets }
}
