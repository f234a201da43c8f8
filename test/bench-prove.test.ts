/** bench:prove stays runnable: one proof, the fields it reports; no timing is asserted. */
import { beforeAll, describe, expect, it } from 'vitest'
import { runProveBench } from '../aggregator/bench/prove-bench.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from './helpers/circuits.ts'

// needs the circuit's build: wait for it (test/helpers/circuits.ts)
beforeAll(() => circuitsReady(), CIRCUIT_WAIT_MS)

describe('bench:prove', () => {
  it('proves a full-capacity account and measures the on-chain verifier', async () => {
    const result = await runProveBench(1)
    expect(result).toMatchObject({
      constraints: expect.any(Number),
      witnessMs: expect.any(Number),
      proveMs: expect.any(Number),
      proveRuns: 1,
      verifyMs: expect.any(Number),
    })
    expect(result.constraints).toBeLessThanOrEqual(2 ** 16)
    // a failed pairing check would cost a fraction of this; a real one is ~250k
    expect(result.verifyGas).toBeGreaterThan(150_000)
  })
})
