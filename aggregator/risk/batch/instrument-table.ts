/**
 * The instrument table of the batch engine: the risk arrays every account
 * shares, one row each, priced once per price update.
 *
 * - Row u (one per underlying, u < underlyingCount) is the LINEAR row of
 *   underlying u: a perp, a future and a unit of tracking collateral all
 *   gain S' - S per unit in scenario k (spec section 4; collateral times
 *   1 - haircut), so an account's whole linear exposure to u is a single
 *   quantity on this row. Its mark is S.
 * - Every other row is one option (underlying, type, strike, expiry), made
 *   on first use and priced at once, so a fill in an instrument nobody held
 *   gets its row without a rebuild. Its mark is the option's value now.
 *
 * Options are priced with their time to expiry taken from the timestamp at
 * pricing time, never frozen when the row was made. Rows nobody holds are
 * freed (the engine says which rows are held), so under a listing churn the
 * table stays the size of what is live.
 */
import { SCENARIO_COUNT, SCENARIOS, scenarioPrices } from '../scenarios.ts'
import type { OptionType, RiskParams, UnderlyingParams } from '../types.ts'
import { DAYS_PER_YEAR, optionValue, yearsToExpiry } from '../valuation.ts'

/** Row kinds in `kind`. */
export const LINEAR = 0
export const CALL = 1
export const PUT = 2
const FREE = -1

const TYPE_NAME: readonly OptionType[] = ['call', 'call', 'put']

/** Float64 bits for hashing strikes and expiries without allocating. */
const bits64 = new Float64Array(1)
const bits32 = new Int32Array(bits64.buffer)

export class InstrumentTable {
  /** Per row: its underlying index, kind (LINEAR, CALL, PUT, or free), strike and expiry. */
  underlying = new Int32Array(0)
  kind = new Int8Array(0)
  strike = new Float64Array(0)
  expiry = new Float64Array(0)
  /** Value of one unit now. */
  mark = new Float64Array(0)
  /** Row r's risk-array entries are entries[16r .. 16r + 15]. */
  entries = new Float64Array(0)
  /** Rows in use or freed: every row index is below this. */
  size = 0

  readonly #price: Float64Array
  readonly #vol: Float64Array
  readonly #up: readonly (UnderlyingParams | undefined)[]
  #timestamp: number
  readonly #free: number[] = []
  /** Option rows of each underlying, for its re-pricing. */
  readonly #rowsOf: number[][]
  /** Open addressing on (underlying, kind, strike, expiry): row + 1, or 0 for empty. */
  #index = new Int32Array(64)

  constructor(
    readonly underlyingCount: number,
    quotes: readonly { readonly price: number; readonly vol: number }[],
    /** Risk parameters per underlying; undefined where params lack it (never priced). */
    up: readonly (UnderlyingParams | undefined)[],
    readonly params: RiskParams,
    timestamp: number,
  ) {
    this.#price = Float64Array.from(quotes, (q) => q.price)
    this.#vol = Float64Array.from(quotes, (q) => q.vol)
    this.#up = up
    this.#timestamp = timestamp
    this.#rowsOf = Array.from({ length: underlyingCount }, () => [])
    this.#reserve(Math.max(16, underlyingCount * 2))
    for (let u = 0; u < underlyingCount; u++) {
      this.underlying[u] = u
      this.kind[u] = LINEAR
    }
    this.size = underlyingCount
    for (let u = 0; u < underlyingCount; u++) this.#priceRow(u)
  }

  get timestamp(): number {
    return this.#timestamp
  }

  /** Option rows in use. */
  get optionRows(): number {
    return this.size - this.underlyingCount - this.#free.length
  }

  /** The row of an option, made and priced now if no row has it yet. */
  optionRow(u: number, kind: typeof CALL | typeof PUT, strike: number, expiry: number): number {
    const mask = this.#index.length - 1
    for (let i = hashOf(u, kind, strike, expiry) & mask; ; i = (i + 1) & mask) {
      const slot = this.#index[i]!
      if (slot === 0) break
      const r = slot - 1
      if (
        this.expiry[r] === expiry &&
        this.strike[r] === strike &&
        this.kind[r] === kind &&
        this.underlying[r] === u
      )
        return r
    }
    const r = this.#free.pop() ?? this.#append()
    this.underlying[r] = u
    this.kind[r] = kind
    this.strike[r] = strike
    this.expiry[r] = expiry
    this.#rowsOf[u]!.push(r)
    this.#insert(r)
    this.#priceRow(r)
    return r
  }

  /** A new quote for underlying u: re-price its linear row and its options. */
  setQuote(u: number, price: number, vol: number): void {
    this.#price[u] = price
    this.#vol[u] = vol
    this.#priceUnderlying(u)
  }

