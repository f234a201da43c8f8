// The parts of snarkjs, circom_runtime and circomlibjs this project uses; none ships types.
declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[]
    pi_b: string[][]
    pi_c: string[]
    protocol: string
    curve: string
  }
  /** An in-memory file, as snarkjs's fastfile reads one. */
  export interface MemFile {
    type: 'mem'
    data: Uint8Array
  }
  export const groth16: {
    prove(
      zkey: MemFile,
      witness: MemFile,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>
    verify(vk: unknown, publicSignals: string[], proof: Groth16Proof): Promise<boolean>
  }
  /** ffjavascript's curve, as snarkjs builds it (one per process, with its worker threads). */
  export const curves: {
    getCurveFromName(name: 'bn128'): Promise<unknown>
  }
  export const r1cs: {
    info(file: string): Promise<{ nConstraints: number; nPubInputs: number; nOutputs: number }>
  }
  /** What snarkjs logs its progress to ("Writing points end B1: 30000/42244"). */
  export interface Logger {
    debug(message: string): void
    info(message: string): void
    warn(message: string): void
    error(message: string): void
  }
  export const zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<unknown>
    contribute(
      from: string,
      to: string,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<unknown>
    beacon(
      from: string,
      to: string,
      name: string,
      hash: string,
      iterationsExp: number,
      logger?: Logger,
    ): Promise<unknown>
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>
    exportVerificationKey(zkey: string): Promise<Record<string, unknown>>
    exportSolidityVerifier(zkey: string, templates: { groth16: string }): Promise<string>
  }
}

declare module 'circom_runtime' {
  export interface WitnessCalculator {
    calculateWitness(input: Record<string, unknown>, sanityCheck: boolean): Promise<bigint[]>
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck: boolean): Promise<Uint8Array>
  }
  export function WitnessCalculatorBuilder(wasm: Uint8Array): Promise<WitnessCalculator>
}

declare module 'circomlibjs' {
  export interface Poseidon {
    (inputs: (bigint | number | string)[], initialState?: bigint): Uint8Array
    F: { toObject(v: Uint8Array): bigint }
  }
  export function buildPoseidon(): Promise<Poseidon>
}
