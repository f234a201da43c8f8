/**
 * The market side of the statement: the rows the circuit reads and the
 * market root that commits to them (circuits/README.md, "Encoding").
 *
 * A row is (underlying tag, mark, short option minimum per unit, 16 risk-array
 * entries), all per unit of the instrument or asset in 1e-6 USD, rounded
 * down; entries 15 and 16 already carry extremeCoverFraction. The short
 * option minimum is rounded up.
 */
import { InputError } from '../aggregator/errors.ts'
import { instrumentKey } from '../aggregator/risk/netting.ts'
import {
  collateralRiskArray,
  instrumentRiskArray,
  SCENARIO_COUNT,
  scenarioWeights,
} from '../aggregator/risk/scenarios.ts'
import type { Instrument, Market, RiskParams } from '../aggregator/risk/types.ts'
import { optionValue, yearsToExpiry } from '../aggregator/risk/valuation.ts'
import { ceilScaled, floorScaled, requireBits, USD } from './fixed-point.ts'
import type { Hasher } from './poseidon.ts'
import { padTable, tableRoot } from './trees.ts'

/** Capacities fixed by the compiled circuit (circuits/solvency.circom main). */
export const CAPACITY = {
  positions: 16,
  collateral: 8,
  underlyings: 4,
  spreadCredits: 4,
  /** bits of a row index: 64 instruments, 16 assets per market */
  instrumentBits: 6,
  assetBits: 4,
} as const
export const NO_UNDERLYING = 15
const MAX_UNDERLYINGS = 15

export interface MarketRow {
  readonly tag: bigint
  readonly mark: bigint
  readonly som: bigint
  readonly entries: readonly bigint[]
}

export interface MarketTable {
  readonly underlyingIndex: ReadonlyMap<string, number>
  readonly instruments: readonly MarketRow[]
  readonly instrumentIndex: ReadonlyMap<string, number>
  readonly assets: readonly MarketRow[]
  readonly assetIndex: ReadonlyMap<string, number>
  /** every row's digest, empty rows 0: what the circuit hashes into the table roots */
  readonly instrumentDigests: bigint[]
  readonly assetDigests: bigint[]
  readonly params: { imFactor: bigint; legA: bigint[]; legB: bigint[]; rate: bigint[] }
  readonly paramsHash: bigint
  readonly marketRoot: bigint
}

/** Bits of a mark or a short option minimum: the circuit packs them with the tag (RowHash). */
const ROW_VALUE_BITS = 64n

/** One permutation over the entries, its capacity element carrying tag | mark << 4 | som << 68. */
function rowHash(hash: Hasher, row: MarketRow): bigint {
  return hash(row.entries, row.tag | (row.mark << 4n) | (row.som << 68n))
}

const rowValue = (x: bigint, field: string) => requireBits(x, ROW_VALUE_BITS, field)

function entriesOf(profits: Float64Array, weights: Float64Array, field: string): bigint[] {
  return Array.from({ length: SCENARIO_COUNT }, (_, k) =>
    floorScaled(profits[k]! * weights[k]!, USD, `${field}[${k}]`),
  )
}

function instrumentRow(
  market: Market,
  params: RiskParams,
  underlyingIndex: ReadonlyMap<string, number>,
  instrument: Instrument,
): MarketRow {
  const field = `instrument ${instrumentKey(instrument)}`
  const quote = market.underlyings.get(instrument.underlying)!
  const up = params.underlyings.get(instrument.underlying)!
  const tau = instrument.kind === 'perp' ? 0 : yearsToExpiry(instrument.expiry, market.timestamp)
  const isOption = instrument.kind === 'option'
  const mark = isOption
    ? optionValue(instrument.type, quote.price, instrument.strike, quote.vol, tau)
    : quote.price
  return {
    tag: BigInt(underlyingIndex.get(instrument.underlying)!),
    mark: rowValue(floorScaled(mark, USD, `${field}.mark`), `${field}.mark`),
    som: isOption
      ? rowValue(
          ceilScaled(up.shortOptionMinimum * quote.price, USD, `${field}.som`),
          `${field}.som`,
        )
      : 0n,
    entries: entriesOf(
      instrumentRiskArray(instrument, quote, up, params, tau),
      scenarioWeights(params),
      field,
    ),
  }
}

function assetRow(
  market: Market,
  params: RiskParams,
  underlyingIndex: ReadonlyMap<string, number>,
  name: string,
): MarketRow {
  const asset = market.assets.get(name)!
  if (asset.kind === 'fixed') {
    return {
      tag: BigInt(NO_UNDERLYING),
      mark: rowValue(
        floorScaled(asset.price * (1 - asset.haircut), USD, `asset ${name}.mark`),
        `asset ${name}.mark`,
      ),
      som: 0n,
      entries: Array(SCENARIO_COUNT).fill(0n),
    }
  }
  const quote = market.underlyings.get(asset.underlying)!
  const up = params.underlyings.get(asset.underlying)
  if (up === undefined)
    throw new InputError(
      `params.underlyings.${asset.underlying}`,
      'missing_risk_params',
      `asset ${name} tracks ${asset.underlying}, which has no risk parameters`,
    )
  return {
    tag: BigInt(underlyingIndex.get(asset.underlying)!),
    mark: rowValue(
      floorScaled(quote.price * (1 - asset.haircut), USD, `asset ${name}.mark`),
      `asset ${name}.mark`,
    ),
    som: 0n,
    entries: entriesOf(
      collateralRiskArray(asset.haircut, quote, up, params),
      scenarioWeights(params),
      `asset ${name}`,
    ),
  }
}

