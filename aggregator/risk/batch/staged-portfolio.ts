/**
 * One portfolio turned into the engine's form, in reused scratch: what the
 * engine needs to evaluate it (whatIf) or to store it (add, set).
 *
 * The form: cash, fixed-price collateral and the linear cost basis folded
 * into one fixed equity; then one slot per underlying held (sorted), each a
 * run of (row, netted quantity) holdings: the underlying's linear row with
 * every perp, future and tracking collateral on it summed (they share one
 * risk array), and one holding per option, netted across chains. Zero
 * netted quantities are dropped (they add nothing), but the slot stays, so
 * the underlying still shows in the figures, as in the reference engine.
 *
 * Staging refuses, with an InputError naming the field, what XM-1 cannot
 * margin against the engine's market: an underlying or asset it lacks, an
 * underlying without risk parameters, an option or future at or past
 * expiry. A refusal leaves nothing behind that a later call could see.
 */
import { InputError } from '../../errors.ts'
import type { AssetQuote, Portfolio } from '../types.ts'
import { CALL, type InstrumentTable, PUT } from './instrument-table.ts'

export class StagedPortfolio {
  fixedEquity = 0
  /** Earliest expiry of any future or option position (Infinity when none). */
  earliestExpiry = Number.POSITIVE_INFINITY
  slotCount = 0
  readonly slotUnderlying: Int32Array
  readonly slotStart: Int32Array
  readonly slotEnd: Int32Array
  /** Sum of -q over the slot's short options: times shortOptionMinimum(u) * S(u), its minimum. */
  readonly slotShortQty: Float64Array
  holdingCount = 0
  rows = new Int32Array(64)
  qty = new Float64Array(64)

  /** Scratch stamped with a generation, so nothing needs clearing between calls. */
  #generation = 0
  readonly #underlyingStamp: Int32Array
  readonly #linearQty: Float64Array
  #rowStamp = new Int32Array(0)
  #rowQty = new Float64Array(0)
  #touchedRows = new Int32Array(64)
  #touchedCount = 0

  constructor(
    private readonly table: InstrumentTable,
    private readonly underlyingIndex: ReadonlyMap<string, number>,
    /** Per underlying index: whether params has it (else nothing on it can be margined). */
    private readonly hasParams: readonly boolean[],
    private readonly assets: ReadonlyMap<string, AssetQuote>,
  ) {
    const n = table.underlyingCount
    this.slotUnderlying = new Int32Array(n)
    this.slotStart = new Int32Array(n)
    this.slotEnd = new Int32Array(n)
    this.slotShortQty = new Float64Array(n)
    this.#underlyingStamp = new Int32Array(n)
    this.#linearQty = new Float64Array(n)
  }

