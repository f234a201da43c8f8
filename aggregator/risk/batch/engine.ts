/**
 * The batch XM-1 engine for the whole book.
 *
 * Layout (columnar, typed arrays):
 * - an account owns a run of slots, one per underlying it is exposed to,
 *   sorted by underlying;
 * - a slot owns a run of holdings: (instrument-table row, netted quantity);
 * - per slot we cache its scan risk, scenario, direction, value and short
 *   option minimum, so a price move of one underlying re-evaluates only the
 *   slots on it and the totals of their accounts.
 *
 * Figures agree with the reference engine (../reference.ts) up to float
 * summation order; the conformance tests and the benchmark check it.
 */
import { InputError } from '../../errors.ts'
import { netPositions } from '../netting.ts'
import { SCENARIO_COUNT, scenarioDirection, scenarioWeights } from '../scenarios.ts'
import type {
  Direction,
  MarginFigures,
  Market,
  Portfolio,
  RiskParams,
  Status,
  UnderlyingQuote,
} from '../types.ts'
import { InstrumentTable } from './instrument-table.ts'

const STATUSES: readonly Status[] = ['healthy', 'restricted', 'liquidatable', 'bankrupt']
const DIRECTIONS = Int8Array.from({ length: SCENARIO_COUNT }, (_, i) => scenarioDirection(i))

interface Holding {
  readonly underlying: number
  readonly row: number
  readonly quantity: number
}

export class BatchEngine {
  readonly accountCount: number
  /** Per account outputs, indexed by account. */
  readonly equity: Float64Array
  readonly scanRisk: Float64Array
  readonly spreadCredit: Float64Array
  readonly shortOptionMinimum: Float64Array
  readonly maintenanceMargin: Float64Array
  readonly initialMargin: Float64Array
  readonly statusCode: Uint8Array

  /** cash + fixed-price collateral - linear cost basis: what no price tick changes. */
  readonly #fixedEquity: Float64Array
  readonly #slotStart: Int32Array
  readonly #slotUnderlying: Int32Array
  readonly #slotAccount: Int32Array
  readonly #holdingStart: Int32Array
  readonly #holdingRow: Int32Array
  readonly #holdingQty: Float64Array
  readonly #slotScan: Float64Array
  readonly #slotScenario: Int8Array
  readonly #slotValue: Float64Array
  readonly #slotShortMin: Float64Array
  /** Slots on each underlying: the accounts a tick of it touches. */
  readonly #slotsOn: Int32Array[]
  readonly #creditA: Int32Array
  readonly #creditB: Int32Array
  readonly #creditRate: Float64Array
  readonly #weights: Float64Array
  /** Scratch per underlying for the spread-credit walk of one account. */
  readonly #avail: Float64Array
  readonly #dir: Int8Array
  readonly #table: InstrumentTable
  readonly #names: readonly string[]
  #market: Market

