/** Poseidon over bn128, the circomlib parameters, from circomlibjs. */
import { buildPoseidon, type Poseidon } from 'circomlibjs'

let instance: Promise<Poseidon> | undefined

export type Hasher = (inputs: readonly bigint[]) => bigint

export async function poseidonHasher(): Promise<Hasher> {
  instance ??= buildPoseidon()
  const p = await instance
  return (inputs) => p.F.toObject(p([...inputs]))
}

/** The bn128 scalar field order: every signal is an element of it. */
export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n
