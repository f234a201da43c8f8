/**
 * A whole local devnet: one anvil per chain (the first is the hub), the
 * genuine Wormhole core on each, test tokens, vaults, registries and the hub,
 * emitters registered. Stop it and every child process is gone.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { DEVNET_GUARDIAN_ADDRESS } from '../../relayer/devnet-guardian.ts'
import { chainClients } from '../chain/clients.ts'
import { InputError } from '../errors.ts'
import { type Anvil, freePort, startAnvil } from './anvil.ts'
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
}

export interface Devnet {
  readonly manifest: DevnetManifest
  readonly anvils: readonly Anvil[]
  stop(): Promise<void>
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
  const specs = DEVNET_CHAINS.slice(0, count)
  const anvils: Anvil[] = []
  const stop = async () => {
    await Promise.all(anvils.map((a) => a.stop()))
  }
  try {
    const ports =
      basePort === 0
        ? await Promise.all(specs.map(() => freePort()))
        : specs.map((_, i) => basePort + i)
    anvils.push(
      ...(await Promise.all(
        specs.map((s, i) => startAnvil({ port: ports[i]!, chainId: s.evmChainId })),
      )),
    )
    const manifest = await deployAll(specs, anvils)
    if (options.manifestPath) {
      await mkdir(dirname(options.manifestPath), { recursive: true })
      await writeFile(options.manifestPath, `${JSON.stringify(manifest, null, 2)}\n`)
    }
    return { manifest, anvils, stop }
  } catch (err) {
    await stop()
    throw err
  }
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
      const { vault, registry, verifier } = await deployVaultAndRegistry(
        c,
        cores[i]!,
        hub,
        tokens,
        owner,
      )
      return {
        name: spec.name,
        role: i === 0 ? 'hub' : 'spoke',
        rpcUrl: anvils[i]!.rpcUrl,
        evmChainId: spec.evmChainId,
        wormholeChainId: spec.wormholeChainId,
        contracts:
          i === 0
            ? { wormhole: cores[i]!, vault, registry, verifier, hub: hubAddress }
            : { wormhole: cores[i]!, vault, registry, verifier },
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
