/**
 * The Groth16 phase-2 ceremony over a proving key (`xmargin ceremony`): each
 * party contributes in turn and publishes its contribution hash, a public
 * random beacon closes the ceremony, and anyone checks that the final key
 * derives from the circuit and the powers-of-tau file, listing every
 * contribution so each party can find its own hash. The key is safe as long
 * as one contributor destroyed its entropy.
 *
 * The key `npm run build:circuits` makes (circuits/build.ts) has one
 * contribution, the build's own, and a beacon derived from the build's
 * inputs: a development key, which `verifyKey` names as such.
 */
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as snarkjs from 'snarkjs'
import { InputError, XmarginError } from '../aggregator/errors.ts'
import { CIRCUIT_BUILD_DIR, checkPtau, compileCircuit, readCircuitInfo } from './build.ts'

// ---------------------------------------------------------------- types

/** One entry of a key's contribution list (the zkey's MPC section), in order. */
export interface Contribution {
  /** 1-based, as snarkjs numbers them. */
  readonly index: number
  readonly name: string
  readonly type: 'contribution' | 'beacon'
  /** blake2b-512 of the contribution's public key, hex: what the party publishes. */
  readonly hash: string
  /** For a beacon: its value (hex) and the exponent of its iterations (2^N hashes). */
  readonly beacon?: { readonly hash: string; readonly iterationsExp: number }
}

export interface ContributeOptions {
  /** The key to contribute to. */
  readonly input: string
  /** Where the new key goes (written whole, or not at all). */
  readonly output: string
  /** The contributor's name, recorded in the key (at most 64 bytes of UTF-8). */
  readonly name: string
  /** Entropy mixed with 64 random bytes by snarkjs; default 32 random bytes. Never logged. */
  readonly entropy?: string
}

export interface BeaconOptions {
  readonly input: string
  readonly output: string
  /** The beacon's public value, hex (a future block hash, say): 16 to 255 bytes. */
  readonly hash: string
  /** It is hashed 2^iterationsExp times, BEACON_ITERATIONS.min..max. */
  readonly iterationsExp: number
  readonly name: string
}

/** What a contribution or a beacon reports. */
export interface ContributionResult {
  /** The new contribution's hash, hex. */
  readonly hash: string
  readonly output: string
}

export interface VerifyOptions {
  readonly zkey: string
  readonly r1cs: string
  readonly ptau: string
}

export interface KeyReport {
  /** Whether the key derives from the circuit (r1cs) and the ptau through its contributions. */
  readonly valid: boolean
  /** Why not, when snarkjs says (the first line it gave). */
  readonly reason?: string
  /** blake2b-512 of the circuit as the key records it, hex. */
  readonly circuitHash?: string
  readonly contributions: readonly Contribution[]
  /** Exactly the build's own contribution and beacon: a key CI or `npm start` made. */
  readonly development: boolean
  /** Parties that contributed entropy (contributions that are not beacons). */
  readonly parties: number
}

// ---------------------------------------------------------------- constants

/** The names circuits/build.ts gives its contribution and its beacon. */
export const BUILD_CONTRIBUTION_NAME = 'xmargin build'
export const BUILD_BEACON_NAME = 'xmargin beacon'
export const DEVELOPMENT_KEY_WARNING = 'development key: one party, not for production'

/** snarkjs takes 10..63; beyond 2^28 hashes a beacon runs for many minutes. */
export const BEACON_ITERATIONS = { min: 10, max: 28, default: 10 } as const
const BEACON_BYTES = { min: 16, max: 255 } as const
const NAME_MAX_BYTES = 64

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const DEFAULT_PTAU = join(ROOT, '../shared/ptau/dev_16.ptau')
/** Where a verification compiles the circuit when no r1cs is given (the build keeps none). */
const R1CS_CACHE = join(ROOT, '.cache/ceremony-r1cs')

// ---------------------------------------------------------------- checks on inputs