  private constructor(
    market: Market,
    readonly params: RiskParams,
    portfolios: readonly Portfolio[],
  ) {
    this.#market = market
    this.#names = [...new Set([...market.underlyings.keys()])].sort()
    const index = new Map(this.#names.map((u, i) => [u, i]))
    this.#table = new InstrumentTable(index, market.timestamp)
    const n = portfolios.length
    this.accountCount = n
    this.#fixedEquity = new Float64Array(n)
    const slotStart = [0]
    const slotUnderlying: number[] = []
    const slotAccount: number[] = []
    const holdingStart = [0]
    const holdingRow: number[] = []
    const holdingQty: number[] = []
    portfolios.forEach((portfolio, a) => {
      const holdings = this.#holdingsOf(portfolio, a, index)
      holdings.sort((x, y) => x.underlying - y.underlying)
      holdings.forEach((h, i) => {
        if (i === 0 || holdings[i - 1]!.underlying !== h.underlying) {
          if (i > 0) holdingStart.push(holdingRow.length)
          slotUnderlying.push(h.underlying)
          slotAccount.push(a)
        }
        holdingRow.push(h.row)
        holdingQty.push(h.quantity)
      })
      if (holdings.length > 0) holdingStart.push(holdingRow.length)
      slotStart.push(slotUnderlying.length)
    })
    this.#table.seal()
    this.#slotStart = Int32Array.from(slotStart)
    this.#slotUnderlying = Int32Array.from(slotUnderlying)
    this.#slotAccount = Int32Array.from(slotAccount)
    this.#holdingStart = Int32Array.from(holdingStart)
    this.#holdingRow = Int32Array.from(holdingRow)
    this.#holdingQty = Float64Array.from(holdingQty)
    const slots = slotUnderlying.length
    this.#slotScan = new Float64Array(slots)
    this.#slotScenario = new Int8Array(slots)
    this.#slotValue = new Float64Array(slots)
    this.#slotShortMin = new Float64Array(slots)
    this.#slotsOn = this.#names.map((_, u) =>
      Int32Array.from(slotUnderlying.flatMap((su, s) => (su === u ? [s] : []))),
    )
    this.#creditA = Int32Array.from(params.spreadCredits, (c) => index.get(c.legs[0]) ?? -1)
    this.#creditB = Int32Array.from(params.spreadCredits, (c) => index.get(c.legs[1]) ?? -1)
    this.#creditRate = Float64Array.from(params.spreadCredits, (c) => c.rate)
    this.#weights = scenarioWeights(params)
    this.#avail = new Float64Array(this.#names.length)
    this.#dir = new Int8Array(this.#names.length)
    this.equity = new Float64Array(n)
    this.scanRisk = new Float64Array(n)
    this.spreadCredit = new Float64Array(n)
    this.shortOptionMinimum = new Float64Array(n)
    this.maintenanceMargin = new Float64Array(n)
    this.initialMargin = new Float64Array(n)
    this.statusCode = new Uint8Array(n)
  }

  /** Build the book from validated portfolios sharing one market and one set of parameters. */
  static build(market: Market, params: RiskParams, portfolios: readonly Portfolio[]): BatchEngine {
    const engine = new BatchEngine(market, params, portfolios)
    engine.fullPass()
    return engine
  }

