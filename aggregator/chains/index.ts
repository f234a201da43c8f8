/**
 * aggregator/chains: the chain adapters. This folder owns reading each
 * chain's MarginVault (deposits, payouts, refused payouts) past the chain's
 * confirmation depth, behind one ChainAdapter interface (chain-adapter.ts)
 * that a non-EVM chain could implement and the conformance suite
 * (chain-adapter.conformance.ts) holds every implementation to: the EVM
 * adapter on viem, and a scripted in-memory chain for tests. It owns no
 * cursor or credit: the accounts persist each poll's events with its `next`.
 */
import type { DevnetManifest } from '../devnet/manifest.ts'
import type { ChainAdapter } from './chain-adapter.ts'
import { type AdapterOptions, EvmChainAdapter } from './evm-adapter.ts'

export type { ChainAdapter, EventOrigin, PollResult, VaultEvent } from './chain-adapter.ts'
export { type AdapterOptions, EvmChainAdapter } from './evm-adapter.ts'
export { MemoryChainAdapter } from './memory-adapter.ts'
export { MemoryChain } from './memory-chain.ts'

/** One adapter per chain of the manifest, in its order, hub included (its vault takes deposits too). */
export function adaptersFromManifest(
  manifest: DevnetManifest,
  options: AdapterOptions,
): ChainAdapter[] {
  return manifest.chains.map((c) => new EvmChainAdapter(c, options))
}
