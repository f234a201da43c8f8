/**
 * A Groth16 prover for a snarkjs proving key (.zkey) on bn128, built on the
 * curve snarkjs itself uses. Its proofs are the ones snarkjs.groth16.prove
 * makes; only the order of work differs, and that is where the time goes:
 *
 * - snarkjs evaluates A and B at the constraints one coefficient at a time
 *   through WASM calls on a single thread (2 s for the solvency circuit's
 *   1.1 M coefficients) before it starts any multi-scalar multiplication.
 * - Here the four witness multiplications (A, B1, B2, C) start first on
 *   ffjavascript's worker threads, and A and B are summed meanwhile on this
 *   thread in BigInt, from coefficients decoded once per key.
 *
 * Randomness (r, s) comes from the curve's Fr.random (crypto), as in snarkjs.
 */
import type { Groth16Proof } from 'snarkjs'
import * as snarkjs from 'snarkjs'
import { XmarginError } from '../aggregator/errors.ts'
import { FIELD } from './poseidon.ts'

/** The proving key file is not a bn128 Groth16 key this prover can read. */
export class ProvingKeyError extends XmarginError {
  override name = 'ProvingKeyError'
  constructor(path: string, details: string) {
    super(`the proving key ${path} cannot be read`, { code: 'proving_key_invalid', details })
  }
}

const N8 = 32
const G1_BYTES = 2 * N8
const G2_BYTES = 4 * N8
const COEF_BYTES = 12 + N8
// Montgomery radix of Fr: the key stores coefficients as c * 2^256 mod r
const R_INV = modPow((1n << 256n) % FIELD, FIELD - 2n)

/** A decoded proving key: sections by number, and the coefficients as numbers. */
export interface ProvingKey {
  readonly nVars: number
  readonly nPublic: number
  readonly domainSize: number
  readonly header: Uint8Array
  readonly pointsOffset: number
  readonly bases: { A: Uint8Array; B1: Uint8Array; B2: Uint8Array; C: Uint8Array; H: Uint8Array }
  readonly coefficients: {
    readonly inB: Uint8Array
    readonly constraint: Uint32Array
    readonly signal: Uint32Array
    readonly value: bigint[]
  }
}

function modPow(base: bigint, exp: bigint): bigint {
  let result = 1n
  let b = base % FIELD
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % FIELD
    b = (b * b) % FIELD
  }
  return result
}

function readU256(view: DataView, at: number): bigint {
  return (
    view.getBigUint64(at, true) |
    (view.getBigUint64(at + 8, true) << 64n) |
    (view.getBigUint64(at + 16, true) << 128n) |
    (view.getBigUint64(at + 24, true) << 192n)
  )
}

function writeU256(out: Uint8Array, at: number, x: bigint): void {
  const view = new DataView(out.buffer, out.byteOffset + at, N8)
  for (let i = 0; i < 4; i++)
    view.setBigUint64(8 * i, (x >> BigInt(64 * i)) & 0xffffffffffffffffn, true)
}

/** The binary file's sections by type: magic "zkey", version, then (type u32, size u64, data). */
function sectionsOf(file: Uint8Array, path: string): Map<number, Uint8Array> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const magic = new TextDecoder().decode(file.subarray(0, 4))
  if (file.byteLength < 12 || magic !== 'zkey')
    throw new ProvingKeyError(path, 'it does not start with "zkey"')
  const sections = new Map<number, Uint8Array>()
  let at = 12
  for (let i = 0; i < view.getUint32(8, true); i++) {
    if (at + 12 > file.byteLength) throw new ProvingKeyError(path, `section ${i + 1} is cut short`)
    const type = view.getUint32(at, true)
    const size = Number(view.getBigUint64(at + 4, true))
    if (at + 12 + size > file.byteLength)
      throw new ProvingKeyError(path, `section ${type} is cut short`)
    sections.set(type, file.subarray(at + 12, at + 12 + size))
    at += 12 + size
  }
  return sections
}

function section(sections: Map<number, Uint8Array>, type: number, size: number, path: string) {
  const data = sections.get(type)
  if (data?.byteLength !== size)
    throw new ProvingKeyError(
      path,
      `section ${type} has ${data?.byteLength ?? 0} bytes, not ${size}`,
    )
  return data
}

