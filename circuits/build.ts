/**
 * `npm run build:circuits`: compile circuits/solvency.circom with circom2,
 * run the Groth16 phase-2 setup on a powers-of-tau file (one contribution, a
 * beacon, `zkey verify`), and write into the git-ignored build/circuits/ the
 * witness generator, the proving key, the verification key and the Solidity
 * verifier. Skipped when the circuits, circomlib, snarkjs and the ptau are
 * unchanged since the last build.
 */
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { basename, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify, stripVTControlCharacters } from 'node:util'
import * as snarkjs from 'snarkjs'
import { XmarginError } from '../aggregator/errors.ts'
import type { Phase } from './setup-progress.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCES = join(ROOT, 'circuits')
export const CIRCUIT_BUILD_DIR = join(ROOT, 'build/circuits')
const DEFAULT_PTAU = join(ROOT, '../shared/ptau/dev_16.ptau')
const MODULES = join(ROOT, 'node_modules')

/** Published blake2b-512 hashes of the Perpetual Powers of Tau files (Hermez final), by power. */
const PERPETUAL_PTAU: Record<string, string> = {
  '15': '982372c867d229c236091f767e703253249a9b432c1710b4f326306bfa2428a17b06240359606cfe4d580b10a5a1f63fbed499527069c18ae17060472969ae6e',
  '16': '6a6277a2f74e1073601b4f9fed6e1e55226917efb0f0db8a07d98ab01df1ccf43eb0e8c3159432acd4960e2f29fe84a4198501fa54c8dad9e43297453efec125',
  '17': '6247a3433948b35fbfae414fa5a9355bfb45f56efa7ab4929e669264a0258976741dfbe3288bfb49828e5df02c2e633df38d2245e30162ae7e3bcca5b8b49345',
  '20': '89a66eb5590a1c94e3f1ee0e72acf49b1669e050bb5f93c73b066b564dca4e0c7556a52b323178269d64af325d8fdddb33da3a27c34409b821de82aa2bf1a27b',
}

/** What a build leaves behind, read by the prover, the verifier and the contracts build. */
export const CIRCUIT_FILES = {
  wasm: join(CIRCUIT_BUILD_DIR, 'solvency.wasm'),
  sym: join(CIRCUIT_BUILD_DIR, 'solvency.sym'),
  zkey: join(CIRCUIT_BUILD_DIR, 'solvency.zkey'),
  vkey: join(CIRCUIT_BUILD_DIR, 'verification_key.json'),
  verifier: join(CIRCUIT_BUILD_DIR, 'Groth16Verifier.sol'),
  info: join(CIRCUIT_BUILD_DIR, 'info.json'),
}

export interface CircuitInfo {
  inputHash: string
  constraints: number
  ptau: string
  buildMs: number
  /** How long each phase took: the next build's progress estimate. */
  phaseMs?: Record<Phase, number>
}

/** What a build reports as it goes: each phase as it starts, and each line snarkjs logs. */
export interface BuildReporter {
  enter(phase: Phase): void
  log(line: string): void
  /** Called once the build is done; what it returns is recorded as info.phaseMs. */
  finish(): Record<Phase, number>
}

function circomFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? circomFiles(join(dir, e.name))
      : e.name.endsWith('.circom')
        ? [join(dir, e.name)]
        : [],
  )
}

function fileHash(path: string, algorithm: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash(algorithm)
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}

/** A file named like a Perpetual Powers of Tau file must hash to its published value. */
export async function checkPtau(path: string): Promise<void> {
  if (!existsSync(path)) {
    throw new XmarginError(`powers of tau file not found: ${path}`, { code: 'ptau_missing' })
  }
  const power = /powersOfTau28_hez_final_(\d+)\.ptau$/.exec(basename(path))?.[1]
  if (power === undefined) return
  const expected = PERPETUAL_PTAU[power]
  const actual = await fileHash(path, 'blake2b512')
  if (expected === undefined || actual !== expected) {
    throw new XmarginError(
      `${basename(path)} does not match the published Perpetual Powers of Tau hash`,
      {
        code: 'ptau_mismatch',
        details: `expected ${expected ?? '(no published hash for this power)'}, got ${actual}`,
      },
    )
  }
}

async function inputHash(ptau: string): Promise<string> {
  const hash = createHash('sha256')
  for (const pkg of ['circomlib', 'snarkjs', 'circom2'])
    hash.update(readFileSync(join(MODULES, pkg, 'package.json')))
  for (const f of circomFiles(SOURCES).sort())
    hash.update(relative(ROOT, f)).update(readFileSync(f))
  hash.update(`${statSync(ptau).size}`).update(await fileHash(ptau, 'sha256'))
  return hash.digest('hex')
}

/** Whether a build is in place (every file it leaves; whether it is current is buildCircuits's check). */
export function circuitsBuilt(): boolean {
  return Object.values(CIRCUIT_FILES).every((f) => existsSync(f))
}

