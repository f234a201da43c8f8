/**
 * What the relayer connects: each chain's RPC and contracts, and which
 * contract a message goes to. Built from a devnet manifest or a config file.
 */
import { type Address, type Hex, pad } from 'viem'
import type { DevnetManifest } from '../aggregator/devnet/manifest.ts'
import { decodePayload } from '../contracts/payloads.ts'
import type { Target } from './store/relay-store.ts'

export interface RelayChain {
  readonly name: string
  readonly wormholeChainId: number
  readonly evmChainId: number
  readonly rpcUrl: string
  readonly core: Address
  readonly vault: Address
  readonly registry: Address
}

export interface Topology {
  readonly chains: readonly RelayChain[]
  readonly hubChain: number
  readonly hub: Address
}

export function topologyFromManifest(m: DevnetManifest): Topology {
  const hub = m.chains.find((c) => c.role === 'hub')!
  return {
    chains: m.chains.map((c) => ({
      name: c.name,
      wormholeChainId: c.wormholeChainId,
      evmChainId: c.evmChainId,
      rpcUrl: c.rpcUrl,
      core: c.contracts.wormhole,
      vault: c.contracts.vault,
      registry: c.contracts.registry,
    })),
    hubChain: hub.wormholeChainId,
    hub: hub.contracts.hub!,
  }
}

const same = (a: Hex, b: Hex) => a.toLowerCase() === b.toLowerCase()
const universal = (a: Address): Hex => pad(a, { size: 32 })

/** The emitters watched on a chain: its vault, and on the hub chain the hub. */
export function emittersOn(t: Topology, chain: RelayChain): Address[] {
  return chain.wormholeChainId === t.hubChain ? [chain.vault, t.hub] : [chain.vault]
}

/**
 * Where a message goes, by emitter and payload kind: collateral updates from
 * a vault to the hub; epoch roots and account indices from the hub to every
 * registry; payouts
 * from the hub to the vault they name. Anything else goes nowhere.
 */
export function route(
  t: Topology,
  emitterChain: number,
  emitterAddress: Hex,
  payload: Hex,
): { kind: string; targets: Target[] } {
  let decoded: ReturnType<typeof decodePayload>
  try {
    decoded = decodePayload(payload)
  } catch {
    return { kind: 'malformed', targets: [] }
  }
  const from = t.chains.find((c) => c.wormholeChainId === emitterChain)
  const fromHub = emitterChain === t.hubChain && same(emitterAddress, universal(t.hub))
  const fromVault = from !== undefined && same(emitterAddress, universal(from.vault))
  switch (decoded.kind) {
    case 'collateralUpdate':
      return {
        kind: decoded.kind,
        targets: fromVault
          ? [{ chain: t.hubChain, contract: t.hub, method: 'ingestCollateralUpdate' }]
          : [],
      }
    case 'epochRoot':
    case 'accountIndices':
      return {
        kind: decoded.kind,
        targets: fromHub
          ? t.chains.map((c) => ({
              chain: c.wormholeChainId,
              contract: c.registry,
              method:
                decoded.kind === 'epochRoot'
                  ? ('receiveEpochRoot' as const)
                  : ('receiveAccountIndices' as const),
            }))
          : [],
      }
    case 'withdrawalApproval':
    case 'liquidation': {
      const target = t.chains.find(
        (c) => c.wormholeChainId === decoded.targetChain && same(c.vault, decoded.vault),
      )
      return {
        kind: decoded.kind,
        targets:
          fromHub && target
            ? [{ chain: target.wormholeChainId, contract: target.vault, method: 'execute' }]
            : [],
      }
    }
  }
}