/** Decodes a proving key; a file of another protocol, curve or shape is refused by name. */
export function readProvingKey(file: Uint8Array, path: string): ProvingKey {
  const sections = sectionsOf(file, path)
  const protocol = section(sections, 1, 4, path)
  if (new DataView(protocol.buffer, protocol.byteOffset).getUint32(0, true) !== 1)
    throw new ProvingKeyError(path, 'it is not a Groth16 key')
  const header = sections.get(2)
  if (header === undefined || header.byteLength < 4 + N8 + 4 + N8 + 12)
    throw new ProvingKeyError(path, 'its Groth16 header is missing')
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength)
  if (view.getUint32(0, true) !== N8 || view.getUint32(4 + N8, true) !== N8)
    throw new ProvingKeyError(path, 'its field sizes are not bn128')
  if (readU256(view, 8 + N8) !== FIELD) throw new ProvingKeyError(path, 'its curve is not bn128')
  const counts = 8 + 2 * N8
  const nVars = view.getUint32(counts, true)
  const nPublic = view.getUint32(counts + 4, true)
  const domainSize = view.getUint32(counts + 8, true)
  const pointsOffset = counts + 12
  const pointsBytes = 3 * G1_BYTES + 3 * G2_BYTES // alpha1 beta1 beta2 gamma2 delta1 delta2
  if (header.byteLength < pointsOffset + pointsBytes)
    throw new ProvingKeyError(path, 'its Groth16 header is cut short')
  return {
    nVars,
    nPublic,
    domainSize,
    header,
    pointsOffset,
    bases: {
      A: section(sections, 5, nVars * G1_BYTES, path),
      B1: section(sections, 6, nVars * G1_BYTES, path),
      B2: section(sections, 7, nVars * G2_BYTES, path),
      C: section(sections, 8, (nVars - nPublic - 1) * G1_BYTES, path),
      H: section(sections, 9, domainSize * G1_BYTES, path),
    },
    coefficients: decodeCoefficients(sections.get(4), path, nVars, domainSize),
  }
}

function decodeCoefficients(
  data: Uint8Array | undefined,
  path: string,
  nVars: number,
  domainSize: number,
): ProvingKey['coefficients'] {
  if (data === undefined || data.byteLength < 4)
    throw new ProvingKeyError(path, 'its coefficients are missing')
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const count = view.getUint32(0, true)
  if (data.byteLength !== 4 + count * COEF_BYTES)
    throw new ProvingKeyError(path, `its coefficient section does not hold ${count} coefficients`)
  const inB = new Uint8Array(count)
  const constraint = new Uint32Array(count)
  const signal = new Uint32Array(count)
  const value = new Array<bigint>(count)
  for (let i = 0; i < count; i++) {
    const at = 4 + i * COEF_BYTES
    inB[i] = view.getUint32(at, true)
    constraint[i] = view.getUint32(at + 4, true)
    signal[i] = view.getUint32(at + 8, true)
    if (inB[i]! > 1 || constraint[i]! >= domainSize || signal[i]! >= nVars)
      throw new ProvingKeyError(path, `coefficient ${i} is out of range`)
    value[i] = (readU256(view, at + 12) * R_INV) % FIELD
  }
  return { inB, constraint, signal, value }
}

/**
 * A and B at each constraint, and C = A * B, laid out as snarkjs's own
 * evaluation lays them out (32-byte little-endian; C carries the Montgomery
 * factor that its multiplication leaves, which the key's H points expect).
 */
function evaluateAbc(key: ProvingKey, witness: readonly bigint[]): Uint8Array[] {
  const { inB, constraint, signal, value } = key.coefficients
  const a = new Array<bigint>(key.domainSize).fill(0n)
  const b = new Array<bigint>(key.domainSize).fill(0n)
  for (let i = 0; i < value.length; i++) {
    const w = witness[signal[i]!]!
    if (w === 0n) continue
    const sums = inB[i] ? b : a
    sums[constraint[i]!]! += w === 1n ? value[i]! : value[i]! * w
  }
  const out = [0, 1, 2].map(() => new Uint8Array(key.domainSize * N8))
  for (let c = 0; c < key.domainSize; c++) {
    const x = a[c]! % FIELD
    const y = b[c]! % FIELD
    if (x !== 0n) writeU256(out[0]!, c * N8, x)
    if (y !== 0n) writeU256(out[1]!, c * N8, y)
    if (x !== 0n && y !== 0n) writeU256(out[2]!, c * N8, (((x * y) % FIELD) * R_INV) % FIELD)
  }
  return out
}

// The parts of ffjavascript's curve (as snarkjs.curves returns it) used here.
type Point = Uint8Array
interface Group {
  fromRprLEM(buffer: Uint8Array, offset: number): Point
  multiExpAffine(bases: Uint8Array, scalars: Uint8Array): Promise<Point>
  add(a: Point, b: Point): Point
  timesFr(p: Point, s: Uint8Array): Point
  toAffine(p: Point): Point
  toObject(p: Point): unknown[]
}
interface Curve {
  Fr: {
    s: number
    shift: Uint8Array
    w: Uint8Array[]
    e(x: number): Uint8Array
    random(): Uint8Array
    neg(x: Uint8Array): Uint8Array
    mul(x: Uint8Array, y: Uint8Array): Uint8Array
    ifft(buffer: Uint8Array): Promise<Uint8Array>
    fft(buffer: Uint8Array): Promise<Uint8Array>
    batchApplyKey(buffer: Uint8Array, first: Uint8Array, inc: Uint8Array): Promise<Uint8Array>
  }
  G1: Group
  G2: Group
  tm: { queueAction(task: unknown[]): Promise<Uint8Array[]> }
}

