/** What a running devnet is: every RPC URL, chain id and address, as written to its manifest file. */
import { readFile } from 'node:fs/promises'
import type { Address } from 'viem'
import { InputError } from '../errors.ts'
import type { TokenSymbol } from './chains.ts'

export interface ChainManifest {
  readonly name: string
  readonly role: 'hub' | 'spoke'
  readonly rpcUrl: string
  readonly evmChainId: number
  readonly wormholeChainId: number
  readonly contracts: {
    /** The Wormhole core (proxy) with the devnet guardian set. */
    readonly wormhole: Address
    readonly vault: Address
    readonly registry: Address
    /**
     * The Groth16 verifier of solvency proofs bound on the registry (and the
     * hub): absent until the circuit's setup is done and it is bound.
     */
    readonly verifier?: Address
    /** Only on the hub chain. */
    readonly hub?: Address
  }
  readonly tokens: Readonly<
    Record<TokenSymbol, { readonly address: Address; readonly decimals: number }>
  >
}

export interface DevnetManifest {
  readonly version: 1
  readonly hubChain: string
  readonly guardians: readonly Address[]
  readonly deployer: Address
  readonly chains: readonly ChainManifest[]
}

export function hubOf(m: DevnetManifest): ChainManifest & { contracts: { hub: Address } } {
  return m.chains.find((c) => c.role === 'hub') as ChainManifest & { contracts: { hub: Address } }
}

export function chainNamed(m: DevnetManifest, name: string, field = '--chain'): ChainManifest {
  const chain = m.chains.find((c) => c.name === name)
  if (!chain) {
    throw new InputError(
      field,
      'unknown_reference',
      `${field}: no chain ${JSON.stringify(name)} in the manifest (${m.chains.map((c) => c.name).join(', ')})`,
    )
  }
  return chain
}

export async function readManifest(path: string): Promise<DevnetManifest> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new InputError(
      '--manifest',
      'invalid_argument',
      `--manifest: cannot read ${path}; start one with 'xmargin devnet'`,
      cause,
    )
  }
  const manifest = JSON.parse(text) as DevnetManifest
  if (manifest.version !== 1 || !Array.isArray(manifest.chains)) {
    throw new InputError('--manifest', 'wrong_type', `--manifest: ${path} is not a devnet manifest`)
  }
  return manifest
}
