/**
 * `npm run build:contracts`: compile contracts/src with solc-js and write, into
 * the git-ignored build/contracts/, one JSON artifact per contract and
 * `artifacts.ts` (ABIs `as const`, so viem types every call), including the
 * genuine Wormhole core. Skipped when nothing that feeds it changed.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { XmarginError } from '../aggregator/errors.ts'
import { loadWormholeCore, WORMHOLE_SDK } from './wormhole-core.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SOURCES = join(ROOT, 'contracts/src')
export const BUILD_DIR = join(ROOT, 'build/contracts')
const CACHE_DIR = join(ROOT, '.cache/wormhole')
const require = createRequire(import.meta.url)

const SETTINGS = {
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
function findImport(path: string): { contents: string } | { error: string } {
  const candidates = [join(SOURCES, path), join(ROOT, 'node_modules', path)]
  const found = candidates.find((p) => existsSync(p))
  return found ? { contents: readFileSync(found, 'utf8') } : { error: `not found: ${path}` }
}

function inputHash(files: string[], solcVersion: string): string {
  const hash = createHash('sha256').update(JSON.stringify({ SETTINGS, solcVersion, WORMHOLE_SDK }))
  hash.update(require('@openzeppelin/contracts/package.json').version)
  for (const f of files) hash.update(relative(ROOT, f)).update(readFileSync(f))
  return hash.digest('hex')
}

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<
    string,
    Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>
  >
}

export function buildContracts({ force = false } = {}): { built: boolean; ms: number } {
  const started = performance.now()
  const solc = require('solc') as {
    compile(input: string, opts: object): string
    version(): string
  }
  const files = solidityFiles(SOURCES)
  const hash = inputHash(files, solc.version())
  const stamp = join(BUILD_DIR, '.input-hash')
  if (!force && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) {
    return { built: false, ms: performance.now() - started }
  }
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(
      files.map((f) => [relative(SOURCES, f), { content: readFileSync(f, 'utf8') }]),
    ),
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
  mkdirSync(BUILD_DIR, { recursive: true })
  const artifacts: Record<string, { abi: unknown[]; bytecode: string }> = {}
  for (const [source, contracts] of Object.entries(output.contracts)) {
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
  for (const [name, a] of Object.entries(artifacts))
    writeFileSync(join(BUILD_DIR, `${name}.json`), JSON.stringify(a))
  writeFileSync(join(BUILD_DIR, 'artifacts.ts'), renderArtifacts(artifacts))
  writeFileSync(stamp, hash)
  return { built: true, ms: performance.now() - started }
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
