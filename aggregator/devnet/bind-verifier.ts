/**
 * Binding the Groth16 verifier on a running devnet: deploy the generated
 * verifier on every chain and bind it on that chain's SolvencyRegistry (and
 * the MarginHub on the hub chain). The contracts deploy before the circuit's
 * setup is done, so this runs whenever the proving key is ready; the
 * contracts refuse a second binding, so it runs once per devnet.
 */
import type { Address } from 'viem'
import { MarginHub, SolvencyRegistry } from '../../build/contracts/artifacts.ts'
import type { VerifierArtifact } from '../../contracts/verifier-artifact.ts'
import { chainClients, deployContract, sendTransaction } from '../chain/clients.ts'
import { DEVNET_DEPLOYER_KEY } from './chains.ts'
import type { ChainManifest, DevnetManifest } from './manifest.ts'

async function bindOnChain(
  chain: ChainManifest,
  artifact: VerifierArtifact,
): Promise<ChainManifest> {
  const c = chainClients(chain.rpcUrl, chain.evmChainId, DEVNET_DEPLOYER_KEY, chain.name)
  const { address: verifier } = await deployContract(c, artifact)
  const targets: { address: Address; abi: typeof SolvencyRegistry.abi | typeof MarginHub.abi }[] = [
    { address: chain.contracts.registry, abi: SolvencyRegistry.abi },
  ]
  if (chain.contracts.hub) targets.push({ address: chain.contracts.hub, abi: MarginHub.abi })
  for (const t of targets) {
    await sendTransaction(c, {
      address: t.address,
      abi: t.abi as typeof SolvencyRegistry.abi,
      functionName: 'bindVerifier',
      args: [verifier],
    })
  }
  return { ...chain, contracts: { ...chain.contracts, verifier } }
}

/** The manifest with each chain's bound verifier; chains are bound in parallel. */
export async function bindVerifiers(
  manifest: DevnetManifest,
  artifact: VerifierArtifact,
): Promise<DevnetManifest> {
  const chains = await Promise.all(manifest.chains.map((c) => bindOnChain(c, artifact)))
  return { ...manifest, chains }
}
