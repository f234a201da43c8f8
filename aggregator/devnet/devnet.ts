/**
 * A whole local devnet: one anvil per chain (the first is the hub), the
 * genuine Wormhole core on each, test tokens, vaults, registries and the hub,
 * emitters registered, and the Groth16 verifier bound if the circuit is built
 * (else `bindVerifier` binds it once it is). Stop it and every child process
 * is gone.
 */
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { circuitsBuilt } from '../../circuits/build.ts'
import { type VerifierArtifact, verifierArtifact } from '../../contracts/verifier-artifact.ts'
import { DEVNET_GUARDIAN_ADDRESS } from '../../relayer/devnet-guardian.ts'
import { chainClients } from '../chain/clients.ts'
import { InputError } from '../errors.ts'
import { type Anvil, freePort, startAnvil } from './anvil.ts'
import { bindVerifiers } from './bind-verifier.ts'
import { type ChainSpec, DEVNET_CHAINS, DEVNET_DEPLOYER_KEY } from './chains.ts'
import { DEFAULT_BASE_PORT, DEFAULT_CHAINS } from './defaults.ts'
import {
  deployHub,
  deployTokens,
  deployVaultAndRegistry,
  deployWormholeCore,
  registerVault,
} from './deploy.ts'
import type { ChainManifest, DevnetManifest } from './manifest.ts'

export interface DevnetOptions {
  /** How many chains, hub included: 2 to 5. */
  readonly chains?: number
  /** RPC port of the hub; spokes take the next ones. 0: any free ports. */
  readonly basePort?: number
  /** Where to write the manifest; omitted: not written. */
  readonly manifestPath?: string
  /**
   * 'if-built' (default): bind the generated verifier when the circuit is
   * built, else leave it for `bindVerifier`; 'later': always leave it.
   */
  readonly verifier?: 'if-built' | 'later'
  /**
   * A data directory: each chain's state lives there (anvil --state) with the
   * manifest, so a devnet started again on it resumes the same chains and
   * contracts instead of deploying anew.
   */
  readonly dataDir?: string
}

export interface Devnet {
  /** The latest manifest (it gains each chain's verifier once bound). */
  readonly manifest: DevnetManifest
  readonly anvils: readonly Anvil[]
  /** Whether proofs can be checked on chain yet. */
  readonly verifierBound: boolean
  /** Deploy and bind the verifier on every chain, then rewrite the manifest. */
  bindVerifier(artifact?: VerifierArtifact): Promise<void>
  stop(): Promise<void>
}

async function writeManifest(path: string | undefined, manifest: DevnetManifest): Promise<void> {
  if (!path) return
  await mkdir(dirname(path), { recursive: true })
  await writeFile(path, `${JSON.stringify(manifest, null, 2)}\n`)
}

