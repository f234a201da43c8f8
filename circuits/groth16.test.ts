import { readFileSync } from 'node:fs'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CIRCUIT_WAIT_MS, circuitsReady } from '../test/helpers/circuits.ts'
import { specInputs } from '../test/helpers/proofs.ts'
import { prepareAccountProof } from './account-proof.ts'
import { CIRCUIT_FILES, requireCircuits } from './build.ts'
import { type ProvingKey, ProvingKeyError, proveGroth16, readProvingKey } from './groth16.ts'
import { FIELD } from './poseidon.ts'
import { calculateWitness, releaseProver, SIGNAL_NAMES, verify } from './prover.ts'
import { wtnsFile } from './wtns-file.ts'

let file: Uint8Array
let key: ProvingKey
let witness: bigint[]

// needs the circuit's build: wait for it (test/helpers/circuits.ts)
beforeAll(() => circuitsReady(), CIRCUIT_WAIT_MS)

beforeAll(async () => {
  requireCircuits()
  file = new Uint8Array(readFileSync(CIRCUIT_FILES.zkey))
  key = readProvingKey(file, 'solvency.zkey')
  const { input } = await prepareAccountProof({
    inputs: specInputs(),
    accountId: 0x5eedn,
    salt: 3n,
    epoch: 2n,
  })
  witness = await calculateWitness(input)
}, 120_000)
afterAll(releaseProver)

// Both provers take a witness and the key; each one's proof must verify.
const provers = [
  { name: 'this project', prove: (w: bigint[]) => proveGroth16(key, w) },
  {
    name: 'snarkjs',
    prove: (w: bigint[]) =>
      snarkjs.groth16.prove({ type: 'mem', data: file }, { type: 'mem', data: wtnsFile(w) }),
  },
]

describe.each(provers)('the Groth16 prover of $name', ({ prove }) => {
  it('proves a satisfied witness, with its public signals', async () => {
    const { proof, publicSignals } = await prove(witness)
    expect(publicSignals).toEqual(witness.slice(1, 1 + SIGNAL_NAMES.length).map(String))
    expect(await verify(proof, publicSignals)).toBe(true)
  }, 120_000)
})

describe('this project’s Groth16 prover', () => {
  it('gives a proof that fails verification when one private wire is wrong', async () => {
    const broken = [...witness]
    broken[500] = (broken[500]! + 1n) % FIELD
    const { proof, publicSignals } = await proveGroth16(key, broken)
    expect(await verify(proof, publicSignals)).toBe(false)
  }, 120_000)

  it.each([
    { name: 'one wire short', change: (w: bigint[]) => w.slice(1), details: 'wires' },
    {
      name: 'a value of the field size',
      change: (w: bigint[]) => w.with(9, FIELD),
      details: 'wire 9 is not a field element',
    },
    { name: 'a negative value', change: (w: bigint[]) => w.with(3, -1n), details: 'wire 3' },
  ])('refuses a witness with $name', async ({ change, details }) => {
    await expect(proveGroth16(key, change(witness))).rejects.toThrow(details)
  })
})

describe('reading a proving key', () => {
  const edited = (edit: (copy: Uint8Array, view: DataView) => void) => {
    const copy = file.slice()
    edit(copy, new DataView(copy.buffer))
    return copy
  }
  // section 1 (protocol) comes first: its type at 12, size at 16, value at 24
  it.each([
    {
      name: 'another format',
      bytes: () => edited((c) => c.set([0x77], 0)),
      details: '"zkey"',
    },
    { name: 'a cut-short file', bytes: () => file.subarray(0, 1_000_000), details: 'cut short' },
    {
      name: 'a PLONK key',
      bytes: () => edited((_, v) => v.setUint32(24, 2, true)),
      details: 'not a Groth16 key',
    },
    { name: 'an empty file', bytes: () => new Uint8Array(), details: '"zkey"' },
  ])('refuses $name, naming the file', ({ bytes, details }) => {
    const read = () => readProvingKey(bytes(), 'keys/k.zkey')
    expect(read).toThrow(ProvingKeyError)
    expect(read).toThrow(/keys\/k\.zkey/)
    expect(read).toThrow(details)
  })

  it('decodes the key the build made', () => {
    expect(key.nPublic).toBe(SIGNAL_NAMES.length)
    expect(key.nVars).toBe(witness.length)
    expect(key.domainSize).toBe(2 ** 16)
    expect(key.coefficients.value.length).toBeGreaterThan(key.domainSize)
  })
})
