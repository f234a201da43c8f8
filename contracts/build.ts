/**
 * `npm run build:contracts`: compile contracts/src with solc-js and write, into
 * the git-ignored build/contracts/, one JSON artifact per contract and
 * `artifacts.ts` (ABIs `as const`, so viem types every call), including the
 * genuine Wormhole core. Skipped when nothing that feeds it changed.
 *
 * The generated Groth16 verifier is not part of it (contracts/src uses only
 * IGroth16Verifier): it exists only after the circuit's minutes-long setup, so
 * it is compiled on its own (verifier-artifact.ts) and bound after deployment.
 * That keeps this build at seconds, so every command can run it first.
 */
import { createHash } from 'node:crypto'
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XmarginError } from '../aggregator/errors.ts'
import { loadWormholeCore, WORMHOLE_SDK } from './wormhole-core.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCES = join(ROOT, 'contracts/src')
export const BUILD_DIR = join(ROOT, 'build/contracts')
const CACHE_DIR = join(ROOT, '.cache/wormhole')
const STAMP = join(BUILD_DIR, '.input-hash')
const require = createRequire(import.meta.url)

export const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
} as const

/** The contracts the TypeScript side deploys or calls, by source path. */
const EXPORTED = [
  'MarginVault',
  'MarginHub',
  'SolvencyRegistry',
  'TestToken',
  'FeeOnTransferToken',
  'PayloadHarness',
  // the interface only (no bytecode): the generated verifier's ABI, for typed calls
  'IGroth16Verifier',
]

function solidityFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? solidityFiles(join(dir, e.name))
      : e.name.endsWith('.sol')
        ? [join(dir, e.name)]
        : [],
  )
}

/** Resolve `@openzeppelin/...` and relative imports; solc-js sees no file system of its own. */
export function findImport(path: string): { contents: string } | { error: string } {
  const candidates = [join(SOURCES, path), join(ROOT, 'node_modules', path)]
  const found = candidates.find((p) => existsSync(p))
  return found ? { contents: readFileSync(found, 'utf8') } : { error: `not found: ${path}` }
}

/** The compiler's package version pins its build, and reading it avoids loading solc (~0.5 s) for an up-to-date check. */
export const SOLC_VERSION: string = require('solc/package.json').version

function inputHash(files: string[]): string {
  const hash = createHash('sha256').update(
    JSON.stringify({ SETTINGS, solc: SOLC_VERSION, WORMHOLE_SDK }),
  )
  hash.update(require('@openzeppelin/contracts/package.json').version)
  hash.update(readFileSync(join(ROOT, 'node_modules/circomlibjs/package.json')))
  for (const f of files) hash.update(relative(ROOT, f)).update(readFileSync(f))
  return hash.digest('hex')
}

export interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>
  >
}

/** Compile Solidity sources (path -> content) with solc-js; errors become one XmarginError. */
export function compileSolidity(sources: Record<string, string>): SolcOutput['contracts'] {
  const solc = require('solc') as { compile(input: string, opts: object): string }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(Object.entries(sources).map(([p, content]) => [p, { content }])),
    settings: SETTINGS,
  }
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), { import: findImport }),
  ) as SolcOutput
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new XmarginError('solc reported errors', {
      code: 'build_failed',
      details: errors.map((e) => e.formattedMessage).join('\n'),
    })
  }
  return output.contracts
}

/** Whether build/contracts matches contracts/src (and the compiler, OpenZeppelin, the Wormhole core). */
export function contractsUpToDate(): boolean {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8') === inputHash(solidityFiles(SOURCES))
}

/** Write through a temporary file and rename, so a concurrent reader never sees half a file. */
export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`
  writeFileSync(tmp, content)
  renameSync(tmp, path)
}

export function buildContracts({ force = false } = {}): { built: boolean; ms: number } {
  const started = performance.now()
  const files = solidityFiles(SOURCES)
  const hash = inputHash(files)
  if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    return { built: false, ms: performance.now() - started }
  }
  const compiled = compileSolidity(
    Object.fromEntries(files.map((f) => [relative(SOURCES, f), readFileSync(f, 'utf8')])),
  )
  mkdirSync(BUILD_DIR, { recursive: true })
  const artifacts: Record<string, { abi: unknown[]; bytecode: string }> = {}
  for (const [source, contracts] of Object.entries(compiled)) {
    for (const [name, c] of Object.entries(contracts)) {
      if (!EXPORTED.includes(name) || source.startsWith('@')) continue
      artifacts[name] = { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
    }
  }
  const core = loadWormholeCore(CACHE_DIR)
  artifacts['WormholeSetup'] = { ...core.setup, abi: [...core.setup.abi] }
  artifacts['WormholeImplementation'] = {
    ...core.implementation,
    abi: [...core.implementation.abi],
  }
  artifacts['WormholeProxy'] = { ...core.proxy, abi: [...core.proxy.abi] }
  artifacts['Poseidon1'] = poseidonArtifact()
  for (const [name, a] of Object.entries(artifacts))
    writeAtomic(join(BUILD_DIR, `${name}.json`), JSON.stringify(a))
  writeAtomic(join(BUILD_DIR, 'artifacts.ts'), renderArtifacts(artifacts))
  // the stamp last: a build cut short is rebuilt, never taken as up to date
  writeAtomic(STAMP, hash)
  return { built: true, ms: performance.now() - started }
}

/** Build the contracts if missing or stale, saying so on `log`: seconds, so every command runs it first. */
export function ensureContractsBuilt(
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): void {
  if (contractsUpToDate()) return
  log('contracts: compiling contracts/src with solc-js ...')
  const { ms } = buildContracts()
  log(`contracts: built in ${Math.round(ms)} ms -> ${relative(ROOT, BUILD_DIR)}`)
}

/** circomlib's Poseidon(1) as EVM bytecode, generated by circomlibjs (no Solidity source exists). */
function poseidonArtifact(): { abi: unknown[]; bytecode: string } {
  const { poseidonContract } = require('circomlibjs') as {
    poseidonContract: { createCode(n: number): string }
  }
  // the generated contract also answers a bytes32[1] overload; the project uses this one
  const abi = [
    {
      type: 'function',
      name: 'poseidon',
      stateMutability: 'pure',
      inputs: [{ name: 'inputs', type: 'uint256[1]' }],
      outputs: [{ name: '', type: 'uint256' }],
    },
  ]
  return { abi, bytecode: poseidonContract.createCode(1) }
}

function renderArtifacts(artifacts: Record<string, { abi: unknown[]; bytecode: string }>): string {
  const body = Object.entries(artifacts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([name, a]) =>
        `export const ${name} = {\n  abi: ${JSON.stringify(a.abi)},\n  bytecode: '${a.bytecode}',\n} as const\n`,
    )
    .join('\n')
  return `// Generated by contracts/build.ts from contracts/src and the Wormhole core. Do not edit.\n\n${body}`
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { built, ms } = buildContracts({ force: process.argv.includes('--force') })
  process.stderr.write(
    `contracts ${built ? 'built' : 'up to date'} in ${Math.round(ms)} ms -> ${relative(ROOT, BUILD_DIR)}\n`,
  )
}