/** A contributor's name: 1 to 64 bytes of UTF-8 (snarkjs stores a byte length), no control characters. */
export function checkName(name: string, field: string): string {
  const bytes = Buffer.byteLength(name, 'utf8')
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (bytes === 0 || bytes > NAME_MAX_BYTES || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new InputError(
      field,
      'invalid_argument',
      `${field} must be 1 to ${NAME_MAX_BYTES} bytes of text without control characters`,
    )
  }
  return name
}

/** A beacon value: hex (0x optional), a whole number of bytes, 16 to 255 of them. Lower case, no 0x. */
export function checkBeaconHash(hash: string, field: string): string {
  const hex = hash.replace(/^0x/i, '').toLowerCase()
  const bytes = hex.length / 2
  if (
    !/^[0-9a-f]*$/.test(hex) ||
    hex.length % 2 !== 0 ||
    bytes < BEACON_BYTES.min ||
    bytes > BEACON_BYTES.max
  ) {
    throw new InputError(
      field,
      'invalid_argument',
      `${field} must be ${BEACON_BYTES.min} to ${BEACON_BYTES.max} bytes of hex (a block hash, say), got ${JSON.stringify(hash)}`,
    )
  }
  return hex
}

export function checkIterations(exp: number, field: string): number {
  if (!Number.isInteger(exp) || exp < BEACON_ITERATIONS.min || exp > BEACON_ITERATIONS.max) {
    throw new InputError(
      field,
      'out_of_range',
      `${field} must be a whole number in [${BEACON_ITERATIONS.min}, ${BEACON_ITERATIONS.max}] (the beacon is hashed 2^N times), got ${exp}`,
    )
  }
  return exp
}

// ---------------------------------------------------------------- reading a zkey

interface Section {
  readonly position: number
  readonly size: number
}

/** The sections of a zkey file (binfileutils layout: "zkey", version, count, then type/size/data). */
async function readSections(path: string, field: string): Promise<Map<number, Section>> {
  let file: Awaited<ReturnType<typeof open>>
  try {
    file = await open(path, 'r')
  } catch (cause) {
    throw new InputError(field, 'invalid_argument', `${field}: cannot read ${path}`, cause)
  }
  const notZkey = () =>
    new InputError(field, 'invalid_argument', `${field}: ${path} is not a Groth16 zkey file`)
  try {
    const { size } = await file.stat()
    const head = Buffer.alloc(12)
    await file.read(head, 0, 12, 0)
    if (size < 12 || head.toString('latin1', 0, 4) !== 'zkey') throw notZkey()
    const count = head.readUInt32LE(8)
    const sections = new Map<number, Section>()
    let position = 12
    for (let i = 0; i < count; i++) {
      if (position + 12 > size) throw notZkey()
      const entry = Buffer.alloc(12)
      await file.read(entry, 0, 12, position)
      const type = entry.readUInt32LE(0)
      const length = Number(entry.readBigUInt64LE(4))
      if (position + 12 + length > size) throw notZkey()
      sections.set(type, { position: position + 12, size: length })
      position += 12 + length
    }
    const header = sections.get(1)
    if (!header || !sections.has(10)) throw notZkey()
    const protocol = Buffer.alloc(4)
    await file.read(protocol, 0, 4, header.position)
    if (protocol.readUInt32LE(0) !== 1) throw notZkey()
    return sections
  } finally {
    await file.close()
  }
}

async function readSection(path: string, section: Section): Promise<Buffer> {
  const file = await open(path, 'r')
  try {
    const data = Buffer.alloc(section.size)
    await file.read(data, 0, section.size, section.position)
    return data
  } finally {
    await file.close()
  }
}

/** The affine point conversions of ffjavascript's bn128 (its in-file form is little-endian Montgomery). */
interface PointCodec {
  toRprUncompressed(out: Uint8Array, offset: number, point: Uint8Array): void
}
interface Curve {
  G1: PointCodec
  G2: PointCodec
}

const G1_BYTES = 64
const G2_BYTES = 128

/**
 * The contribution list of a zkey's MPC section (10), with each hash computed
 * as snarkjs does: blake2b-512 over deltaAfter, g1_s, g1_sx (G1), g2_spx
 * (G2), uncompressed, then the transcript.
 */
