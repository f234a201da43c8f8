/**
 * `npm run bench:risk`: the batch engine against the targets, against
 * the per-account reference engine on the same book, and against the floor of
 * a full pass (a bare kernel doing only the arithmetic no pass can avoid),
 * all in the same run; plus the pre-trade what-if rate and the fill rate.
 */
import { BatchEngine, blankSummary } from '../risk/batch/engine.ts'
import { instrumentKey, netPositions } from '../risk/netting.ts'
import { computeMargin } from '../risk/reference.ts'
import {
  collateralRiskArray,
  instrumentRiskArray,
  SCENARIO_COUNT,
  scenarioWeights,
} from '../risk/scenarios.ts'
import type { MarginFigures, Market, Portfolio, Position, RiskParams } from '../risk/types.ts'
import { yearsToExpiry } from '../risk/valuation.ts'
import { BENCH_SHAPE, type BookShape, rng, syntheticBook } from './synthetic-book.ts'

export interface RiskBenchResult {
  readonly accounts: number
  readonly buildMs: number
  readonly fullPassMs: number
  readonly accountsPerSecond: number
  readonly tickMs: number
  readonly tickAccountsTouched: number
  readonly referencePassMs: number
  readonly speedup: number
  /** The bare kernel over each account's per-instrument netted quantities (collateral per asset). */
  readonly floorMs: number
  readonly fullPassOverFloor: number
  /**
   * The same kernel over the engine's own holdings, where an underlying's
   * perps, futures and tracking collateral are one quantity on one risk
   * array: the floor of the arithmetic the engine actually does.
   */
  readonly reducedFloorMs: number
  readonly fullPassOverReducedFloor: number
  /** Pre-trade checks per second: whatIf() of an account's portfolio with one more fill. */
  readonly whatIfPerSecond: number
  /** Fills applied per second: set() of an account's portfolio with one more position. */
  readonly setPerSecond: number
  readonly peakRssMb: number
  readonly maxRelativeDifference: number
}

const COMPARED = [
  'equity',
  'scanRisk',
  'spreadCredit',
  'shortOptionMinimum',
  'maintenanceMargin',
  'initialMargin',
] as const

/**
 * |a - b| / max(|a|, |b|, 1): relative, with a 1 USD floor so that figures
 * that are zero up to rounding do not blow the ratio up.
 */
export function relativeDifference(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1)
}

