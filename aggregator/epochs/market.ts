/**
 * An epoch's market table: every listed instrument and every instrument an
 * account still holds (an expired one waits for its settlement), in the
 * order of their ids, so the same instruments always get the same rows. It
 * is published whole (trust model: market data), as the JSON document here,
 * from which anyone recomputes its root.
 */
import type { MarketRow, MarketTable } from '../../circuits/market-table.ts'
import { instrumentKey } from '../risk/netting.ts'
import type { Instrument } from '../risk/types.ts'

/** Listed and held instruments, once each (by netting key), sorted by that key. */
export function epochInstruments(
  listed: readonly Instrument[],
  held: Iterable<Instrument>,
): Instrument[] {
  const byKey = new Map<string, Instrument>()
  for (const i of [...listed, ...held]) {
    const key = instrumentKey(i)
    if (!byKey.has(key)) byKey.set(key, i)
  }
  return [...byKey.keys()].sort().map((key) => byKey.get(key)!)
}

/**
 * What a leaf takes from the table: only the row numbers of instruments and
 * assets (a leaf holds quantities and entry prices, never marks). While this
 * key is unchanged, a price move changes no leaf.
 */
export function leafLayout(table: MarketTable): string {
  return JSON.stringify([[...table.instrumentIndex], [...table.assetIndex]])
}

interface RowDocument {
  readonly tag: string
  readonly mark: string
  readonly som: string
  readonly entries: readonly string[]
}

/**
 * The whole table in JSON: numbers as decimal strings, rows in the order the
 * circuit reads them; an instrument row names its netting key (perp|ETH).
 */
export interface MarketTableDocument {
  readonly underlyings: Record<string, number>
  readonly instruments: readonly (RowDocument & { readonly key: string })[]
  readonly assets: readonly (RowDocument & { readonly name: string })[]
  readonly instrumentDigests: readonly string[]
  readonly assetDigests: readonly string[]
  readonly params: {
    readonly imFactor: string
    readonly legA: readonly string[]
    readonly legB: readonly string[]
    readonly rate: readonly string[]
  }
  readonly paramsHash: string
  readonly marketRoot: string
}

const s = (x: bigint) => x.toString()
const rowDoc = (r: MarketRow): RowDocument => ({
  tag: s(r.tag),
  mark: s(r.mark),
  som: s(r.som),
  entries: r.entries.map(s),
})
const rowOf = (d: RowDocument): MarketRow => ({
  tag: BigInt(d.tag),
  mark: BigInt(d.mark),
  som: BigInt(d.som),
  entries: d.entries.map(BigInt),
})

/** Keys of `index` ordered by their row number. */
const inRowOrder = (index: ReadonlyMap<string, number>) =>
  [...index].sort((a, b) => a[1] - b[1]).map(([k]) => k)

export function tableDocument(table: MarketTable): MarketTableDocument {
  const keys = inRowOrder(table.instrumentIndex)
  const names = inRowOrder(table.assetIndex)
  return {
    underlyings: Object.fromEntries(table.underlyingIndex),
    instruments: table.instruments.map((r, i) => ({ key: keys[i]!, ...rowDoc(r) })),
    assets: table.assets.map((r, i) => ({ name: names[i]!, ...rowDoc(r) })),
    instrumentDigests: table.instrumentDigests.map(s),
    assetDigests: table.assetDigests.map(s),
    params: {
      imFactor: s(table.params.imFactor),
      legA: table.params.legA.map(s),
      legB: table.params.legB.map(s),
      rate: table.params.rate.map(s),
    },
    paramsHash: s(table.paramsHash),
    marketRoot: s(table.marketRoot),
  }
}

/** The table back from its document (a past epoch's, for a proof or an opening). */
export function tableFromDocument(d: MarketTableDocument): MarketTable {
  return {
    underlyingIndex: new Map(Object.entries(d.underlyings)),
    instruments: d.instruments.map(rowOf),
    instrumentIndex: new Map(d.instruments.map((r, i) => [r.key, i])),
    assets: d.assets.map(rowOf),
    assetIndex: new Map(d.assets.map((r, i) => [r.name, i])),
    instrumentDigests: d.instrumentDigests.map(BigInt),
    assetDigests: d.assetDigests.map(BigInt),
    params: {
      imFactor: BigInt(d.params.imFactor),
      legA: d.params.legA.map(BigInt),
      legB: d.params.legB.map(BigInt),
      rate: d.params.rate.map(BigInt),
    },
    paramsHash: BigInt(d.paramsHash),
    marketRoot: BigInt(d.marketRoot),
  }
}
