/**
 * `npm run bench:risk`: the batch engine against the targets, and
 * against the per-account reference engine on the same book in the same run.
 */
import { BatchEngine } from '../risk/batch/engine.ts'
import { computeMargin } from '../risk/reference.ts'
import type { MarginFigures } from '../risk/types.ts'
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
  passes = 5,
  ticks = 25,
): RiskBenchResult {
  const book = syntheticBook(shape)
  let engine: BatchEngine | undefined
  const buildMs = timed(() => {
    engine = BatchEngine.build(book.market, book.params, book.portfolios)
  })
  const batch = engine!
  const fullPassMs = median(Array.from({ length: passes }, () => timed(() => batch.fullPass())))

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
  return {
    accounts: shape.accounts,
    buildMs: round(buildMs),
    fullPassMs: round(fullPassMs),
    accountsPerSecond: Math.round(shape.accounts / (fullPassMs / 1000)),
    tickMs: round(median(tickTimes)),
    tickAccountsTouched: Math.round(touched / ticks),
    referencePassMs: round(referencePassMs),
    speedup: round(referencePassMs / fullPassMs),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    maxRelativeDifference,
  }
}

const round = (x: number): number => Math.round(x * 100) / 100