function encodeParams(
  params: RiskParams,
  underlyingIndex: ReadonlyMap<string, number>,
): MarketTable['params'] {
  const credits = params.spreadCredits
  if (credits.length > CAPACITY.spreadCredits)
    throw new InputError(
      'params.spreadCredits',
      'out_of_range',
      `the circuit takes at most ${CAPACITY.spreadCredits} spread credits, got ${credits.length}`,
    )
  const pad = <T>(xs: T[], fill: T) =>
    [...xs, ...Array(CAPACITY.spreadCredits - xs.length).fill(fill)] as T[]
  const none = BigInt(NO_UNDERLYING)
  return {
    // rounded against the account: a higher IM factor, lower credit rates
    imFactor: ceilScaled(params.initialMarginFactor, USD, 'params.initialMarginFactor'),
    legA: pad(
      credits.map((c) => BigInt(underlyingIndex.get(c.legs[0])!)),
      none,
    ),
    legB: pad(
      credits.map((c) => BigInt(underlyingIndex.get(c.legs[1])!)),
      none,
    ),
    rate: pad(
      credits.map((c, i) => floorScaled(c.rate, USD, `params.spreadCredits[${i}].rate`)),
      0n,
    ),
  }
}

/**
 * The market table for an epoch: every listed instrument and every asset of
 * the snapshot. Underlyings are numbered in sorted order of the parameters.
 */
/**
 * The market root a table's rows and parameters imply, recomputed from them
 * alone (not from its stored digests or root): what an auditor compares with
 * the posted root.
 */
export function marketRootOf(
  hash: Hasher,
  table: Pick<MarketTable, 'instruments' | 'assets' | 'params'>,
): bigint {
  const digests = (rows: readonly MarketRow[], bits: number) =>
    padTable(
      rows.map((r) => rowHash(hash, r)),
      bits,
    )
  const p = table.params
  const paramsHash = hash([p.imFactor, ...p.legA.flatMap((a, c) => [a, p.legB[c]!, p.rate[c]!])])
  return hash([
    tableRoot(hash, digests(table.instruments, CAPACITY.instrumentBits)),
    tableRoot(hash, digests(table.assets, CAPACITY.assetBits)),
    paramsHash,
  ])
}

export function buildMarketTable(
  hash: Hasher,
  market: Market,
  params: RiskParams,
  instruments: readonly Instrument[],
): MarketTable {
  const names = [...params.underlyings.keys()].sort()
  if (names.length > MAX_UNDERLYINGS)
    throw new InputError(
      'params.underlyings',
      'out_of_range',
      `the circuit numbers at most ${MAX_UNDERLYINGS} underlyings, got ${names.length}`,
    )
  const underlyingIndex = new Map(names.map((n, i) => [n, i]))

  const instrumentIndex = new Map<string, number>()
  const instrumentRows: MarketRow[] = []
  for (const i of instruments) {
    const key = instrumentKey(i)
    if (instrumentIndex.has(key)) continue
    instrumentIndex.set(key, instrumentRows.length)
    instrumentRows.push(instrumentRow(market, params, underlyingIndex, i))
  }
  const assetNames = [...market.assets.keys()].sort()
  const assetIndex = new Map(assetNames.map((n, i) => [n, i]))
  const assetRows = assetNames.map((n) => assetRow(market, params, underlyingIndex, n))
  if (instrumentRows.length > 2 ** CAPACITY.instrumentBits)
    throw new InputError(
      'instruments',
      'out_of_range',
      `the market table holds ${2 ** CAPACITY.instrumentBits} instruments, got ${instrumentRows.length}`,
    )
  if (assetRows.length > 2 ** CAPACITY.assetBits)
    throw new InputError(
      'market.assets',
      'out_of_range',
      `the market table holds ${2 ** CAPACITY.assetBits} assets, got ${assetRows.length}`,
    )

  const instrumentDigests = padTable(
    instrumentRows.map((r) => rowHash(hash, r)),
    CAPACITY.instrumentBits,
  )
  const assetDigests = padTable(
    assetRows.map((r) => rowHash(hash, r)),
    CAPACITY.assetBits,
  )
  const encoded = encodeParams(params, underlyingIndex)
  const paramsHash = hash([
    encoded.imFactor,
    ...encoded.legA.flatMap((a, c) => [a, encoded.legB[c]!, encoded.rate[c]!]),
  ])
  const marketRoot = hash([
    tableRoot(hash, instrumentDigests),
    tableRoot(hash, assetDigests),
    paramsHash,
  ])
  return {
    underlyingIndex,
    instruments: instrumentRows,
    instrumentIndex,
    assets: assetRows,
    assetIndex,
    instrumentDigests,
    assetDigests,
    params: encoded,
    paramsHash,
    marketRoot,
  }
}
