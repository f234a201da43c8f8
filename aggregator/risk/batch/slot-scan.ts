/**
 * The engine's inner arithmetic: slots (a slot is one account's holdings on
 * one underlying) against the shared rows. Sums each slot's sixteen-entry
 * risk array and its value, and scans for the worst weighted loss (spec
 * section 4).
 *
 * The summed risk array is sixteen scalars and the scan sixteen plain
 * comparisons, unrolled by hand: a scratch array and a loop cost 20-80%
 * more full-pass time in V8 (bench:risk), and this is the engine's hot path.
 */
import { SCENARIO_COUNT } from '../scenarios.ts'

/** What scanSlots returns besides the summed scan risk (a second return value without allocating). */
export const scanned = { value: 0 }

/**
 * Slots [first, end): slot s holds holdings [holdStart[s], holdEnd[s]) of
 * `rows` and `qty`. For each, writes L(u) = max(0, max_k loss(u, k)) to
 * scan[s], the first k (1-based, table order) attaining it to scenario[s]
 * (0 when L(u) = 0) and sum q * mark to value[s]. Returns the sum of the
 * scan risks and sets `scanned.value` to the sum of the values.
 * `extremeWeight` is w_15 = w_16; every other scenario counts in full.
 *
 * One kernel for every path (full pass: an account's slots; tick: the one
 * slot that moved; what-if: the staged slots), summing in one order, so
 * each path gives the same figures to the bit.
 */
export function scanSlots(
  entries: Float64Array,
  mark: Float64Array,
  rows: Int32Array,
  qty: Float64Array,
  holdStart: Int32Array,
  holdEnd: Int32Array,
  first: number,
  end: number,
  extremeWeight: number,
  scan: Float64Array,
  scenario: Int8Array,
  value: Float64Array,
): number {
  let totalScan = 0
  let totalValue = 0
  for (let s = first; s < end; s++) {
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
    let v = 0
    for (let h = holdStart[s]!, stop = holdEnd[s]!; h < stop; h++) {
      const r = rows[h]!
      const q = qty[h]!
      v += q * mark[r]!
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
    let k = 0
    if (-p0 > worst) {
      worst = -p0
      k = 1
    }
    if (-p1 > worst) {
      worst = -p1
      k = 2
    }
    if (-p2 > worst) {
      worst = -p2
      k = 3
    }
    if (-p3 > worst) {
      worst = -p3
      k = 4
    }
    if (-p4 > worst) {
      worst = -p4
      k = 5
    }
    if (-p5 > worst) {
      worst = -p5
      k = 6
    }
    if (-p6 > worst) {
      worst = -p6
      k = 7
    }
    if (-p7 > worst) {
      worst = -p7
      k = 8
    }
    if (-p8 > worst) {
      worst = -p8
      k = 9
    }
    if (-p9 > worst) {
      worst = -p9
      k = 10
    }
    if (-p10 > worst) {
      worst = -p10
      k = 11
    }
    if (-p11 > worst) {
      worst = -p11
      k = 12
    }
    if (-p12 > worst) {
      worst = -p12
      k = 13
    }
    if (-p13 > worst) {
      worst = -p13
      k = 14
    }
    if (-extremeWeight * p14 > worst) {
      worst = -extremeWeight * p14
      k = 15
    }
    if (-extremeWeight * p15 > worst) {
      worst = -extremeWeight * p15
      k = 16
    }
    scan[s] = worst
    scenario[s] = k
    value[s] = v
    totalScan += worst
    totalValue += v
  }
  scanned.value = totalValue
  return totalScan
}
