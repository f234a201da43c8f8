/**
 * Deploying one devnet chain: the genuine Wormhole core with the devnet
 * guardian set, the test tokens, a MarginVault and a SolvencyRegistry (and
 * on the hub chain the MarginHub first, since everything trusts its emitter).
 * The Groth16 verifier comes later (bind-verifier.ts): it needs the circuit.
 */
import { type Address, encodeFunctionData, type Hex, pad, parseUnits } from 'viem'
import {
  MarginHub,
  MarginVault,
  Poseidon1,
  SolvencyRegistry,
  TestToken,
  WormholeImplementation,
  WormholeProxy,
  WormholeSetup,
} from '../../build/contracts/artifacts.ts'
import { type ChainClients, deployContract, sendTransaction } from '../chain/clients.ts'
import { type ChainSpec, DEVNET_TOKENS, type TokenSymbol } from './chains.ts'
import type { ChainManifest } from './manifest.ts'

/** Governance as on Wormhole's own devnet: chain 1, contract 0x...04. */
const GOVERNANCE_CHAIN = 1
const GOVERNANCE_CONTRACT = pad('0x04', { size: 32 })

export async function deployWormholeCore(
  c: ChainClients,
  spec: ChainSpec,
  guardians: readonly Address[],
): Promise<Address> {
  const setup = await deployContract(c, WormholeSetup)
  const implementation = await deployContract(c, WormholeImplementation)
  const init = encodeFunctionData({
    abi: WormholeSetup.abi,
    functionName: 'setup',
    args: [
      implementation.address,
      [...guardians],
      spec.wormholeChainId,
      GOVERNANCE_CHAIN,
      GOVERNANCE_CONTRACT,
      BigInt(spec.evmChainId),
    ],
  })
  return (await deployContract(c, WormholeProxy, [setup.address, init])).address
}

export async function deployTokens(c: ChainClients): Promise<ChainManifest['tokens']> {
  const tokens = {} as Record<TokenSymbol, { address: Address; decimals: number }>
  for (const t of DEVNET_TOKENS) {
    const limit = parseUnits(String(t.faucetLimit), t.decimals)
    const { address } = await deployContract(c, TestToken, [t.name, t.symbol, t.decimals, limit])
    tokens[t.symbol] = { address, decimals: t.decimals }
  }
  return tokens
}

export const toBytes32 = (a: Address): Hex => pad(a, { size: 32 })

export async function deployHub(
  c: ChainClients,
  wormhole: Address,
  owner: Address,
): Promise<Address> {
  const hasher = (await deployContract(c, Poseidon1, [])).address
  return (await deployContract(c, MarginHub, [wormhole, owner, owner, hasher])).address
}

/** The spoke side of a chain: vault (allow-listing every devnet token) and registry. */
export async function deployVaultAndRegistry(
  c: ChainClients,
  wormhole: Address,
  hub: { wormholeChainId: number; address: Address },
  tokens: ChainManifest['tokens'],
  owner: Address,
): Promise<{ vault: Address; registry: Address }> {
  const hubEmitter = toBytes32(hub.address)
  const vault = (
    await deployContract(c, MarginVault, [wormhole, hub.wormholeChainId, hubEmitter, owner])
  ).address
  const registry = (
    await deployContract(c, SolvencyRegistry, [wormhole, hub.wormholeChainId, hubEmitter, owner])
  ).address
  for (const t of DEVNET_TOKENS) {
    await sendTransaction(c, {
      address: vault,
      abi: MarginVault.abi,
      functionName: 'allowToken',
      args: [tokens[t.symbol].address, parseUnits(String(t.cap), t.decimals)],
    })
  }
  return { vault, registry }
}

export async function registerVault(
  c: ChainClients,
  hub: Address,
  wormholeChainId: number,
  vault: Address,
): Promise<void> {
  await sendTransaction(c, {
    address: hub,
    abi: MarginHub.abi,
    functionName: 'registerVault',
    args: [wormholeChainId, toBytes32(vault)],
  })
}