  stage(portfolio: Portfolio, path = 'portfolio'): void {
    const table = this.table
    if (++this.#generation === 0x7fffffff) {
      this.#generation = 1
      this.#underlyingStamp.fill(0)
      this.#rowStamp.fill(0)
    }
    const gen = this.#generation
    this.#touchedCount = 0
    this.slotCount = 0
    this.earliestExpiry = Number.POSITIVE_INFINITY
    let fixed = portfolio.cash

    const collateral = portfolio.collateral
    for (let i = 0; i < collateral.length; i++) {
      const c = collateral[i]!
      const asset = this.assets.get(c.asset)
      if (asset === undefined)
        throw new InputError(
          `${path}.collateral[${i}].asset`,
          'unknown_reference',
          `${path}.collateral[${i}].asset: asset ${JSON.stringify(c.asset)} is not defined in the engine's market`,
        )
      if (asset.kind === 'fixed') {
        fixed += c.amount * asset.price * (1 - asset.haircut)
        continue
      }
      const u = this.#underlying(asset.underlying, path, 'collateral', i)
      this.#touch(u, gen)
      this.#linearQty[u]! += c.amount * (1 - asset.haircut)
    }

    const positions = portfolio.positions
    for (let i = 0; i < positions.length; i++) {
      const p = positions[i]!
      const instrument = p.instrument
      const u = this.#underlying(instrument.underlying, path, 'positions', i)
      this.#touch(u, gen)
      if (instrument.kind !== 'perp') {
        if (instrument.expiry <= table.timestamp)
          throw new InputError(
            `${path}.positions[${i}].instrument.expiry`,
            'expired',
            `${path}.positions[${i}].instrument.expiry ${instrument.expiry} is not after the engine's timestamp ${table.timestamp}: settle it, do not margin it`,
          )
        if (instrument.expiry < this.earliestExpiry) this.earliestExpiry = instrument.expiry
      }
      if (instrument.kind !== 'option') {
        this.#linearQty[u]! += p.quantity
        fixed -= p.quantity * (p as { readonly entryPrice: number }).entryPrice
        continue
      }
      const r = table.optionRow(
        u,
        instrument.type === 'call' ? CALL : PUT,
        instrument.strike,
        instrument.expiry,
      )
      if (r >= this.#rowStamp.length) this.#growRows(table.kind.length)
      if (this.#rowStamp[r] !== gen) {
        this.#rowStamp[r] = gen
        this.#rowQty[r] = 0
        if (this.#touchedCount === this.#touchedRows.length)
          this.#touchedRows = grown(this.#touchedRows, this.#touchedCount * 2)
        this.#touchedRows[this.#touchedCount++] = r
      }
      this.#rowQty[r]! += p.quantity
    }
    this.fixedEquity = fixed
    this.#layOut()
  }

  /** Index of an underlying the engine can margin; the field is only spelled out to refuse (hot path). */
  #underlying(name: string, path: string, list: 'collateral' | 'positions', i: number): number {
    const u = this.underlyingIndex.get(name)
    if (u !== undefined && this.hasParams[u]) return u
    const field =
      list === 'collateral'
        ? `${path}.collateral[${i}].asset`
        : `${path}.positions[${i}].instrument.underlying`
    if (u === undefined)
      throw new InputError(
        field,
        'unknown_reference',
        `${field}: underlying ${JSON.stringify(name)} is not defined in the engine's market`,
      )
    throw new InputError(
      field,
      'missing_risk_params',
      `${field}: underlying ${name} has no risk parameters in the engine's params`,
    )
  }

  /** First sight of underlying u in this portfolio: a new slot, kept sorted by index. */
  #touch(u: number, gen: number): void {
    if (this.#underlyingStamp[u] === gen) return
    this.#underlyingStamp[u] = gen
    this.#linearQty[u] = 0
    let i = this.slotCount++
    for (; i > 0 && this.slotUnderlying[i - 1]! > u; i--)
      this.slotUnderlying[i] = this.slotUnderlying[i - 1]!
    this.slotUnderlying[i] = u
  }

  /** Each slot's run of holdings, in slot order. */
  #layOut(): void {
    const underlyingOf = this.table.underlying
    const need = this.slotCount + this.#touchedCount
    if (need > this.rows.length) {
      this.rows = grown(this.rows, need * 2)
      this.qty = grown(this.qty, need * 2)
    }
    let h = 0
    for (let s = 0; s < this.slotCount; s++) {
      const u = this.slotUnderlying[s]!
      this.slotStart[s] = h
      const linear = this.#linearQty[u]!
      if (linear !== 0) {
        this.rows[h] = u
        this.qty[h++] = linear
      }
      let shortQty = 0
      for (let i = 0; i < this.#touchedCount; i++) {
        const r = this.#touchedRows[i]!
        if (underlyingOf[r] !== u) continue
        const q = this.#rowQty[r]!
        if (q === 0) continue
        if (q < 0) shortQty -= q
        this.rows[h] = r
        this.qty[h++] = q
      }
      this.slotShortQty[s] = shortQty
      this.slotEnd[s] = h
    }
    this.holdingCount = h
  }

  #growRows(n: number): void {
    this.#rowStamp = grown(this.#rowStamp, n)
    this.#rowQty = grown(this.#rowQty, n)
  }
}

function grown<T extends Int32Array | Float64Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n)
  b.set(a.subarray(0, Math.min(a.length, n)))
  return b
}