export async function readContributions(
  path: string,
  field = '--zkey',
): Promise<{ circuitHash: string; contributions: Contribution[] }> {
  const sections = await readSections(path, field)
  const data = await readSection(path, sections.get(10)!)
  const curve = (await snarkjs.curves.getCurveFromName('bn128')) as Curve
  const malformed = () =>
    new XmarginError(`${path}: its contribution section is malformed`, { code: 'zkey_malformed' })
  let at = 0
  const take = (n: number) => {
    if (at + n > data.length) throw malformed()
    const slice = data.subarray(at, at + n)
    at += n
    return slice
  }
  const uncompressed = (codec: PointCodec, point: Uint8Array) => {
    const out = new Uint8Array(point.length)
    codec.toRprUncompressed(out, 0, new Uint8Array(point))
    return out
  }
  const circuitHash = take(64).toString('hex')
  const count = take(4).readUInt32LE(0)
  const contributions: Contribution[] = []
  for (let i = 0; i < count; i++) {
    const hasher = createHash('blake2b512')
    hasher.update(uncompressed(curve.G1, take(G1_BYTES))) // deltaAfter
    hasher.update(uncompressed(curve.G1, take(G1_BYTES))) // g1_s
    hasher.update(uncompressed(curve.G1, take(G1_BYTES))) // g1_sx
    hasher.update(uncompressed(curve.G2, take(G2_BYTES))) // g2_spx
    hasher.update(take(64)) // transcript
    const type = take(4).readUInt32LE(0)
    const params = take(take(4).readUInt32LE(0))
    let name = ''
    let iterationsExp: number | undefined
    let beaconHash: string | undefined
    for (let p = 0; p < params.length; ) {
      const kind = params[p++]!
      if (kind === 1 || kind === 3) {
        const length = params[p++] ?? 0
        const value = params.subarray(p, p + length)
        p += length
        if (kind === 1) name = value.toString('utf8')
        else beaconHash = value.toString('hex')
      } else if (kind === 2) {
        iterationsExp = params[p++]
      } else {
        throw malformed()
      }
    }
    contributions.push({
      index: i + 1,
      name,
      type: type === 1 ? 'beacon' : 'contribution',
      hash: hasher.digest('hex'),
      ...(type === 1 && { beacon: { hash: beaconHash ?? '', iterationsExp: iterationsExp ?? 0 } }),
    })
  }
  return { circuitHash, contributions }
}

/** The build's own key: its one contribution, then its beacon, nothing else. */
export function isDevelopmentKey(contributions: readonly Contribution[]): boolean {
  return (
    contributions.length === 2 &&
    contributions[0]!.type === 'contribution' &&
    contributions[0]!.name === BUILD_CONTRIBUTION_NAME &&
    contributions[1]!.type === 'beacon' &&
    contributions[1]!.name === BUILD_BEACON_NAME
  )
}

// ---------------------------------------------------------------- operations

/** What snarkjs logs, kept (its errors say why a key fails); nothing is printed. */
function collectingLogger() {
  const errors: string[] = []
  const quiet = () => {}
  return {
    errors,
    logger: { debug: quiet, info: quiet, warn: quiet, error: (m: string) => errors.push(m) },
  }
}

function checkPaths(input: string, output: string): void {
  if (resolve(input) === resolve(output))
    throw new InputError('--out', 'invalid_argument', '--out must differ from --in')
}

/** snarkjs writes `to` as it goes: write beside it and rename, so a failure leaves no key. */
async function writeWhole(
  output: string,
  write: (partial: string) => Promise<unknown>,
): Promise<Uint8Array> {
  const partial = `${output}.partial`
  try {
    const result = await write(partial)
    if (!(result instanceof Uint8Array))
      throw new XmarginError('snarkjs refused the contribution', { code: 'ceremony_failed' })
    await rename(partial, output)
    return result
  } finally {
    await rm(partial, { force: true })
  }
}