/** The prover and verifier need a build; say how to make one instead of failing on a missing file. */
export function requireCircuits(): void {
  if (!circuitsBuilt()) {
    throw new XmarginError('the circuits are not built', {
      code: 'not_built',
      details: "run 'npm run build' first",
    })
  }
}

export function readCircuitInfo(): CircuitInfo | undefined {
  return existsSync(CIRCUIT_FILES.info)
    ? (JSON.parse(readFileSync(CIRCUIT_FILES.info, 'utf8')) as CircuitInfo)
    : undefined
}

/** circom2 --O2 to `outputs` in `work`; its errors (ANSI-coloured) become plain details. */
export async function compileCircuit(
  work: string,
  outputs: readonly ('r1cs' | 'wasm' | 'sym')[] = ['r1cs', 'wasm', 'sym'],
): Promise<void> {
  try {
    await promisify(execFile)(
      process.execPath,
      [
        join(MODULES, 'circom2/cli.js'),
        'circuits/solvency.circom',
        ...outputs.map((o) => `--${o}`),
        '--O2',
        '-l',
        'node_modules',
        '-o',
        relative(ROOT, work),
      ],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    )
  } catch (cause) {
    const stderr = String((cause as { stderr?: string }).stderr ?? cause)
    throw new XmarginError('circom2 could not compile circuits/solvency.circom', {
      code: 'build_failed',
      details: stripVTControlCharacters(stderr).trim().slice(-2000),
      cause,
    })
  }
}

export async function buildCircuits({
  force = false,
  log = (_: string) => {},
  reporter,
}: {
  force?: boolean
  log?: (line: string) => void
  reporter?: BuildReporter
} = {}): Promise<{ built: boolean; info: CircuitInfo }> {
  const started = performance.now()
  const ptau = process.env['XMARGIN_PTAU'] ?? DEFAULT_PTAU
  await checkPtau(ptau)
  const hash = await inputHash(ptau)
  const previous = readCircuitInfo()
  if (
    !force &&
    previous?.inputHash === hash &&
    Object.values(CIRCUIT_FILES).every((f) => existsSync(f))
  ) {
    return { built: false, info: previous }
  }
  const work = join(ROOT, '.cache/circuits-build')
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })

  log('compiling solvency.circom (circom2, --O2)')
  reporter?.enter('compile')
  // circom2 only sees files under the working directory: compile from the root; not
  // execFileSync, so a build in a child process keeps reporting progress meanwhile
  await compileCircuit(work)
  const r1cs = join(work, 'solvency.r1cs')
  const { nConstraints } = await snarkjs.r1cs.info(r1cs)

  log(`phase-2 setup on ${relative(ROOT, ptau)} (${nConstraints} constraints)`)
  const z0 = join(work, 'solvency_0.zkey')
  const z1 = join(work, 'solvency_1.zkey')
  const zkey = join(work, 'solvency.zkey')
  // snarkjs logs its loops ("... 30000/42244") to a logger: the reporter shows them as the step
  const line = (m: string) => reporter?.log(m)
  const logger = { debug: line, info: line, warn: line, error: line }
  reporter?.enter('newZKey')
  await snarkjs.zKey.newZKey(r1cs, ptau, z0, logger)
  reporter?.enter('contribute')
  await snarkjs.zKey.contribute(z0, z1, 'xmargin build', randomBytes(32).toString('hex'), logger)
  // a public beacon closes the ceremony; derived from the inputs so it is reproducible
  reporter?.enter('beacon')
  await snarkjs.zKey.beacon(
    z1,
    zkey,
    'xmargin beacon',
    createHash('sha256').update(hash).digest('hex'),
    10,
    logger,
  )
  reporter?.enter('verify')
  if (!(await snarkjs.zKey.verifyFromR1cs(r1cs, ptau, zkey, logger))) {
    throw new XmarginError(
      'zkey verify failed: the proving key does not match the circuit and ptau',
      { code: 'build_failed' },
    )
  }

  reporter?.enter('export')
  const vkey = await snarkjs.zKey.exportVerificationKey(zkey)
  const template = readFileSync(join(MODULES, 'snarkjs/templates/verifier_groth16.sol.ejs'), 'utf8')
  const verifier = await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template })

  mkdirSync(CIRCUIT_BUILD_DIR, { recursive: true })
  renameSync(join(work, 'solvency_js/solvency.wasm'), CIRCUIT_FILES.wasm)
  renameSync(join(work, 'solvency.sym'), CIRCUIT_FILES.sym)
  renameSync(zkey, CIRCUIT_FILES.zkey)
  writeFileSync(CIRCUIT_FILES.vkey, JSON.stringify(vkey, null, 1))
  writeFileSync(CIRCUIT_FILES.verifier, verifier)
  const info: CircuitInfo = {
    inputHash: hash,
    constraints: nConstraints,
    ptau: relative(ROOT, ptau),
    buildMs: Math.round(performance.now() - started),
    ...(reporter ? { phaseMs: reporter.finish() } : {}),
  }
  writeFileSync(CIRCUIT_FILES.info, JSON.stringify(info, null, 1))
  rmSync(work, { recursive: true, force: true })
  return { built: true, info }
}