export async function startDevnet(options: DevnetOptions = {}): Promise<Devnet> {
  const count = options.chains ?? DEFAULT_CHAINS
  if (!Number.isInteger(count) || count < 2 || count > DEVNET_CHAINS.length) {
    throw new InputError(
      '--chains',
      'out_of_range',
      `--chains must be a whole number in [2, ${DEVNET_CHAINS.length}], got ${count}`,
    )
  }
  const basePort = options.basePort ?? DEFAULT_BASE_PORT
  const saved = options.dataDir ? await savedManifest(options.dataDir) : undefined
  const specs = saved
    ? DEVNET_CHAINS.filter((s) => saved.chains.some((c) => c.name === s.name))
    : DEVNET_CHAINS.slice(0, count)
  const anvils: Anvil[] = []
  const stop = async () => {
    await Promise.all(anvils.map((a) => a.stop()))
  }
  try {
    // A resumed chain keeps its port: the manifest's RPC URLs name it.
    const ports = saved
      ? specs.map((s) => Number(new URL(saved.chains.find((c) => c.name === s.name)!.rpcUrl).port))
      : basePort === 0
        ? await Promise.all(specs.map(() => freePort()))
        : specs.map((_, i) => basePort + i)
    const statePath = (name: string) =>
      options.dataDir ? join(options.dataDir, 'chains', `${name}.json`) : undefined
    if (options.dataDir) await mkdir(join(options.dataDir, 'chains'), { recursive: true })
    anvils.push(
      ...(await Promise.all(
        specs.map((s, i) => {
          const state = statePath(s.name)
          return startAnvil({
            port: ports[i]!,
            chainId: s.evmChainId,
            ...(state !== undefined && { statePath: state }),
          })
        }),
      )),
    )
    let manifest = saved ?? (await deployAll(specs, anvils))
    if (options.dataDir && !saved)
      await writeManifest(join(options.dataDir, 'devnet.json'), manifest)
    let bound = saved ? saved.chains.every((c) => c.contracts.verifier !== undefined) : false
    const devnet: Devnet = {
      get manifest() {
        return manifest
      },
      anvils,
      get verifierBound() {
        return bound
      },
      async bindVerifier(artifact = verifierArtifact()) {
        manifest = await bindVerifiers(manifest, artifact)
        bound = true
        await writeManifest(options.manifestPath, manifest)
        if (options.dataDir) await writeManifest(join(options.dataDir, 'devnet.json'), manifest)
      },
      stop,
    }
    if (!bound && (options.verifier ?? 'if-built') === 'if-built' && circuitsBuilt())
      await devnet.bindVerifier()
    else await writeManifest(options.manifestPath, manifest)
    return devnet
  } catch (err) {
    await stop()
    throw err
  }
}

/** The manifest of a devnet that ran on this data directory, if its chains' states are all there. */
async function savedManifest(dataDir: string): Promise<DevnetManifest | undefined> {
  const path = join(dataDir, 'devnet.json')
  if (!existsSync(path)) return undefined
  const manifest = JSON.parse(await readFile(path, 'utf8')) as DevnetManifest
  const complete = manifest.chains.every((c) =>
    existsSync(join(dataDir, 'chains', `${c.name}.json`)),
  )
  return complete ? manifest : undefined
}

async function deployAll(
  specs: readonly ChainSpec[],
  anvils: readonly Anvil[],
): Promise<DevnetManifest> {
  const owner = privateKeyToAccount(DEVNET_DEPLOYER_KEY).address
  const clients = specs.map((s, i) =>
    chainClients(anvils[i]!.rpcUrl, s.evmChainId, DEVNET_DEPLOYER_KEY, s.name),
  )
  const hubSpec = specs[0]!
  // Chains deploy in parallel; the hub's address is needed by every vault and registry.
  const cores = await Promise.all(
    clients.map((c, i) => deployWormholeCore(c, specs[i]!, [DEVNET_GUARDIAN_ADDRESS])),
  )
  const hubAddress = await deployHub(clients[0]!, cores[0]!, owner)
  const hub = { wormholeChainId: hubSpec.wormholeChainId, address: hubAddress }
  const chains: ChainManifest[] = await Promise.all(
    specs.map(async (spec, i) => {
      const c = clients[i]!
      const tokens = await deployTokens(c)
      const { vault, registry } = await deployVaultAndRegistry(c, cores[i]!, hub, tokens, owner)
      return {
        name: spec.name,
        role: i === 0 ? 'hub' : 'spoke',
        rpcUrl: anvils[i]!.rpcUrl,
        evmChainId: spec.evmChainId,
        wormholeChainId: spec.wormholeChainId,
        contracts:
          i === 0
            ? { wormhole: cores[i]!, vault, registry, hub: hubAddress }
            : { wormhole: cores[i]!, vault, registry },
        tokens,
      } satisfies ChainManifest
    }),
  )
  for (const chain of chains)
    await registerVault(clients[0]!, hubAddress, chain.wormholeChainId, chain.contracts.vault)
  return {
    version: 1,
    hubChain: hubSpec.name,
    guardians: [DEVNET_GUARDIAN_ADDRESS],
    deployer: owner,
    chains,
  }
}