/** One party's contribution: `input` to `output`, with fresh randomness. */
export async function contribute(options: ContributeOptions): Promise<ContributionResult> {
  checkPaths(options.input, options.output)
  const name = checkName(options.name, '--name')
  await readSections(options.input, '--in')
  const entropy = options.entropy ?? randomBytes(32).toString('hex')
  if (entropy === '') throw new InputError('--entropy', 'invalid_argument', '--entropy is empty')
  const { logger } = collectingLogger()
  const hash = await writeWhole(options.output, (partial) =>
    snarkjs.zKey.contribute(options.input, partial, name, entropy, logger),
  )
  return { hash: Buffer.from(hash).toString('hex'), output: options.output }
}

/** The public random beacon that closes a ceremony: reproducible by anyone from its value. */
export async function beacon(options: BeaconOptions): Promise<ContributionResult> {
  checkPaths(options.input, options.output)
  const hash = checkBeaconHash(options.hash, '--hash')
  const iterationsExp = checkIterations(options.iterationsExp, '--iterations')
  const name = checkName(options.name, '--name')
  await readSections(options.input, '--in')
  const { logger, errors } = collectingLogger()
  const result = await writeWhole(options.output, async (partial) => {
    const r = await snarkjs.zKey.beacon(options.input, partial, name, hash, iterationsExp, logger)
    if (r === false)
      throw new XmarginError('snarkjs refused the beacon', {
        code: 'ceremony_failed',
        details: errors.join('; '),
      })
    return r
  })
  return { hash: Buffer.from(result).toString('hex'), output: options.output }
}

/**
 * Whether the key derives from the r1cs and the ptau (snarkjs's
 * verifyFromR1cs: a fresh initial key, then every contribution's proof of
 * knowledge and the L and H sections), and its contributions.
 */
export async function verifyKey(options: VerifyOptions): Promise<KeyReport> {
  const { circuitHash, contributions } = await readContributions(options.zkey, '--zkey')
  if (!existsSync(options.r1cs))
    throw new InputError('--r1cs', 'invalid_argument', `--r1cs: ${options.r1cs} not found`)
  try {
    await checkPtau(options.ptau)
  } catch (cause) {
    throw new InputError('--ptau', 'invalid_argument', `--ptau: ${(cause as Error).message}`)
  }
  const { logger, errors } = collectingLogger()
  // snarkjs reports some failures with console.log rather than its logger: keep them off stdout
  const log = console.log
  console.log = (...args: unknown[]) => errors.push(args.join(' ').trim())
  let valid: boolean
  try {
    valid = await snarkjs.zKey.verifyFromR1cs(options.r1cs, options.ptau, options.zkey, logger)
  } catch (cause) {
    valid = false
    errors.push(cause instanceof Error ? cause.message : String(cause))
  } finally {
    console.log = log
  }
  const parties = contributions.filter((c) => c.type === 'contribution').length
  return {
    valid,
    ...(!valid && { reason: errors[0] ?? 'snarkjs says the key does not verify' }),
    circuitHash,
    contributions,
    development: isDevelopmentKey(contributions),
    parties,
  }
}

// ---------------------------------------------------------------- defaults for `verify`

/** The ptau the build was made with (info.json), else the default development file. */
export function defaultPtau(): string {
  const recorded = readCircuitInfo()?.ptau
  return recorded === undefined ? DEFAULT_PTAU : resolve(ROOT, recorded)
}

/**
 * The circuit's r1cs: build/circuits/solvency.r1cs if one is there; the build
 * keeps none, so otherwise circuits/solvency.circom compiled as the build
 * compiles it (circom2 --O2, half a minute), into .cache/ceremony-r1cs.
 */
export async function defaultR1cs(log: (line: string) => void = () => {}): Promise<string> {
  const kept = join(CIRCUIT_BUILD_DIR, 'solvency.r1cs')
  if (existsSync(kept)) return kept
  mkdirSync(R1CS_CACHE, { recursive: true })
  log('compiling circuits/solvency.circom for its r1cs (circom2 --O2)')
  await compileCircuit(R1CS_CACHE, ['r1cs'])
  return join(R1CS_CACHE, 'solvency.r1cs')
}
