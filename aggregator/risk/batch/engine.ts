/**
 * The live batch XM-1 engine: the whole book, kept current while accounts
 * come and go, fills and transfers change portfolios, prices tick and time
 * passes.
 *
 * Layout: columnar typed arrays in three pools, each account owning one run
 * in each:
 * - slots, one per underlying the account holds, sorted by underlying; a
 *   slot caches its scan risk, scenario and value, so a tick of one
 *   underlying re-evaluates only the slots on it and their accounts' totals;
 * - holdings, (instrument-table row, netted quantity), split by the slots
 *   (see staged-portfolio.ts for what one holding is);
 * - credit ops: the spread credits whose two legs the account holds, in
 *   params order, as slot offsets, so an account with one underlying (or no
 *   creditable pair) skips the credit walk entirely.
 * A run sits in a reserved capacity. A set() whose new run fits rewrites in
 * place; else the run moves to the end of its pool and its old space is
 * dead. When a pool is more dead than live, every pool is compacted in
 * account order, which also gives the full pass its memory order back.
 *
 * Figures agree with the reference engine (../reference.ts) up to float
 * summation order; live-engine.test.ts checks every step of random
 * sequences, and bench:risk checks the book.
 */
import { ComputationError, InputError } from '../../errors.ts'
import { readPositive, readUnixSeconds } from '../fields.ts'
import { SCENARIO_COUNT, scenarioDirection } from '../scenarios.ts'
import type {
  Direction,
  MarginFigures,
  Market,
  Portfolio,
  RiskParams,
  Status,
  UnderlyingQuote,
  UnderlyingRisk,
} from '../types.ts'
import { InstrumentTable } from './instrument-table.ts'
import { scanned, scanSlots } from './slot-scan.ts'
import { StagedPortfolio } from './staged-portfolio.ts'

const STATUSES: readonly Status[] = ['healthy', 'restricted', 'liquidatable', 'bankrupt']
/** Direction of scenario code k (1-based; 0 = none). */
const DIRECTION = Int8Array.from({ length: SCENARIO_COUNT + 1 }, (_, k) =>
  k === 0 ? 0 : scenarioDirection(k - 1),
)
/** A pool is compacted once it is at least this large and more dead than live. */
const COMPACT_FLOOR = 4096

/** An account's figures without the per-underlying detail: what a pre-trade check reads. */
export interface MarginSummary {
  equity: number
  scanRisk: number
  spreadCredit: number
  shortOptionMinimum: number
  maintenanceMargin: number
  initialMargin: number
  status: Status
}

/** Told once per account whose status a tick or a new timestamp changed. */
export type StatusChange = (account: number, from: Status, to: Status) => void

export class BatchEngine {
  readonly params: RiskParams
  #market: Market
  #n = 0

  readonly #names: readonly string[]
  readonly #index: ReadonlyMap<string, number>
  readonly #hasParams: readonly boolean[]
  readonly #table: InstrumentTable
  readonly #staged: StagedPortfolio
  readonly #extremeWeight: number
  /** shortOptionMinimum(u) * S(u) per underlying. */
  readonly #shortPerUnit: Float64Array
  /** params.spreadCredits as underlying indices (-1: not in the market, never applies). */
  readonly #creditLegA: Int32Array
  readonly #creditLegB: Int32Array
  readonly #creditRate: Float64Array

  // Per account.
  #fixedEquity = new Float64Array(0)
  #earliestExpiry = new Float64Array(0)
  #slotStart = new Int32Array(0)
  #slotCount = new Int32Array(0)
  #slotCap = new Int32Array(0)
  #holdStart = new Int32Array(0)
  #holdCount = new Int32Array(0)
  #holdCap = new Int32Array(0)
  #opStart = new Int32Array(0)
  #opCount = new Int32Array(0)
  #opCap = new Int32Array(0)
  #equity = new Float64Array(0)
  #scanRisk = new Float64Array(0)
  #spreadCredit = new Float64Array(0)
  #shortMin = new Float64Array(0)
  #maintenance = new Float64Array(0)
  #initial = new Float64Array(0)
  #status = new Uint8Array(0)

  // Slot pool.
  #slotEnd = 0
  #slotDead = 0
  #slotUnderlying = new Int32Array(0)
  #slotAccount = new Int32Array(0)
  #slotHoldStart = new Int32Array(0)
  #slotHoldEnd = new Int32Array(0)
  #slotShortQty = new Float64Array(0)
  #slotScan = new Float64Array(0)
  #slotScenario = new Int8Array(0)
  #slotValue = new Float64Array(0)
  /** Where slot s sits in #slotsOn of its underlying (so it leaves in O(1)). */
  #slotListPos = new Int32Array(0)
  /** Slots on each underlying: the accounts a tick of it touches. */
  readonly #slotsOn: Int32Array[]
  readonly #slotsOnCount: Int32Array

