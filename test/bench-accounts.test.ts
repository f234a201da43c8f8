/** bench:accounts runs end to end at tiny sizes and reports every figure the issue names (a smoke test: no timing is asserted). */
import { describe, expect, it } from 'vitest'
import { runBurstBench, runRestartBench } from '../aggregator/bench/accounts-bench.ts'

describe('bench:accounts', () => {
  it('credits every deposit of a burst on three chains exactly once and reports rates and latency', async () => {
    const result = await runBurstBench(30)
    expect(result.deposits).toBe(30)
    expect(result.credited).toBe(30)
    expect(result.duplicateCredits).toBe(0)
    for (const key of ['minedPerSecond', 'creditsPerSecond', 'p50Ms', 'p99Ms', 'wallMs'] as const) {
      expect(result[key], key).toBeGreaterThan(0)
    }
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms)
  }, 120_000)

  it('restarts from the snapshot and its tail to the same book as a full replay', async () => {
    const result = await runRestartBench(20_000, 500)
    expect(result).toMatchObject({ events: 20_000, accounts: 500, snapshotSeq: 10_000 })
    expect(result.booksAgree).toBe(true)
    for (const key of ['seedMs', 'restartMs', 'replayMs'] as const) {
      expect(result[key], key).toBeGreaterThan(0)
    }
  }, 120_000)
})
