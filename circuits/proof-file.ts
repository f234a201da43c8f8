/**
 * proof.json: what `xmargin prove` writes and `xmargin verify` reads. The
 * public signals are the statement; `statement` repeats them readably and
 * must agree with them.
 */
import type { Groth16Proof } from 'snarkjs'
import { InputError } from '../aggregator/errors.ts'
import { FIELD } from './poseidon.ts'
import { SIGNAL_NAMES } from './prover.ts'

/** Version 2: the statement names the leaf's index (E4). */
export const PROOF_FORMAT = 'xmargin-solvency-proof/2'

export interface ProofStatement {
  readonly coversMaintenance: boolean
  readonly coversInitial: boolean
  readonly stateRoot: string
  readonly marketRoot: string
  readonly epoch: string
  readonly accountIdHash: string
  readonly leafIndex: string
}

export interface ProofFile {
  readonly format: typeof PROOF_FORMAT
  readonly statement: ProofStatement
  readonly publicSignals: string[]
  readonly proof: Groth16Proof
}

const hex32 = (x: string) => `0x${BigInt(x).toString(16).padStart(64, '0')}`

export function statementOf(publicSignals: readonly string[]): ProofStatement {
  const [mm, im, stateRoot, marketRoot, epoch, idHash, leafIndex] = publicSignals as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  return {
    coversMaintenance: mm === '1',
    coversInitial: im === '1',
    stateRoot: hex32(stateRoot),
    marketRoot: hex32(marketRoot),
    epoch,
    accountIdHash: hex32(idHash),
    leafIndex,
  }
}

export function proofFile(proof: Groth16Proof, publicSignals: string[]): ProofFile {
  return { format: PROOF_FORMAT, statement: statementOf(publicSignals), publicSignals, proof }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}

function fieldElement(x: unknown, field: string): string {
  if (typeof x !== 'string' || !/^\d{1,78}$/.test(x) || BigInt(x) >= FIELD)
    throw new InputError(field, 'wrong_type', `${field} must be a decimal field element`)
  return x
}

function elements(x: unknown, shape: readonly number[], field: string): unknown {
  const [n, ...rest] = shape
  if (!Array.isArray(x) || x.length !== n)
    throw new InputError(field, 'wrong_type', `${field} must be an array of ${n}`)
  return x.map((v, i) =>
    rest.length === 0 ? fieldElement(v, `${field}[${i}]`) : elements(v, rest, `${field}[${i}]`),
  )
}

/** Shape checks only: whether the proof is valid is the verifier's question. */
export function parseProofFile(doc: unknown): ProofFile {
  if (!isRecord(doc)) throw new InputError('proof', 'wrong_type', 'a proof file is a JSON object')
  if (doc['format'] !== PROOF_FORMAT)
    throw new InputError('format', 'wrong_type', `format must be "${PROOF_FORMAT}"`)
  const publicSignals = elements(
    doc['publicSignals'],
    [SIGNAL_NAMES.length],
    'publicSignals',
  ) as string[]
  const p = doc['proof']
  if (!isRecord(p)) throw new InputError('proof', 'missing_field', 'proof is missing')
  if (p['protocol'] !== 'groth16' || p['curve'] !== 'bn128')
    throw new InputError(
      'proof.protocol',
      'wrong_type',
      'only groth16 proofs on bn128 are accepted',
    )
  const proof: Groth16Proof = {
    pi_a: elements(p['pi_a'], [3], 'proof.pi_a') as string[],
    pi_b: elements(p['pi_b'], [3, 2], 'proof.pi_b') as string[][],
    pi_c: elements(p['pi_c'], [3], 'proof.pi_c') as string[],
    protocol: 'groth16',
    curve: 'bn128',
  }
  if (!isRecord(doc['statement']))
    throw new InputError('statement', 'missing_field', 'statement is missing')
  return {
    format: PROOF_FORMAT,
    statement: doc['statement'] as unknown as ProofStatement,
    publicSignals,
    proof,
  }
}

/** The readable statement must say what the signals say. */
export function statementMatches(file: ProofFile): boolean {
  return JSON.stringify(statementOf(file.publicSignals)) === JSON.stringify(file.statement)
}

/** Calldata for Groth16Verifier.verifyProof and the contracts: pi_b's coordinates swap. */
export function solidityProof(proof: Groth16Proof): {
  a: [bigint, bigint]
  b: [[bigint, bigint], [bigint, bigint]]
  c: [bigint, bigint]
} {
  const n = (x: string) => BigInt(x)
  return {
    a: [n(proof.pi_a[0]!), n(proof.pi_a[1]!)],
    b: [
      [n(proof.pi_b[0]![1]!), n(proof.pi_b[0]![0]!)],
      [n(proof.pi_b[1]![1]!), n(proof.pi_b[1]![0]!)],
    ],
    c: [n(proof.pi_c[0]!), n(proof.pi_c[1]!)],
  }
}

export type PublicSignals = readonly [bigint, bigint, bigint, bigint, bigint, bigint, bigint]

/** The (proof, signals) arguments of verifySolvency and liquidate; `signals` overrides the proof's own. */
export function solidityCall(
  proof: Groth16Proof,
  publicSignals: readonly string[],
  signals: readonly bigint[] = publicSignals.map(BigInt),
): readonly [ReturnType<typeof solidityProof>, PublicSignals] {
  if (signals.length !== SIGNAL_NAMES.length)
    throw new RangeError(
      `a solvency proof has ${SIGNAL_NAMES.length} public signals, got ${signals.length}`,
    )
  return [solidityProof(proof), signals as unknown as PublicSignals]
}