  // Holding pool.
  #holdEnd = 0
  #holdDead = 0
  #holdRow = new Int32Array(0)
  #holdQty = new Float64Array(0)

  // Credit-op pool: slot offsets within the account's run, and the rate.
  #opEnd = 0
  #opDead = 0
  #opA = new Int32Array(0)
  #opB = new Int32Array(0)
  #opRate = new Float64Array(0)

  // Scratch: the staged portfolio's evaluation, the credit walk, status changes.
  readonly #stagedScan: Float64Array
  readonly #stagedScenario: Int8Array
  readonly #stagedValue: Float64Array
  readonly #stagedOpA: Int32Array
  readonly #stagedOpB: Int32Array
  readonly #stagedOpRate: Float64Array
  #stagedOps = 0
  #stagedEquity = 0
  #stagedScanTotal = 0
  #stagedShortMin = 0
  #stagedCredit = 0
  readonly #slotOf: Int32Array
  readonly #avail: Float64Array
  #recording = false
  #reporting = false
  #changeCount = 0
  #changeAccount = new Int32Array(64)
  #changeFrom = new Uint8Array(64)
  #changeTo = new Uint8Array(64)
  /** Sweep unheld option rows once the table holds more than this. */
  #sweepAt = 256

  private constructor(market: Market, params: RiskParams) {
    this.#market = market
    this.params = params
    this.#names = [...market.underlyings.keys()].sort()
    this.#index = new Map(this.#names.map((u, i) => [u, i]))
    const up = this.#names.map((u) => params.underlyings.get(u))
    this.#hasParams = up.map((p) => p !== undefined)
    const quotes = this.#names.map((u) => market.underlyings.get(u)!)
    this.#table = new InstrumentTable(this.#names.length, quotes, up, params, market.timestamp)
    this.#staged = new StagedPortfolio(this.#table, this.#index, this.#hasParams, market.assets)
    this.#extremeWeight = params.extremeCoverFraction
    const u = this.#names.length
    this.#shortPerUnit = Float64Array.from({ length: u }, (_, i) => this.#table.shortMinPerUnit(i))
    const leg = (name: string) => this.#index.get(name) ?? -1
    this.#creditLegA = Int32Array.from(params.spreadCredits, (c) => leg(c.legs[0]))
    this.#creditLegB = Int32Array.from(params.spreadCredits, (c) => leg(c.legs[1]))
    this.#creditRate = Float64Array.from(params.spreadCredits, (c) => c.rate)
    this.#slotsOn = Array.from({ length: u }, () => new Int32Array(16))
    this.#slotsOnCount = new Int32Array(u)
    this.#stagedScan = new Float64Array(u)
    this.#stagedScenario = new Int8Array(u)
    this.#stagedValue = new Float64Array(u)
    const credits = params.spreadCredits.length
    this.#stagedOpA = new Int32Array(credits)
    this.#stagedOpB = new Int32Array(credits)
    this.#stagedOpRate = new Float64Array(credits)
    this.#slotOf = new Int32Array(u).fill(-1)
    this.#avail = new Float64Array(u)
  }

  /** A book with no accounts yet, on a validated market and parameters. */
  static empty(market: Market, params: RiskParams): BatchEngine {
    return new BatchEngine(market, params)
  }

  /** A book of validated portfolios sharing one market and one set of parameters. */
  static build(market: Market, params: RiskParams, portfolios: readonly Portfolio[]): BatchEngine {
    const engine = new BatchEngine(market, params)
    for (const portfolio of portfolios) engine.add(portfolio)
    return engine
  }

  /** The market the figures are on: every tick and timestamp applied so far. */
  get market(): Market {
    return this.#market
  }

  get accountCount(): number {
    return this.#n
  }

  /** Entries in use or dead in each pool, and rows in the instrument table: what the book costs. */
  get storage(): { slots: number; holdings: number; creditOps: number; rows: number } {
    return {
      slots: this.#slotEnd,
      holdings: this.#holdEnd,
      creditOps: this.#opEnd,
      rows: this.#table.size,
    }
  }

  /** Per account outputs, indexed by account (views: valid until the next add). */
  get equity(): Float64Array {
    return this.#equity.subarray(0, this.#n)
  }
  get scanRisk(): Float64Array {
    return this.#scanRisk.subarray(0, this.#n)
  }
  get spreadCredit(): Float64Array {
    return this.#spreadCredit.subarray(0, this.#n)
  }
  get shortOptionMinimum(): Float64Array {
    return this.#shortMin.subarray(0, this.#n)
  }
  get maintenanceMargin(): Float64Array {
    return this.#maintenance.subarray(0, this.#n)
  }
  get initialMargin(): Float64Array {
    return this.#initial.subarray(0, this.#n)
  }
  /** 0 healthy, 1 restricted, 2 liquidatable, 3 bankrupt. */
  get statusCode(): Uint8Array {
    return this.#status.subarray(0, this.#n)
  }