export function figuresDifference(a: MarginFigures, b: MarginFigures): number {
  let worst = a.status === b.status ? 0 : Number.POSITIVE_INFINITY
  for (const key of COMPARED) worst = Math.max(worst, relativeDifference(a[key], b[key]))
  return worst
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function timed(fn: () => void): number {
  const start = performance.now()
  fn()
  return performance.now() - start
}

export function runRiskBench(
  shape: BookShape = BENCH_SHAPE,
  // Medians of 9 interleaved passes: two shared cores make single passes noisy.
  passes = 9,
  ticks = 25,
): RiskBenchResult {
  const book = syntheticBook(shape)
  let engine: BatchEngine | undefined
  const buildMs = timed(() => {
    engine = BatchEngine.build(book.market, book.params, book.portfolios)
  })
  const batch = engine!

  // The full pass and both floors interleaved, so that the machine's noise hits them alike.
  const floor = floorBook(book.market, book.params, book.portfolios, false)
  const reduced = floorBook(book.market, book.params, book.portfolios, true)
  const passTimes: number[] = []
  const floorTimes: number[] = []
  const reducedTimes: number[] = []
  for (let i = 0; i < passes; i++) {
    passTimes.push(timed(() => batch.fullPass()))
    floorTimes.push(timed(() => floorPass(floor)))
    reducedTimes.push(timed(() => floorPass(reduced)))
  }
  const fullPassMs = median(passTimes)
  const floorMs = median(floorTimes)
  const reducedFloorMs = median(reducedTimes)

  const rand = rng(shape.seed + 1)
  let market = book.market
  let touched = 0
  const tickTimes = Array.from({ length: ticks }, () => {
    const name = book.underlyingNames[Math.floor(rand() * book.underlyingNames.length)]!
    const old = market.underlyings.get(name)!
    const quote = { price: old.price * (1 + (rand() - 0.5) * 0.02), vol: old.vol }
    market = { ...market, underlyings: new Map(market.underlyings).set(name, quote) }
    return timed(() => {
      touched += batch.updateUnderlying(name, quote)
    })
  })

  // The reference engine sees the market the ticks left, so this also checks the incremental path.
  let maxRelativeDifference = 0
  const referencePassMs = timed(() => {
    book.portfolios.forEach((portfolio, a) => {
      const reference = computeMargin({ market, params: book.params, portfolio })
      maxRelativeDifference = Math.max(
        maxRelativeDifference,
        figuresDifference(reference, batch.figures(a)),
      )
    })
  })

  // Pre-trade checks, then the same fills applied: one more position in an instrument the account holds.
  const checked = Math.min(shape.accounts, 20_000)
  const filled = book.portfolios.slice(0, checked).map((p, a) => withFill(p, a, market))
  const summary = blankSummary()
  const whatIfMs = median(
    Array.from({ length: 3 }, () =>
      timed(() => {
        for (const p of filled) batch.whatIf(p, summary)
      }),
    ),
  )
  const setMs = timed(() => {
    filled.forEach((p, a) => {
      batch.set(a, p)
    })
  })
  return {
    accounts: shape.accounts,
    buildMs: round(buildMs),
    fullPassMs: round(fullPassMs),
    accountsPerSecond: Math.round(shape.accounts / (fullPassMs / 1000)),
    tickMs: round(median(tickTimes)),
    tickAccountsTouched: Math.round(touched / ticks),
    referencePassMs: round(referencePassMs),
    speedup: round(referencePassMs / fullPassMs),
    floorMs: round(floorMs),
    fullPassOverFloor: round(fullPassMs / floorMs),
    reducedFloorMs: round(reducedFloorMs),
    fullPassOverReducedFloor: round(fullPassMs / reducedFloorMs),
    whatIfPerSecond: Math.round(checked / (whatIfMs / 1000)),
    setPerSecond: Math.round(checked / (setMs / 1000)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    maxRelativeDifference,
  }
}

/** `p` after one more fill: a tenth of its first position's size again, at the current spot. */
function withFill(p: Portfolio, a: number, market: Market): Portfolio {
  const first = p.positions[a % p.positions.length]
  if (first === undefined) return p
  const spot = market.underlyings.get(first.instrument.underlying)!.price
  const fill: Position =
    first.instrument.kind === 'option'
      ? { chain: first.chain, instrument: first.instrument, quantity: first.quantity / 10 }
      : {
          chain: first.chain,
          instrument: first.instrument,
          quantity: first.quantity / 10,
          entryPrice: spot,
        }
  return { ...p, positions: [...p.positions, fill] }
}

/** The floor's input: slots of (row, quantity) holdings over shared risk arrays, flat. */
interface FloorBook {
  readonly rows: Int32Array
  readonly qty: Float64Array
  readonly slotEnd: Int32Array
  readonly entries: Float64Array
  readonly extremeWeight: number
  readonly out: Float64Array
}

/**
 * Each account's netted quantities per underlying slot, laid out as densely
 * as they go. Not `reduced`: one holding per netted instrument and per
 * tracking collateral asset, as the spec states the sums. `reduced`: as
 * the engine holds them (one linear quantity per underlying; zeros dropped).
 */
function floorBook(
  market: Market,
  params: RiskParams,
  portfolios: readonly Portfolio[],
  reduced: boolean,
): FloorBook {
  const rowOf = new Map<string, number>()
  const arrays: Float64Array[] = []
  const row = (key: string, entries: () => Float64Array): number => {
    let r = rowOf.get(key)
    if (r === undefined) {
      r = arrays.push(entries()) - 1
      rowOf.set(key, r)
    }
    return r
  }
  const quote = (u: string) => market.underlyings.get(u)!
  const up = (u: string) => params.underlyings.get(u)!
  const linear = (u: string) =>
    row(`linear|${u}`, () =>
      instrumentRiskArray({ kind: 'perp', underlying: u }, quote(u), up(u), params, 0),
    )
  const rows: number[] = []
  const qty: number[] = []
  const slotEnd: number[] = []
  for (const p of portfolios) {
    const slots = new Map<string, Map<number, number>>()
    const hold = (u: string, r: number, q: number) => {
      const slot = slots.get(u) ?? new Map<number, number>()
      slots.set(u, slot.set(r, (slot.get(r) ?? 0) + q))
    }
    for (const c of p.collateral) {
      const asset = market.assets.get(c.asset)!
      if (asset.kind !== 'underlying') continue
      const u = asset.underlying
      if (reduced) hold(u, linear(u), c.amount * (1 - asset.haircut))
      else
        hold(
          u,
          row(`asset|${c.asset}`, () =>
            collateralRiskArray(asset.haircut, quote(u), up(u), params),
          ),
          c.amount,
        )
    }
    for (const { instrument: i, quantity } of netPositions(p.positions)) {
      const u = i.underlying
      if (reduced && i.kind !== 'option') hold(u, linear(u), quantity)
      else {
        const tau = i.kind === 'perp' ? 0 : yearsToExpiry(i.expiry, market.timestamp)
        hold(
          u,
          row(instrumentKey(i), () => instrumentRiskArray(i, quote(u), up(u), params, tau)),
          quantity,
        )
      }
    }
    for (const u of [...slots.keys()].sort()) {
      for (const [r, q] of slots.get(u)!) {
        if (reduced && q === 0) continue
        rows.push(r)
        qty.push(q)
      }
      slotEnd.push(rows.length)
    }
  }
  const entries = new Float64Array(arrays.length * SCENARIO_COUNT)
  arrays.forEach((a, r) => {
    entries.set(a, r * SCENARIO_COUNT)
  })
  return {
    rows: Int32Array.from(rows),
    qty: Float64Array.from(qty),
    slotEnd: Int32Array.from(slotEnd),
    entries,
    extremeWeight: scenarioWeights(params)[SCENARIO_COUNT - 1]!,
    out: new Float64Array(slotEnd.length),
  }
}

/**
 * The floor of a full pass: per slot, the netted quantities times the shared
 * risk-array entries summed into sixteen scenario profits, and the largest
 * weighted loss. Nothing else: no value, no scenario index, no per-account
 * totals, credits or status.
 */
function floorPass(f: FloorBook): void {
  const { rows, qty, slotEnd, entries, out } = f
  const w = f.extremeWeight
  let h = 0
  for (let s = 0; s < slotEnd.length; s++) {
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
    for (const end = slotEnd[s]!; h < end; h++) {
      const q = qty[h]!
      const b = rows[h]! * SCENARIO_COUNT
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
    out[s] = Math.max(
      0,
      -p0,
      -p1,
      -p2,
      -p3,
      -p4,
      -p5,
      -p6,
      -p7,
      -p8,
      -p9,
      -p10,
      -p11,
      -p12,
      -p13,
      -w * p14,
      -w * p15,
    )
  }
}

const round = (x: number): number => Math.round(x * 100) / 100
