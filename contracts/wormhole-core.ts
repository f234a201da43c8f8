/**
 * The genuine Wormhole core contract, for local chains: its bytecode and ABI
 * come from the ethers factories inside the npm package
 * @certusone/wormhole-sdk (deprecated, and ~500 MB with its dependencies, so
 * we never install it). We `npm pack` the one tarball into .cache, check it
 * against the registry integrity pinned here, and read the three factory
 * files: Setup, Implementation and the Wormhole proxy.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XmarginError } from '../aggregator/errors.ts'

export const WORMHOLE_SDK = '@certusone/wormhole-sdk@0.10.18'
const WORMHOLE_SDK_INTEGRITY =
  'sha512-VuN4AGB018ELkzTT/jN+yWgE6TWqXsHilxxCVWqGctzow2hKSFd8ADUhxhHigies436rS0vPvrgXi6m0J1+Ecw=='
const TARBALL = 'certusone-wormhole-sdk-0.10.18.tgz'
const FACTORIES = 'package/lib/cjs/ethers-contracts/factories'

export interface CoreArtifact {
  readonly abi: readonly unknown[]
  readonly bytecode: `0x${string}`
}

export interface WormholeCoreArtifacts {
  readonly setup: CoreArtifact
  readonly implementation: CoreArtifact
  readonly proxy: CoreArtifact
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' })
  if (result.status !== 0) {
    throw new XmarginError(`${command} ${args.join(' ')} failed`, {
      code: 'build_failed',
      details: (result.stderr || result.stdout || String(result.error)).trim().slice(-2000),
    })
  }
}

/** Fetch (once) and verify the tarball, then extract the three factory files. */
function fetchFactories(cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true })
  const tarball = join(cacheDir, TARBALL)
  if (!existsSync(tarball))
    run('npm', ['pack', WORMHOLE_SDK, '--pack-destination', cacheDir, '--silent'], cacheDir)
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`
  if (integrity !== WORMHOLE_SDK_INTEGRITY) {
    throw new XmarginError(`${TARBALL} does not match its pinned integrity`, {
      code: 'build_failed',
      details: `expected ${WORMHOLE_SDK_INTEGRITY}, got ${integrity}; delete ${tarball} and build again`,
    })
  }
  const names = ['Setup', 'Implementation', 'Wormhole'].map((n) => `${FACTORIES}/${n}__factory.js`)
  run('tar', ['xzf', TARBALL, ...names], cacheDir)
  return join(cacheDir, FACTORIES)
}

/** Read `_abi` (a JS array literal of plain data) and `_bytecode` out of a generated factory file. */
function readFactory(path: string): CoreArtifact {
  const text = readFileSync(path, 'utf8')
  const start = text.indexOf('const _abi = ')
  const end = text.indexOf('\n];', start)
  const bytecode = /const _bytecode\s*=\s*"(0x[0-9a-fA-F]+)"/.exec(text)?.[1]
  if (start < 0 || end < 0 || !bytecode) {
    throw new XmarginError(`unexpected factory file layout: ${path}`, { code: 'build_failed' })
  }
  // The literal holds only strings, booleans, arrays and objects: evaluate it as data.
  const abi = new Function(
    `return ${text.slice(start + 'const _abi = '.length, end + 2)}`,
  )() as unknown[]
  return { abi, bytecode: bytecode as `0x${string}` }
}

export function loadWormholeCore(cacheDir: string): WormholeCoreArtifacts {
  const dir = fetchFactories(cacheDir)
  return {
    setup: readFactory(join(dir, 'Setup__factory.js')),
    implementation: readFactory(join(dir, 'Implementation__factory.js')),
    proxy: readFactory(join(dir, 'Wormhole__factory.js')),
  }
}
