import { buildPoseidon } from 'circomlibjs'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { FIELD, poseidonHasher } from '../../circuits/poseidon.ts'
import { HashPool } from './hash-pool.ts'

const p = await buildPoseidon()
const reference = (xs: bigint[]) => p.F.toObject(p(xs))
const pool = new HashPool(await poseidonHasher(), { threads: 2, minBatch: 1 })
afterAll(() => pool.close())

describe('HashPool', () => {
  it('hashes on its threads, in order, as circomlibjs does one by one', async () => {
    const lists = fc.sample(
      fc.array(fc.bigInt({ min: 0n, max: FIELD - 1n }), { minLength: 1, maxLength: 16 }),
      { numRuns: 64, seed: 7 },
    )
    expect(await pool.hashMany(lists)).toEqual(lists.map(reference))
  }, 60_000)

  it('hashes inline below its batch size', async () => {
    const inline = new HashPool(await poseidonHasher(), { minBatch: 10 })
    expect(await inline.hashMany([[1n, 2n]])).toEqual([reference([1n, 2n])])
    await inline.close()
  })
})