  /** Net each account's positions, fold what no tick changes into fixed equity, list the rest. */
  #holdingsOf(
    portfolio: Portfolio,
    account: number,
    index: ReadonlyMap<string, number>,
  ): Holding[] {
    const holdings: Holding[] = []
    let fixed = portfolio.cash
    for (const c of portfolio.collateral) {
      const asset = this.#market.assets.get(c.asset)!
      if (asset.kind === 'fixed') {
        fixed += c.amount * asset.price * (1 - asset.haircut)
      } else {
        const row = this.#table.rowForCollateral(c.asset, asset.underlying, asset.haircut)
        holdings.push({ underlying: index.get(asset.underlying)!, row, quantity: c.amount })
      }
    }
    for (const p of netPositions(portfolio.positions)) {
      fixed -= p.basis
      const row = this.#table.rowForInstrument(p.instrument)
      holdings.push({ underlying: index.get(p.instrument.underlying)!, row, quantity: p.quantity })
    }
    this.#fixedEquity[account] = fixed
    return holdings
  }

  /** Re-price every instrument and re-evaluate every account. */
  fullPass(): void {
    this.#names.forEach((name, u) => {
      this.#table.price(u, name, this.#market, this.params)
    })
    for (let s = 0; s < this.#slotUnderlying.length; s++) this.#evaluateSlot(s)
    for (let a = 0; a < this.accountCount; a++) this.#evaluateAccount(a)
  }

  /**
   * A new quote for one underlying: re-price its instruments once, then
   * re-evaluate only the accounts exposed to it. Returns how many.
   */
  updateUnderlying(name: string, quote: UnderlyingQuote): number {
    const u = this.#names.indexOf(name)
    if (u < 0 || !this.params.underlyings.has(name))
      throw new InputError(
        'underlying',
        'unknown_reference',
        `unknown underlying ${name}: not in the book's market and parameters`,
      )
    const underlyings = new Map(this.#market.underlyings)
    underlyings.set(name, quote)
    this.#market = { ...this.#market, underlyings }
    this.#table.price(u, name, this.#market, this.params)
    const slots = this.#slotsOn[u]!
    for (let i = 0; i < slots.length; i++) this.#evaluateSlot(slots[i]!)
    // An account has at most one slot per underlying, so no account is evaluated twice.
    for (let i = 0; i < slots.length; i++) this.#evaluateAccount(this.#slotAccount[slots[i]!]!)
    return slots.length
  }

  /**
   * One slot: its value, short option minimum and scan risk. The summed risk
   * array is sixteen scalars and the scan sixteen plain comparisons, unrolled
   * by hand: a scratch array and a loop cost 20-80% more full-pass time in V8
   * (bench:risk), and this loop is the engine's hot path.
   */
  #evaluateSlot(s: number): void {
    const entries = this.#table.entries
    const mark = this.#table.mark
    const shortMinPerUnit = this.#table.shortMinPerUnit
    const rows = this.#holdingRow
    const qty = this.#holdingQty
    const w = this.#weights
    let p0 = 0,
      p1 = 0,
      p2 = 0,
      p3 = 0,
      p4 = 0,
      p5 = 0,
      p6 = 0,
      p7 = 0
    let p8 = 0,
      p9 = 0,
      p10 = 0,
      p11 = 0,
      p12 = 0,
      p13 = 0,
      p14 = 0,
      p15 = 0
    let value = 0
    let shortMin = 0
    for (let h = this.#holdingStart[s]!, end = this.#holdingStart[s + 1]!; h < end; h++) {
      const r = rows[h]!
      const q = qty[h]!
      value += q * mark[r]!
      if (q < 0) shortMin -= q * shortMinPerUnit[r]!
      const b = r * SCENARIO_COUNT
      p0 += q * entries[b]!
      p1 += q * entries[b + 1]!
      p2 += q * entries[b + 2]!
      p3 += q * entries[b + 3]!
      p4 += q * entries[b + 4]!
      p5 += q * entries[b + 5]!
      p6 += q * entries[b + 6]!
      p7 += q * entries[b + 7]!
      p8 += q * entries[b + 8]!
      p9 += q * entries[b + 9]!
      p10 += q * entries[b + 10]!
      p11 += q * entries[b + 11]!
      p12 += q * entries[b + 12]!
      p13 += q * entries[b + 13]!
      p14 += q * entries[b + 14]!
      p15 += q * entries[b + 15]!
    }
    // Scenarios 1-14 count in full (w = 1); 15 and 16 by the extreme cover fraction.
    let worst = 0
    let scenario = 0
    if (-p0 > worst) {
      worst = -p0
      scenario = 1
    }
    if (-p1 > worst) {
      worst = -p1
      scenario = 2
    }
    if (-p2 > worst) {
      worst = -p2
      scenario = 3
    }
    if (-p3 > worst) {
      worst = -p3
      scenario = 4
    }
    if (-p4 > worst) {
      worst = -p4
      scenario = 5
    }
    if (-p5 > worst) {
      worst = -p5
      scenario = 6
    }
    if (-p6 > worst) {
      worst = -p6
      scenario = 7
    }
    if (-p7 > worst) {
      worst = -p7
      scenario = 8
    }
    if (-p8 > worst) {
      worst = -p8
      scenario = 9
    }
    if (-p9 > worst) {
      worst = -p9
      scenario = 10
    }
    if (-p10 > worst) {
      worst = -p10
      scenario = 11
    }
    if (-p11 > worst) {
      worst = -p11
      scenario = 12
    }
    if (-p12 > worst) {
      worst = -p12
      scenario = 13
    }
    if (-p13 > worst) {
      worst = -p13
      scenario = 14
    }
    if (-w[14]! * p14 > worst) {
      worst = -w[14]! * p14
      scenario = 15
    }
    if (-w[15]! * p15 > worst) {
      worst = -w[15]! * p15
      scenario = 16
    }
    this.#slotScan[s] = worst
    this.#slotScenario[s] = scenario
    this.#slotValue[s] = value
    this.#slotShortMin[s] = shortMin
  }

  #evaluateAccount(a: number): void {
    const first = this.#slotStart[a]!
    const end = this.#slotStart[a + 1]!
    const value = this.#slotValue
    const scanOf = this.#slotScan
    const shortMinOf = this.#slotShortMin
    let equity = this.#fixedEquity[a]!
    let scan = 0
    let shortMin = 0
    for (let s = first; s < end; s++) {
      equity += value[s]!
      scan += scanOf[s]!
      shortMin += shortMinOf[s]!
    }
    const credit = this.#creditRate.length === 0 ? 0 : this.#accountSpreadCredit(first, end)
    const mm = Math.max(scan - credit, shortMin)
    const im = mm * this.params.initialMarginFactor
    this.equity[a] = equity
    this.scanRisk[a] = scan - credit
    this.spreadCredit[a] = credit
    this.shortOptionMinimum[a] = shortMin
    this.maintenanceMargin[a] = mm
    this.initialMargin[a] = im
    // Same thresholds as marginStatus(), as codes: 0 healthy .. 3 bankrupt.
    this.statusCode[a] = equity < 0 ? 3 : equity < mm ? 2 : equity < im ? 1 : 0
  }

  /** Spec section 5 over the account's slots [first, end). */
  #accountSpreadCredit(first: number, end: number): number {
    const avail = this.#avail
    const dir = this.#dir
    for (let s = first; s < end; s++) {
      const u = this.#slotUnderlying[s]!
      const k = this.#slotScenario[s]!
      avail[u] = this.#slotScan[s]!
      dir[u] = k === 0 ? 0 : DIRECTIONS[k - 1]!
    }
    let credit = 0
    for (let c = 0; c < this.#creditRate.length; c++) {
      const a = this.#creditA[c]!
      const b = this.#creditB[c]!
      if (a < 0 || b < 0 || dir[a] === 0 || dir[b] === 0 || dir[a] === dir[b]) continue
      const m = Math.min(avail[a]!, avail[b]!)
      credit += this.#creditRate[c]! * m
      avail[a]! -= m
      avail[b]! -= m
    }
    // Leave the scratch clean: an underlying this account lacks must read direction 0 for the next one.
    for (let s = first; s < end; s++) dir[this.#slotUnderlying[s]!] = 0
    return credit
  }

  status(a: number): Status {
    return STATUSES[this.statusCode[a]!]!
  }

  /** Account `a` in the shape of the reference engine's output. */
  figures(a: number): MarginFigures {
    const underlyings: Record<
      string,
      { scanRisk: number; scenario: number | null; direction: Direction }
    > = {}
    for (let s = this.#slotStart[a]!; s < this.#slotStart[a + 1]!; s++) {
      const k = this.#slotScenario[s]!
      Object.defineProperty(underlyings, this.#names[this.#slotUnderlying[s]!]!, {
        value: {
          scanRisk: this.#slotScan[s]!,
          scenario: k === 0 ? null : k,
          direction: k === 0 ? 0 : DIRECTIONS[k - 1]!,
        },
        enumerable: true,
      })
    }
    const mm = this.maintenanceMargin[a]!
    return {
      equity: this.equity[a]!,
      underlyings,
      spreadCredit: this.spreadCredit[a]!,
      scanRisk: this.scanRisk[a]!,
      shortOptionMinimum: this.shortOptionMinimum[a]!,
      maintenanceMargin: mm,
      initialMargin: this.initialMargin[a]!,
      marginRatio: mm === 0 ? null : this.equity[a]! / mm,
      status: this.status(a),
    }
  }
}
