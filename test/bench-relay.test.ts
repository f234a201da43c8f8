/** bench:relay runs end to end and reports every figure the issue names (a smoke test: no timing is asserted). */
import { describe, expect, it } from 'vitest'
import { runRelayBench } from '../aggregator/bench/relay-bench.ts'

describe('bench:relay', () => {
  it('delivers every message it publishes and reports throughput and latency percentiles', async () => {
    const result = await runRelayBench(40, 40, 20)
    expect(result.messages).toBe(40)
    for (const key of [
      'publishedPerSecond',
      'deliveriesPerSecond',
      'p50Ms',
      'p99Ms',
      'maxMs',
      'wallMs',
    ] as const) {
      expect(result[key], key).toBeGreaterThan(0)
    }
    expect(result.p50Ms).toBeLessThanOrEqual(result.p99Ms)
  }, 120_000)
})
