import { buildPoseidon } from 'circomlibjs'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { FIELD, type Hasher, poseidonHasher } from './poseidon.ts'

// circomlibjs's Poseidon is the reference: the circuit (circomlib's Poseidon) and the
// on-chain hasher use its constants, so the project's hasher must give its outputs exactly.
let reference: (inputs: bigint[], initialState?: bigint) => bigint
let hash: Hasher

beforeAll(async () => {
  const p = await buildPoseidon()
  reference = (inputs, initialState) => p.F.toObject(p(inputs, initialState))
  hash = await poseidonHasher()
})

const element = fc.oneof(
  fc.bigInt({ min: 0n, max: FIELD - 1n }),
  fc.constantFrom(0n, 1n, FIELD - 1n, FIELD - 2n, 2n ** 253n),
)

describe('poseidonHasher', () => {
  // widths t = 2..17: 1 to 16 inputs, every width the tree, leaves and market table use
  it.each(Array.from({ length: 16 }, (_, i) => i + 1))(
    'equals circomlibjs on random field elements, %i inputs',
    (n) => {
      fc.assert(
        fc.property(fc.array(element, { minLength: n, maxLength: n }), (xs) => {
          expect(hash(xs)).toBe(reference(xs))
        }),
        { numRuns: 40 },
      )
    },
  )

  it('equals circomlibjs with a capacity element given', () => {
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 16 }), element, (xs, s) => {
        expect(hash(xs, s)).toBe(reference(xs, s))
      }),
      { numRuns: 50 },
    )
  })

  it('gives the known value of Poseidon(1, 2)', () => {
    expect(hash([1n, 2n])).toBe(0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189an)
  })
})
