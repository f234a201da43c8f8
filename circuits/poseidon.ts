/** Poseidon over bn128, the circomlib parameters, from circomlibjs. */
import { buildPoseidon, type Poseidon } from 'circomlibjs'

let instance: Promise<Poseidon> | undefined

/** Poseidon of 1 to 16 inputs; `initialState` is the capacity element (0 unless given). */
export type Hasher = (inputs: readonly bigint[], initialState?: bigint) => bigint

export async function poseidonHasher(): Promise<Hasher> {
  instance ??= buildPoseidon()
  const p = await instance
  return (inputs, initialState) => p.F.toObject(p([...inputs], initialState))
}

/** The bn128 scalar field order: every signal is an element of it. */
export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
