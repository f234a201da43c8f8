/**
 * Proving and verifying solvency statements. The witness is computed first,
 * so that an input the circuit rejects fails fast, with the reason.
 */
import { readFileSync } from 'node:fs'
import { type WitnessCalculator, WitnessCalculatorBuilder } from 'circom_runtime'
import type { Groth16Proof } from 'snarkjs'
import * as snarkjs from 'snarkjs'
import { XmarginError } from '../aggregator/errors.ts'
import { CIRCUIT_FILES } from './build.ts'
import { type ProvingKey, proveGroth16, readProvingKey } from './groth16.ts'
import { FIELD } from './poseidon.ts'
import type { CircuitInput } from './witness.ts'

/** The circuit refused the witness: an input out of range, a wrong root, a broken constraint. */
export class WitnessError extends XmarginError {
  override name = 'WitnessError'
  constructor(details: string, cause?: unknown) {
    super('the circuit rejects this witness', { code: 'witness_rejected', details, cause })
  }
}

export interface ProofResult {
  readonly proof: Groth16Proof
  readonly publicSignals: string[]
  readonly proveMs: number
}

/** Public signals in circuit order: outputs first, then the public inputs. */
export const SIGNAL_NAMES = [
  'coversMaintenance',
  'coversInitial',
  'stateRoot',
  'marketRoot',
  'epoch',
  'accountIdHash',
  'leafIndex',
] as const

// Instantiating the witness generator is most of a witness's cost: keep one.
let calculator: Promise<WitnessCalculator> | undefined

async function witnessOf<T>(run: (wc: WitnessCalculator) => Promise<T>): Promise<T> {
  calculator ??= WitnessCalculatorBuilder(readFileSync(CIRCUIT_FILES.wasm))
  const wc = await calculator
  try {
    return await run(wc)
  } catch (error) {
    throw new WitnessError(
      error instanceof Error ? error.message.split('\n')[0]! : String(error),
      error,
    )
  }
}

/** Computes the full witness, throwing WitnessError when a constraint fails. */
export function calculateWitness(input: CircuitInput): Promise<bigint[]> {
  return witnessOf((wc) => wc.calculateWitness(input, true))
}

/** The circuit's own figures, in USD (read from private signals, for tests and benchmarks). */
export interface CircuitFigures {
  readonly equity: number
  readonly maintenanceMargin: number
  readonly initialMargin: number
  readonly coversMaintenance: boolean
  readonly coversInitial: boolean
}

let signalIndex: Map<string, number> | undefined
function indexOf(name: string): number {
  signalIndex ??= new Map(
    readFileSync(CIRCUIT_FILES.sym, 'utf8')
      .split('\n')
      .map((line) => line.split(','))
      .filter((cols) => cols.length === 4)
      .map((cols) => [cols[3]!, Number(cols[1])]),
  )
  const i = signalIndex.get(name)
  if (i === undefined || i < 0)
    throw new XmarginError(`signal ${name} is not in the witness`, { code: 'build_failed' })
  return i
}

const signed = (x: bigint) => (x > FIELD / 2n ? x - FIELD : x)

export function circuitFigures(witness: readonly bigint[]): CircuitFigures {
  const read = (name: string) => signed(witness[indexOf(`main.${name}`)]!)
  const usd = (x: bigint, decimals: number) => Number(x) / 10 ** decimals
  return {
    equity: usd(read('equity14'), 14),
    maintenanceMargin: usd(read('mm20'), 20),
    initialMargin: usd(read('im26'), 26),
    coversMaintenance: read('coversMaintenance') === 1n,
    coversInitial: read('coversInitial') === 1n,
  }
}

let provingKey: ProvingKey | undefined

/**
 * A Groth16 proof (see groth16.ts). ffjavascript runs the multi-scalar
 * multiplications and FFTs on its pool of worker threads (one per core); its
 * thread manager refuses to run inside a worker of ours, so the call is made
 * from here.
 */
export async function prove(input: CircuitInput): Promise<ProofResult> {
  const witness = await calculateWitness(input)
  // the proving key (72 MB, 1.1 M coefficients) is decoded once per process
  provingKey ??= readProvingKey(
    new Uint8Array(readFileSync(CIRCUIT_FILES.zkey)),
    CIRCUIT_FILES.zkey,
  )
  const started = performance.now()
  const { proof, publicSignals } = await proveGroth16(provingKey, witness)
  return { proof, publicSignals, proveMs: performance.now() - started }
}

/**
 * Stop ffjavascript's worker threads (they keep a process alive); the next
 * proof or verification starts them again.
 */
export async function releaseProver(): Promise<void> {
  const curve = (globalThis as { curve_bn128?: { terminate(): Promise<void> } | null }).curve_bn128
  await curve?.terminate()
}

let verificationKey: unknown
export async function verify(proof: Groth16Proof, publicSignals: string[]): Promise<boolean> {
  verificationKey ??= JSON.parse(readFileSync(CIRCUIT_FILES.vkey, 'utf8'))
  try {
    return await snarkjs.groth16.verify(verificationKey, publicSignals, proof)
  } catch {
    // a point off the curve or a malformed number: not a valid proof
    return false
  }
}
