/**
 * The engine's inner arithmetic: one slot (one account's holdings on one
 * underlying) against the shared rows. Sums its sixteen-entry risk array
 * and its value, and scans for the worst weighted loss (spec section 4).
 *
 * The summed risk array is sixteen scalars and the scan sixteen plain
 * comparisons, unrolled by hand: a scratch array and a loop cost 20-80%
 * more full-pass time in V8 (bench:risk), and this is the engine's hot path.
 */
import { SCENARIO_COUNT } from '../scenarios.ts'

/** What scanSlot returns besides the scan risk (a second return value without allocating). */
export const scanned = { scenario: 0, value: 0 }

/**
 * Holdings [start, end) of `rows` and `qty`. Returns L(u) = max(0, max_k
 * loss(u, k)); sets `scanned.scenario` to the first k (1-based, table
 * order) attaining it, 0 when L(u) = 0, and `scanned.value` to sum q * mark.
 * `extremeWeight` is w_15 = w_16; every other scenario counts in full.
 */
export function scanSlot(
  entries: Float64Array,
  mark: Float64Array,
  rows: Int32Array,
  qty: Float64Array,
  start: number,
  end: number,
  extremeWeight: number,
): number {
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
  for (let h = start; h < end; h++) {
    const r = rows[h]!
    const q = qty[h]!
    value += q * mark[r]!
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
  if (-extremeWeight * p14 > worst) {
    worst = -extremeWeight * p14
    scenario = 15
  }
  if (-extremeWeight * p15 > worst) {
    worst = -extremeWeight * p15
    scenario = 16
  }
  scanned.scenario = scenario
  scanned.value = value
  return worst
}