  /**
   * A new account holding `portfolio`, evaluated at once. Returns its index.
   * Refuses (InputError) what XM-1 cannot margin on this market; refuses
   * (ComputationError) figures float64 cannot hold. Either way, no change.
   */
  add(portfolio: Portfolio): number {
    this.#stageAndEvaluate(portfolio)
    const a = this.#n
    if (a === this.#fixedEquity.length) this.#growAccounts(Math.max(16, a * 2))
    this.#n++
    this.#slotStart[a] = this.#slotEnd
    this.#holdStart[a] = this.#holdEnd
    this.#opStart[a] = this.#opEnd
    this.#slotCount[a] = 0
    this.#holdCount[a] = 0
    this.#opCount[a] = 0
    // A new account gets runs of its exact size: a book built in one go is dense.
    this.#commit(a, 0)
    return a
  }

  /**
   * Replace account a's whole portfolio (cash, collateral, positions) and
   * re-evaluate it; returns its new status. Refuses as add() does, with no
   * change.
   */
  set(a: number, portfolio: Portfolio): Status {
    this.#checkAccount(a)
    this.#stageAndEvaluate(portfolio)
    this.#commit(a, 1)
    this.#maybeCompact()
    return STATUSES[this.#status[a]!]!
  }

  /**
   * `portfolio`'s figures against the live rows, changing nothing in the
   * book: the pre-trade check. Without `into`, the reference engine's full
   * shape (as figures()); with `into`, only the totals, written into that
   * reused object, and the call allocates nothing (a fill in an instrument
   * nobody holds does add its priced row to the table).
   * Refuses as add() does.
   */
  whatIf(portfolio: Portfolio): MarginFigures
  whatIf(portfolio: Portfolio, into: MarginSummary): MarginSummary
  whatIf(portfolio: Portfolio, into?: MarginSummary): MarginSummary | MarginFigures {
    this.#stageAndEvaluate(portfolio)
    const credit = this.#stagedCredit
    const scanRisk = this.#stagedScanTotal - credit
    const equity = this.#stagedEquity
    const mm = Math.max(scanRisk, this.#stagedShortMin)
    const im = mm * this.params.initialMarginFactor
    const status = STATUSES[statusCode(equity, mm, im)]!
    if (into === undefined) {
      const staged = this.#staged
      const underlyings: Record<string, UnderlyingRisk> = {}
      for (let s = 0; s < staged.slotCount; s++)
        defineRisk(
          underlyings,
          this.#names[staged.slotUnderlying[s]!]!,
          this.#stagedScan[s]!,
          this.#stagedScenario[s]!,
        )
      return {
        equity,
        underlyings,
        spreadCredit: credit,
        scanRisk,
        shortOptionMinimum: this.#stagedShortMin,
        maintenanceMargin: mm,
        initialMargin: im,
        marginRatio: mm === 0 ? null : equity / mm,
        status,
      }
    }
    into.equity = equity
    into.scanRisk = scanRisk
    into.spreadCredit = credit
    into.shortOptionMinimum = this.#stagedShortMin
    into.maintenanceMargin = mm
    into.initialMargin = im
    into.status = status
    return into
  }

  /**
   * A new quote for one underlying: re-price its rows once, then re-evaluate
   * only the accounts exposed to it. Returns how many; tells `onChange`
   * about each whose status changed (after the book is consistent again).
   */
  updateUnderlying(name: string, quote: UnderlyingQuote, onChange?: StatusChange): number {
    const u = this.#index.get(name)
    if (u === undefined || !this.#hasParams[u])
      throw new InputError(
        'underlying',
        'unknown_reference',
        `unknown underlying ${name}: not in the book's market and parameters`,
      )
    const price = readPositive(quote.price, 'quote.price')
    const vol = readPositive(quote.vol, 'quote.vol')
    const underlyings = new Map(this.#market.underlyings)
    underlyings.set(name, { price, vol })
    this.#market = { ...this.#market, underlyings }
    this.#table.setQuote(u, price, vol)
    this.#shortPerUnit[u] = this.#table.shortMinPerUnit(u)

    this.#beginPass(onChange)
    const { entries, mark } = this.#table
    const rows = this.#holdRow
    const qty = this.#holdQty
    const slots = this.#slotsOn[u]!
    const count = this.#slotsOnCount[u]!
    for (let i = 0; i < count; i++) {
      const s = slots[i]!
      scanSlots(
        entries,
        mark,
        rows,
        qty,
        this.#slotHoldStart,
        this.#slotHoldEnd,
        s,
        s + 1,
        this.#extremeWeight,
        this.#slotScan,
        this.#slotScenario,
        this.#slotValue,
      )
      // An account has one slot per underlying, so no account is evaluated twice.
      this.#totalAccount(this.#slotAccount[s]!)
    }
    this.#endPass(onChange)
    return count
  }

  /**
   * Time passes: re-price every row at timestamp t (options' time to expiry
   * from t) and re-evaluate every account, telling `onChange` of each
   * status change. Refuses (InputError, no change) a t at or past the expiry
   * of anything an account holds: XM-1 cannot margin it, settle it first.
   */
  setTimestamp(t: number, onChange?: StatusChange): void {
    readUnixSeconds(t, 'timestamp')
    for (let a = 0; a < this.#n; a++) {
      if (this.#earliestExpiry[a]! <= t)
        throw new InputError(
          'timestamp',
          'expired',
          `timestamp ${t} is at or past expiry ${this.#earliestExpiry[a]} of an instrument account ${a} holds: settle it before moving time past it`,
        )
    }
    this.#market = { ...this.#market, timestamp: t }
    // Nobody holds an instrument at or past t (checked above), so its row can go.
    const expiry = this.#table.expiry
    this.#table.freeRows((r) => expiry[r]! > t)
    this.#table.setTimestamp(t)
    this.#evaluateAll(onChange)
  }

  /** Re-price every row and re-evaluate every account. */
  fullPass(onChange?: StatusChange): void {
    this.#table.setTimestamp(this.#table.timestamp)
    this.#evaluateAll(onChange)
  }

  status(a: number): Status {
    this.#checkAccount(a)
    return STATUSES[this.#status[a]!]!
  }

  /** Account a in the shape of the reference engine's output. */
  figures(a: number): MarginFigures {
    this.#checkAccount(a)
    const underlyings: Record<string, UnderlyingRisk> = {}
    for (let s = this.#slotStart[a]!, end = s + this.#slotCount[a]!; s < end; s++)
      defineRisk(
        underlyings,
        this.#names[this.#slotUnderlying[s]!]!,
        this.#slotScan[s]!,
        this.#slotScenario[s]!,
      )
    const mm = this.#maintenance[a]!
    return {
      equity: this.#equity[a]!,
      underlyings,
      spreadCredit: this.#spreadCredit[a]!,
      scanRisk: this.#scanRisk[a]!,
      shortOptionMinimum: this.#shortMin[a]!,
      maintenanceMargin: mm,
      initialMargin: this.#initial[a]!,
      marginRatio: mm === 0 ? null : this.#equity[a]! / mm,
      status: STATUSES[this.#status[a]!]!,
    }
  }

  #checkAccount(a: number): void {
    if (!Number.isInteger(a) || a < 0 || a >= this.#n)
      throw new InputError(
        'account',
        'out_of_range',
        `account ${a} is not in the book (it holds accounts 0 to ${this.#n - 1})`,
      )
  }

  /** Every account, in account order; the pass bench:risk times. */
  #evaluateAll(onChange: StatusChange | undefined): void {
    this.#beginPass(onChange)
    const { entries, mark } = this.#table
    const rows = this.#holdRow
    const qty = this.#holdQty
    const w = this.#extremeWeight
    const slotStart = this.#slotStart
    const slotCount = this.#slotCount
    const holdStart = this.#slotHoldStart
    const holdEnd = this.#slotHoldEnd
    const slotScan = this.#slotScan
    const slotScenario = this.#slotScenario
    const slotValue = this.#slotValue
    const shortQty = this.#slotShortQty
    const slotUnderlying = this.#slotUnderlying
    const perUnit = this.#shortPerUnit
    const fixed = this.#fixedEquity
    const opCount = this.#opCount
    for (let a = 0; a < this.#n; a++) {
      const first = slotStart[a]!
      const end = first + slotCount[a]!
      const scan = scanSlots(
        entries,
        mark,
        rows,
        qty,
        holdStart,
        holdEnd,
        first,
        end,
        w,
        slotScan,
        slotScenario,
        slotValue,
      )
      const equity = fixed[a]! + scanned.value
      let shortMin = 0
      for (let s = first; s < end; s++) shortMin += shortQty[s]! * perUnit[slotUnderlying[s]!]!
      const credit = opCount[a] === 0 ? 0 : this.#accountCredit(a)
      this.#store(a, equity, scan, shortMin, credit)
    }
    this.#endPass(onChange)
  }

  /** Account a's totals from its slots' cached figures. */
  #totalAccount(a: number): void {
    // Summed in the order scanSlots sums them, so every path gives the same figures to the bit.
    let value = 0
    let scan = 0
    let shortMin = 0
    for (let s = this.#slotStart[a]!, end = s + this.#slotCount[a]!; s < end; s++) {
      value += this.#slotValue[s]!
      scan += this.#slotScan[s]!
      shortMin += this.#slotShortQty[s]! * this.#shortPerUnit[this.#slotUnderlying[s]!]!
    }
    const equity = this.#fixedEquity[a]! + value
    const credit = this.#opCount[a] === 0 ? 0 : this.#accountCredit(a)
    this.#store(a, equity, scan, shortMin, credit)
  }

  #accountCredit(a: number): number {
    const ops = this.#opStart[a]!
    return walkCredits(
      this.#opA,
      this.#opB,
      this.#opRate,
      ops,
      ops + this.#opCount[a]!,
      this.#slotScan,
      this.#slotScenario,
      this.#slotStart[a]!,
      this.#slotCount[a]!,
      this.#avail,
    )
  }

  /** Spec section 6 from the sums; records a status change when a pass asked for them. */
  #store(a: number, equity: number, scan: number, shortMin: number, credit: number): void {
    const mm = Math.max(scan - credit, shortMin)
    const im = mm * this.params.initialMarginFactor
    this.#equity[a] = equity
    this.#scanRisk[a] = scan - credit
    this.#spreadCredit[a] = credit
    this.#shortMin[a] = shortMin
    this.#maintenance[a] = mm
    this.#initial[a] = im
    const code = statusCode(equity, mm, im)
    const was = this.#status[a]!
    this.#status[a] = code
    if (this.#recording && code !== was) this.#recordChange(a, was, code)
  }

  #beginPass(onChange: StatusChange | undefined): void {
    // A callback of an outer pass may start this one: leave the outer pass its buffers.
    if (this.#reporting) {
      this.#changeAccount = new Int32Array(64)
      this.#changeFrom = new Uint8Array(64)
      this.#changeTo = new Uint8Array(64)
    }
    this.#recording = onChange !== undefined
    this.#changeCount = 0
  }

  /** Tell onChange, once the book is consistent: a callback may read it, or change it. */
  #endPass(onChange: StatusChange | undefined): void {
    this.#recording = false
    if (onChange === undefined || this.#changeCount === 0) return
    const count = this.#changeCount
    const accounts = this.#changeAccount
    const from = this.#changeFrom
    const to = this.#changeTo
    const outer = this.#reporting
    this.#reporting = true
    try {
      for (let i = 0; i < count; i++) onChange(accounts[i]!, STATUSES[from[i]!]!, STATUSES[to[i]!]!)
    } finally {
      this.#reporting = outer
    }
  }

  #recordChange(a: number, from: number, to: number): void {
    const i = this.#changeCount++
    if (i === this.#changeAccount.length) {
      this.#changeAccount = grown(this.#changeAccount, i * 2)
      this.#changeFrom = grown(this.#changeFrom, i * 2)
      this.#changeTo = grown(this.#changeTo, i * 2)
    }
    this.#changeAccount[i] = a
    this.#changeFrom[i] = from
    this.#changeTo[i] = to
  }

  /**
   * Stage `portfolio` and evaluate it into the staged scratch: each slot's
   * scan, scenario and value, its credit ops, and the totals. Throws before
   * anything in the book changes.
   */
  #stageAndEvaluate(portfolio: Portfolio): void {
    if (this.#table.optionRows > this.#sweepAt) this.#sweepRows()
    const staged = this.#staged
    staged.stage(portfolio)
    const { entries, mark } = this.#table
    const slots = staged.slotCount
    const scan = scanSlots(
      entries,
      mark,
      staged.rows,
      staged.qty,
      staged.slotStart,
      staged.slotEnd,
      0,
      slots,
      this.#extremeWeight,
      this.#stagedScan,
      this.#stagedScenario,
      this.#stagedValue,
    )
    const equity = staged.fixedEquity + scanned.value
    let shortMin = 0
    for (let s = 0; s < slots; s++)
      shortMin += staged.slotShortQty[s]! * this.#shortPerUnit[staged.slotUnderlying[s]!]!
    // The credits whose legs this portfolio both holds, as slot offsets, in params order.
    let ops = 0
    if (slots > 1 && this.#creditRate.length > 0) {
      const slotOf = this.#slotOf
      for (let s = 0; s < slots; s++) slotOf[staged.slotUnderlying[s]!] = s
      for (let c = 0; c < this.#creditRate.length; c++) {
        const legA = this.#creditLegA[c]!
        const legB = this.#creditLegB[c]!
        if (legA < 0 || legB < 0 || slotOf[legA]! < 0 || slotOf[legB]! < 0) continue
        this.#stagedOpA[ops] = slotOf[legA]!
        this.#stagedOpB[ops] = slotOf[legB]!
        this.#stagedOpRate[ops++] = this.#creditRate[c]!
      }
      for (let s = 0; s < slots; s++) slotOf[staged.slotUnderlying[s]!] = -1
    }
    this.#stagedOps = ops
    const credit =
      ops === 0
        ? 0
        : walkCredits(
            this.#stagedOpA,
            this.#stagedOpB,
            this.#stagedOpRate,
            0,
            ops,
            this.#stagedScan,
            this.#stagedScenario,
            0,
            slots,
            this.#avail,
          )
    // As the reference engine: figures float64 cannot hold are refused, never stored.
    const mm = Math.max(scan - credit, shortMin)
    const im = mm * this.params.initialMarginFactor
    if (!Number.isFinite(equity) || !Number.isFinite(im))
      throw new ComputationError(
        `${Number.isFinite(equity) ? 'initialMargin' : 'equity'} is not a finite number`,
        'the inputs are too large for float64 arithmetic',
      )
    this.#stagedEquity = equity
    this.#stagedScanTotal = scan
    this.#stagedShortMin = shortMin
    this.#stagedCredit = credit
  }

  /**
   * Write the staged portfolio into account a: in place where each run fits
   * its reserved capacity, else relocated to the end of its pool with
   * `headroom` (0: exact size, 1: half as much again for the next fills).
   */
  #commit(a: number, headroom: 0 | 1): void {
    const staged = this.#staged
    for (let s = this.#slotStart[a]!, end = s + this.#slotCount[a]!; s < end; s++) this.#unlist(s)

    const slots = staged.slotCount
    if (!fits(slots, this.#slotCap[a]!)) {
      this.#slotDead += this.#slotCap[a]!
      const cap = reserve(slots, headroom)
      this.#ensureSlots(this.#slotEnd + cap)
      this.#slotStart[a] = this.#slotEnd
      this.#slotCap[a] = cap
      this.#slotEnd += cap
    }
    const holdings = staged.holdingCount
    if (!fits(holdings, this.#holdCap[a]!)) {
      this.#holdDead += this.#holdCap[a]!
      const cap = reserve(holdings, headroom)
      this.#ensureHoldings(this.#holdEnd + cap)
      this.#holdStart[a] = this.#holdEnd
      this.#holdCap[a] = cap
      this.#holdEnd += cap
    }
    const ops = this.#stagedOps
    if (!fits(ops, this.#opCap[a]!)) {
      this.#opDead += this.#opCap[a]!
      const cap = reserve(ops, headroom)
      this.#ensureOps(this.#opEnd + cap)
      this.#opStart[a] = this.#opEnd
      this.#opCap[a] = cap
      this.#opEnd += cap
    }

    const h0 = this.#holdStart[a]!
    this.#holdRow.set(staged.rows.subarray(0, holdings), h0)
    this.#holdQty.set(staged.qty.subarray(0, holdings), h0)
    this.#holdCount[a] = holdings
    const s0 = this.#slotStart[a]!
    for (let i = 0; i < slots; i++) {
      const s = s0 + i
      this.#slotUnderlying[s] = staged.slotUnderlying[i]!
      this.#slotAccount[s] = a
      this.#slotHoldStart[s] = h0 + staged.slotStart[i]!
      this.#slotHoldEnd[s] = h0 + staged.slotEnd[i]!
      this.#slotShortQty[s] = staged.slotShortQty[i]!
      this.#slotScan[s] = this.#stagedScan[i]!
      this.#slotScenario[s] = this.#stagedScenario[i]!
      this.#slotValue[s] = this.#stagedValue[i]!
      this.#list(s)
    }
    this.#slotCount[a] = slots
    const o0 = this.#opStart[a]!
    this.#opA.set(this.#stagedOpA.subarray(0, ops), o0)
    this.#opB.set(this.#stagedOpB.subarray(0, ops), o0)
    this.#opRate.set(this.#stagedOpRate.subarray(0, ops), o0)
    this.#opCount[a] = ops
    this.#fixedEquity[a] = staged.fixedEquity
    this.#earliestExpiry[a] = staged.earliestExpiry
    this.#store(
      a,
      this.#stagedEquity,
      this.#stagedScanTotal,
      this.#stagedShortMin,
      this.#stagedCredit,
    )
  }

  #list(s: number): void {
    const u = this.#slotUnderlying[s]!
    const i = this.#slotsOnCount[u]!
    if (i === this.#slotsOn[u]!.length) this.#slotsOn[u] = grown(this.#slotsOn[u]!, i * 2)
    this.#slotsOn[u]![i] = s
    this.#slotListPos[s] = i
    this.#slotsOnCount[u] = i + 1
  }

  #unlist(s: number): void {
    const u = this.#slotUnderlying[s]!
    const list = this.#slotsOn[u]!
    const last = --this.#slotsOnCount[u]!
    const moved = list[last]!
    const at = this.#slotListPos[s]!
    list[at] = moved
    this.#slotListPos[moved] = at
  }

  #maybeCompact(): void {
    const wasteful = (end: number, dead: number) => end >= COMPACT_FLOOR && dead * 2 > end
    if (
      wasteful(this.#slotEnd, this.#slotDead) ||
      wasteful(this.#holdEnd, this.#holdDead) ||
      wasteful(this.#opEnd, this.#opDead)
    )
      this.#compact()
  }

  /** Every run, packed in account order into fresh pools; capacities kept. */
  #compact(): void {
    const n = this.#n
    let slots = 0
    let holdings = 0
    let ops = 0
    for (let a = 0; a < n; a++) {
      slots += this.#slotCap[a]!
      holdings += this.#holdCap[a]!
      ops += this.#opCap[a]!
    }
    const slotUnderlying = new Int32Array(slots)
    const slotAccount = new Int32Array(slots)
    const slotHoldStart = new Int32Array(slots)
    const slotHoldEnd = new Int32Array(slots)
    const slotShortQty = new Float64Array(slots)
    const slotScan = new Float64Array(slots)
    const slotScenario = new Int8Array(slots)
    const slotValue = new Float64Array(slots)
    const holdRow = new Int32Array(holdings)
    const holdQty = new Float64Array(holdings)
    const opA = new Int32Array(ops)
    const opB = new Int32Array(ops)
    const opRate = new Float64Array(ops)
    let s1 = 0
    let h1 = 0
    let o1 = 0
    const copy = <T extends Int32Array | Float64Array | Int8Array>(
      to: T,
      from: T,
      at: number,
      start: number,
      count: number,
    ) => to.set(from.subarray(start, start + count), at)
    for (let a = 0; a < n; a++) {
      const s0 = this.#slotStart[a]!
      const h0 = this.#holdStart[a]!
      const o0 = this.#opStart[a]!
      const sn = this.#slotCount[a]!
      const hn = this.#holdCount[a]!
      const on = this.#opCount[a]!
      copy(slotUnderlying, this.#slotUnderlying, s1, s0, sn)
      copy(slotAccount, this.#slotAccount, s1, s0, sn)
      copy(slotShortQty, this.#slotShortQty, s1, s0, sn)
      copy(slotScan, this.#slotScan, s1, s0, sn)
      copy(slotScenario, this.#slotScenario, s1, s0, sn)
      copy(slotValue, this.#slotValue, s1, s0, sn)
      for (let i = 0; i < sn; i++) {
        slotHoldStart[s1 + i] = this.#slotHoldStart[s0 + i]! - h0 + h1
        slotHoldEnd[s1 + i] = this.#slotHoldEnd[s0 + i]! - h0 + h1
      }
      copy(holdRow, this.#holdRow, h1, h0, hn)
      copy(holdQty, this.#holdQty, h1, h0, hn)
      copy(opA, this.#opA, o1, o0, on)
      copy(opB, this.#opB, o1, o0, on)
      copy(opRate, this.#opRate, o1, o0, on)
      this.#slotStart[a] = s1
      this.#holdStart[a] = h1
      this.#opStart[a] = o1
      s1 += this.#slotCap[a]!
      h1 += this.#holdCap[a]!
      o1 += this.#opCap[a]!
    }
    this.#slotUnderlying = slotUnderlying
    this.#slotAccount = slotAccount
    this.#slotHoldStart = slotHoldStart
    this.#slotHoldEnd = slotHoldEnd
    this.#slotShortQty = slotShortQty
    this.#slotScan = slotScan
    this.#slotScenario = slotScenario
    this.#slotValue = slotValue
    this.#slotListPos = new Int32Array(slots)
    this.#holdRow = holdRow
    this.#holdQty = holdQty
    this.#opA = opA
    this.#opB = opB
    this.#opRate = opRate
    this.#slotEnd = slots
    this.#holdEnd = holdings
    this.#opEnd = ops
    this.#slotDead = 0
    this.#holdDead = 0
    this.#opDead = 0
    this.#slotsOnCount.fill(0)
    for (let a = 0; a < n; a++)
      for (let s = this.#slotStart[a]!, end = s + this.#slotCount[a]!; s < end; s++) this.#list(s)
  }

  /** Free the option rows no account holds (a what-if may have made them). */
  #sweepRows(): void {
    const held = new Uint8Array(this.#table.size)
    for (let a = 0; a < this.#n; a++)
      for (let h = this.#holdStart[a]!, end = h + this.#holdCount[a]!; h < end; h++)
        held[this.#holdRow[h]!] = 1
    this.#table.freeRows((r) => held[r] === 1)
    this.#sweepAt = 2 * this.#table.optionRows + 256
  }

  #growAccounts(n: number): void {
    this.#fixedEquity = grown(this.#fixedEquity, n)
    this.#earliestExpiry = grown(this.#earliestExpiry, n)
    this.#slotStart = grown(this.#slotStart, n)
    this.#slotCount = grown(this.#slotCount, n)
    this.#slotCap = grown(this.#slotCap, n)
    this.#holdStart = grown(this.#holdStart, n)
    this.#holdCount = grown(this.#holdCount, n)
    this.#holdCap = grown(this.#holdCap, n)
    this.#opStart = grown(this.#opStart, n)
    this.#opCount = grown(this.#opCount, n)
    this.#opCap = grown(this.#opCap, n)
    this.#equity = grown(this.#equity, n)
    this.#scanRisk = grown(this.#scanRisk, n)
    this.#spreadCredit = grown(this.#spreadCredit, n)
    this.#shortMin = grown(this.#shortMin, n)
    this.#maintenance = grown(this.#maintenance, n)
    this.#initial = grown(this.#initial, n)
    this.#status = grown(this.#status, n)
  }

  #ensureSlots(n: number): void {
    if (n <= this.#slotUnderlying.length) return
    const size = Math.max(n, this.#slotUnderlying.length * 2, 64)
    this.#slotUnderlying = grown(this.#slotUnderlying, size)
    this.#slotAccount = grown(this.#slotAccount, size)
    this.#slotHoldStart = grown(this.#slotHoldStart, size)
    this.#slotHoldEnd = grown(this.#slotHoldEnd, size)
    this.#slotShortQty = grown(this.#slotShortQty, size)
    this.#slotScan = grown(this.#slotScan, size)
    this.#slotScenario = grown(this.#slotScenario, size)
    this.#slotValue = grown(this.#slotValue, size)
    this.#slotListPos = grown(this.#slotListPos, size)
  }

  #ensureHoldings(n: number): void {
    if (n <= this.#holdRow.length) return
    const size = Math.max(n, this.#holdRow.length * 2, 256)
    this.#holdRow = grown(this.#holdRow, size)
    this.#holdQty = grown(this.#holdQty, size)
  }

  #ensureOps(n: number): void {
    if (n <= this.#opA.length) return
    const size = Math.max(n, this.#opA.length * 2, 64)
    this.#opA = grown(this.#opA, size)
    this.#opB = grown(this.#opB, size)
    this.#opRate = grown(this.#opRate, size)
  }
}

/**
 * Spec section 5 over one account's credit ops [first, end), whose slot
 * offsets are relative to `slot0`; `avail` is scratch of at least
 * `slotCount` entries.
 */
function walkCredits(
  opA: Int32Array,
  opB: Int32Array,
  opRate: Float64Array,
  first: number,
  end: number,
  scan: Float64Array,
  scenario: Int8Array,
  slot0: number,
  slotCount: number,
  avail: Float64Array,
): number {
  for (let i = 0; i < slotCount; i++) avail[i] = scan[slot0 + i]!
  let credit = 0
  for (let c = first; c < end; c++) {
    const a = opA[c]!
    const b = opB[c]!
    const dirA = DIRECTION[scenario[slot0 + a]!]!
    const dirB = DIRECTION[scenario[slot0 + b]!]!
    if (dirA === 0 || dirB === 0 || dirA === dirB) continue
    const m = Math.min(avail[a]!, avail[b]!)
    credit += opRate[c]! * m
    avail[a]! -= m
    avail[b]! -= m
  }
  return credit
}

/** One underlying's entry of MarginFigures.underlyings, from its scan risk and scenario code. */
function defineRisk(
  underlyings: Record<string, UnderlyingRisk>,
  name: string,
  scanRisk: number,
  k: number,
): void {
  // defineProperty: an underlying named __proto__ is a key like any other.
  Object.defineProperty(underlyings, name, {
    value: { scanRisk, scenario: k === 0 ? null : k, direction: DIRECTION[k]! as Direction },
    enumerable: true,
  })
}

/**
 * marginStatus() of reference.ts as a code, 0 healthy .. 3 bankrupt, with
 * the comparisons turned round so that a NaN lands on the unsafe side
 * (bankrupt, or liquidatable), never on healthy.
 */
function statusCode(equity: number, mm: number, im: number): number {
  return equity >= im ? 0 : equity >= mm ? 1 : equity >= 0 ? 2 : 3
}

/** A run of n fits a reserved capacity that holds it without hoarding (memory stays bounded). */
function fits(n: number, cap: number): boolean {
  return n <= cap && cap <= 2 * n + 8
}

function reserve(n: number, headroom: 0 | 1): number {
  return headroom === 0 ? n : n + (n >> 1) + 1
}

function grown<T extends Int32Array | Float64Array | Int8Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n)
  b.set(a.subarray(0, Math.min(a.length, n)))
  return b
}

/** A MarginSummary to pass to whatIf() as its reused result. */
export function blankSummary(): MarginSummary {
  return {
    equity: 0,
    scanRisk: 0,
    spreadCredit: 0,
    shortOptionMinimum: 0,
    maintenanceMargin: 0,
    initialMargin: 0,
    status: 'healthy',
  }
}
