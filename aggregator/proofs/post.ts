/**
 * Posting a proof: verifySolvency(proof, signals) on the SolvencyRegistry of
 * the chain the job names (the devnet manifest's address), simulated first so
 * a refusal surfaces as the registry's custom error, then sent; the tx hash.
 */
import type { Hex } from 'viem'
import { SolvencyRegistry } from '../../build/contracts/artifacts.ts'
import { type ProofFile, solidityCall } from '../../circuits/proof-file.ts'
import { chainClients, revertName, sendTransaction } from '../chain/clients.ts'
import type { DevnetManifest } from '../devnet/manifest.ts'
import { XmarginError } from '../errors.ts'

export type PostProof = (chain: string, file: ProofFile) => Promise<Hex>

/** A poster onto the manifest's registries, paying gas from `privateKey`. */
export function registryPoster(manifest: DevnetManifest, privateKey: Hex): PostProof {
  return async (name, file) => {
    const chain = manifest.chains.find((c) => c.name === name)
    if (!chain)
      throw new XmarginError(`no chain ${JSON.stringify(name)} in this prover's manifest`, {
        code: 'unknown_chain',
      })
    const clients = chainClients(chain.rpcUrl, chain.evmChainId, privateKey, chain.name)
    try {
      const receipt = await sendTransaction(clients, {
        address: chain.contracts.registry,
        abi: SolvencyRegistry.abi,
        functionName: 'verifySolvency',
        args: solidityCall(file.proof, file.publicSignals) as never,
      })
      return receipt.transactionHash
    } catch (err) {
      const reverted = revertName(err)
      throw new XmarginError(
        reverted === undefined
          ? `posting to ${name} failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`
          : `${name}'s SolvencyRegistry refused the proof: ${reverted}`,
        { code: 'post_failed', cause: err },
      )
    }
  }
}