  /** Time passes: re-price every row at the new timestamp. */
  setTimestamp(timestamp: number): void {
    this.#timestamp = timestamp
    for (let u = 0; u < this.underlyingCount; u++) this.#priceUnderlying(u)
  }

  /** Spot of underlying u times its short option minimum rate: what one short option requires. */
  shortMinPerUnit(u: number): number {
    return (this.#up[u]?.shortOptionMinimum ?? 0) * this.#price[u]!
  }

  /**
   * Free every option row for which `keep` says false. The caller
   * guarantees no account holds one, so freed indices may be reused.
   */
  freeRows(keep: (row: number) => boolean): void {
    let freed = false
    for (let r = this.underlyingCount; r < this.size; r++) {
      if (this.kind[r] === FREE || keep(r)) continue
      this.kind[r] = FREE
      this.#free.push(r)
      freed = true
    }
    if (!freed) return
    for (const rows of this.#rowsOf) rows.length = 0
    this.#index.fill(0)
    // The index already has room for every row: put them back without growing it.
    for (let r = this.underlyingCount; r < this.size; r++) {
      if (this.kind[r] === FREE) continue
      this.#rowsOf[this.underlying[r]!]!.push(r)
      this.#put(r)
    }
  }

  #append(): number {
    if (this.size === this.kind.length) this.#reserve(this.size * 2)
    return this.size++
  }

  #reserve(rows: number): void {
    const grow = <T extends Int32Array | Int8Array | Float64Array>(a: T, n: number): T => {
      const b = new (a.constructor as new (n: number) => T)(n)
      b.set(a)
      return b
    }
    this.underlying = grow(this.underlying, rows)
    this.kind = grow(this.kind, rows)
    this.strike = grow(this.strike, rows)
    this.expiry = grow(this.expiry, rows)
    this.mark = grow(this.mark, rows)
    this.entries = grow(this.entries, rows * SCENARIO_COUNT)
  }

  #insert(r: number): void {
    // Keep the index at most half full, so a probe ends soon.
    if ((this.size + 1) * 2 > this.#index.length) {
      this.#index = new Int32Array(this.#index.length * 2)
      for (let q = this.underlyingCount; q < this.size; q++)
        if (q !== r && this.kind[q] !== FREE) this.#put(q)
    }
    this.#put(r)
  }

  #put(r: number): void {
    const mask = this.#index.length - 1
    let i = hashOf(this.underlying[r]!, this.kind[r]!, this.strike[r]!, this.expiry[r]!) & mask
    while (this.#index[i] !== 0) i = (i + 1) & mask
    this.#index[i] = r + 1
  }

  #priceUnderlying(u: number): void {
    this.#priceRow(u)
    const rows = this.#rowsOf[u]!
    for (let i = 0; i < rows.length; i++) this.#priceRow(rows[i]!)
  }

  /**
   * Row r at the current quote and timestamp, by the very formulas of
   * scenarios.ts, so the entries are the reference engine's to the bit.
   */
  #priceRow(r: number): void {
    const u = this.underlying[r]!
    const up = this.#up[u]
    if (up === undefined) return // no risk parameters: no account may hold it
    const spot = this.#price[u]!
    const prices = scenarioPrices(spot, up, this.params)
    const base = r * SCENARIO_COUNT
    const kind = this.kind[r]!
    if (kind === LINEAR) {
      this.mark[r] = spot
      for (let k = 0; k < SCENARIO_COUNT; k++) this.entries[base + k] = prices[k]! - spot
      return
    }
    const type = TYPE_NAME[kind]!
    const strike = this.strike[r]!
    const vol = this.#vol[u]!
    const tau = yearsToExpiry(this.expiry[r]!, this.#timestamp)
    const now = optionValue(type, spot, strike, vol, tau)
    const tauAhead = Math.max(tau - this.params.lookaheadDays / DAYS_PER_YEAR, 0)
    this.mark[r] = now
    for (let k = 0; k < SCENARIO_COUNT; k++) {
      const v = vol * (1 + SCENARIOS[k]!.volScans * up.volScanRange)
      this.entries[base + k] = optionValue(type, prices[k]!, strike, v, tauAhead) - now
    }
  }
}

function hashOf(u: number, kind: number, strike: number, expiry: number): number {
  bits64[0] = strike
  let h = Math.imul(bits32[0]! ^ Math.imul(bits32[1]!, 0x85ebca6b), 0x9e3779b1)
  bits64[0] = expiry
  h = Math.imul(h ^ bits32[0]! ^ Math.imul(bits32[1]!, 0xc2b2ae35), 0x27d4eb2f)
  h ^= Math.imul(u * 4 + kind, 0x165667b1)
  return (h ^ (h >>> 15)) >>> 0
}