/** The evaluations on the odd coset, where the quotient's points sit: ifft, shift, fft. */
async function onCoset(curve: Curve, evaluations: Uint8Array, domainSize: number) {
  const power = Math.log2(domainSize)
  const shift = power === curve.Fr.s ? curve.Fr.shift : curve.Fr.w[power + 1]!
  const coefficients = await curve.Fr.ifft(evaluations)
  return curve.Fr.fft(await curve.Fr.batchApplyKey(coefficients, curve.Fr.e(1), shift))
}

/** (A * B - C) on the coset, out of Montgomery form: the quotient's scalars, on a worker. */
async function quotient(curve: Curve, [a, b, c]: Uint8Array[], n: number): Promise<Uint8Array> {
  const bytes = n * N8
  const [out] = await curve.tm.queueAction([
    { cmd: 'ALLOCSET', var: 0, buff: a },
    { cmd: 'ALLOCSET', var: 1, buff: b },
    { cmd: 'ALLOCSET', var: 2, buff: c },
    { cmd: 'ALLOC', var: 3, len: bytes },
    {
      cmd: 'CALL',
      fnName: 'qap_joinABC',
      params: [{ var: 0 }, { var: 1 }, { var: 2 }, { val: n }, { var: 3 }],
    },
    {
      cmd: 'CALL',
      fnName: 'frm_batchFromMontgomery',
      params: [{ var: 3 }, { val: n }, { var: 3 }],
    },
    { cmd: 'GET', out: 0, var: 3, len: bytes },
  ])
  return out!
}

const decimal = (xs: unknown[]): string[] => xs.map((x) => String(x))

/** A Groth16 proof of a full witness (wire 0 is the constant 1, then the public signals). */
export async function proveGroth16(
  key: ProvingKey,
  witness: readonly bigint[],
): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  if (witness.length !== key.nVars)
    throw new XmarginError('the witness does not fit the proving key', {
      code: 'witness_rejected',
      details: `${witness.length} values for ${key.nVars} wires`,
    })
  const scalars = new Uint8Array(key.nVars * N8)
  witness.forEach((w, i) => {
    if (w < 0n || w >= FIELD)
      throw new XmarginError('the witness does not fit the proving key', {
        code: 'witness_rejected',
        details: `wire ${i} is not a field element`,
      })
    if (w !== 0n) writeU256(scalars, i * N8, w)
  })
  const curve = (await snarkjs.curves.getCurveFromName('bn128')) as Curve
  const { A, B1, B2, C, H } = key.bases
  const products = Promise.all([
    curve.G1.multiExpAffine(A, scalars),
    curve.G1.multiExpAffine(B1, scalars),
    curve.G2.multiExpAffine(B2, scalars),
    curve.G1.multiExpAffine(C, scalars.subarray((key.nPublic + 1) * N8)),
  ])
  const abc = evaluateAbc(key, witness)
  const coset = await Promise.all(abc.map((e) => onCoset(curve, e, key.domainSize)))
  const h = await curve.G1.multiExpAffine(H, await quotient(curve, coset, key.domainSize))
  const [a, b1, b2, c] = await products

  let at = key.pointsOffset
  const point = (group: Group, bytes: number) => {
    const p = group.fromRprLEM(key.header, at)
    at += bytes
    return p
  }
  const alpha1 = point(curve.G1, G1_BYTES)
  const beta1 = point(curve.G1, G1_BYTES)
  const beta2 = point(curve.G2, G2_BYTES)
  point(curve.G2, G2_BYTES) // gamma2: the verifier's
  const delta1 = point(curve.G1, G1_BYTES)
  const delta2 = point(curve.G2, G2_BYTES)

  const { G1, G2, Fr } = curve
  const r = Fr.random()
  const s = Fr.random()
  const piA = G1.add(G1.add(a, alpha1), G1.timesFr(delta1, r))
  const piB = G2.add(G2.add(b2, beta2), G2.timesFr(delta2, s))
  const piB1 = G1.add(G1.add(b1, beta1), G1.timesFr(delta1, s))
  let piC = G1.add(c, h)
  piC = G1.add(piC, G1.timesFr(piA, s))
  piC = G1.add(piC, G1.timesFr(piB1, r))
  piC = G1.add(piC, G1.timesFr(delta1, Fr.neg(Fr.mul(r, s))))

  return {
    proof: {
      pi_a: decimal(G1.toObject(G1.toAffine(piA))),
      pi_b: G2.toObject(G2.toAffine(piB)).map((xs) => decimal(xs as unknown[])),
      pi_c: decimal(G1.toObject(G1.toAffine(piC))),
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals: witness.slice(1, key.nPublic + 1).map(String),
  }
}
