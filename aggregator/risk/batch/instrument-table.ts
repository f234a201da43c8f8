/**
 * The instrument table of the batch engine: one row per distinct instrument
 * (and per collateral asset that tracks an underlying), holding its mark and
 * its 16 risk-array entries. Rows are priced once per price update and shared
 * by every account that holds them.
 */
import { instrumentKey } from '../netting.ts'
import { collateralRiskArray, instrumentRiskArray, SCENARIO_COUNT } from '../scenarios.ts'
import type { Instrument, Market, RiskParams, UnderlyingParams, UnderlyingQuote } from '../types.ts'
import { optionValue, yearsToExpiry } from '../valuation.ts'

type RowSource =
  | { readonly kind: 'instrument'; readonly instrument: Instrument; readonly tau: number }
  | { readonly kind: 'collateral'; readonly underlying: string; readonly haircut: number }

export class InstrumentTable {
  readonly #rows: RowSource[] = []
  readonly #byKey = new Map<string, number>()
  /** Underlying index of each row. */
  underlying = new Int32Array(0)
  /** Value of one unit now: spot for linear rows, option value, spot * (1 - haircut) for collateral. */
  mark = new Float64Array(0)
  /** Row r's entries are entries[16r .. 16r + 15]. */
  entries = new Float64Array(0)
  /** shortOptionMinimum(u) * S(u) for option rows, 0 otherwise. */
  shortMinPerUnit = new Float64Array(0)
  /** Rows of each underlying index. */
  rowsOf: number[][] = []

  constructor(
    private readonly underlyingIndex: ReadonlyMap<string, number>,
    private readonly timestamp: number,
  ) {}

  get size(): number {
    return this.#rows.length
  }

  rowForInstrument(instrument: Instrument): number {
    const tau = instrument.kind === 'perp' ? 0 : yearsToExpiry(instrument.expiry, this.timestamp)
    return this.#row(instrumentKey(instrument), { kind: 'instrument', instrument, tau })
  }

  rowForCollateral(asset: string, underlying: string, haircut: number): number {
    return this.#row(`asset|${asset}`, { kind: 'collateral', underlying, haircut })
  }

  #row(key: string, source: RowSource): number {
    const seen = this.#byKey.get(key)
    if (seen !== undefined) return seen
    this.#byKey.set(key, this.#rows.length)
    this.#rows.push(source)
    return this.#rows.length - 1
  }

  /** Allocate the columns once every row is known. */
  seal(): void {
    const n = this.#rows.length
    this.underlying = Int32Array.from(this.#rows, (r) => this.underlyingIndex.get(underlyingOf(r))!)
    this.mark = new Float64Array(n)
    this.entries = new Float64Array(n * SCENARIO_COUNT)
    this.shortMinPerUnit = new Float64Array(n)
    this.rowsOf = Array.from({ length: this.underlyingIndex.size }, () => [])
    this.underlying.forEach((u, row) => {
      this.rowsOf[u]!.push(row)
    })
  }

  /** Re-price every row of underlying `name` (index `u`). */
  price(u: number, name: string, market: Market, params: RiskParams): void {
    const quote = market.underlyings.get(name)!
    const up = params.underlyings.get(name)!
    for (const row of this.rowsOf[u]!) {
      const { mark, entries, shortMin } = rowFigures(this.#rows[row]!, quote, up, params)
      this.mark[row] = mark
      this.entries.set(entries, row * SCENARIO_COUNT)
      this.shortMinPerUnit[row] = shortMin
    }
  }
}

function underlyingOf(r: RowSource): string {
  return r.kind === 'collateral' ? r.underlying : r.instrument.underlying
}

function rowFigures(
  source: RowSource,
  quote: UnderlyingQuote,
  up: UnderlyingParams,
  params: RiskParams,
): { mark: number; entries: Float64Array; shortMin: number } {
  if (source.kind === 'collateral') {
    const { haircut } = source
    return {
      mark: quote.price * (1 - haircut),
      entries: collateralRiskArray(haircut, quote, up, params),
      shortMin: 0,
    }
  }
  const { instrument: i, tau } = source
  const entries = instrumentRiskArray(i, quote, up, params, tau)
  if (i.kind !== 'option') return { mark: quote.price, entries, shortMin: 0 }
  return {
    mark: optionValue(i.type, quote.price, i.strike, quote.vol, tau),
    entries,
    shortMin: up.shortOptionMinimum * quote.price,
  }
}
