/**
 * A running devnet (real anvil chains, genuine Wormhole core) and the moves
 * tests make on it: fund and deposit, read the published message, sign it as
 * the devnet guardian, and decode reverts by custom-error name.
 */
import { type Address, type Hex, pad, parseUnits, type TransactionReceipt } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  type ChainClients,
  chainClients,
  revertName,
  sendTransaction,
} from '../../aggregator/chain/clients.ts'
import {
  DEVNET_DEPLOYER_KEY,
  DEVNET_TRADER_KEYS,
  type TokenSymbol,
} from '../../aggregator/devnet/chains.ts'
import { type Devnet, startDevnet } from '../../aggregator/devnet/devnet.ts'
import type { ChainManifest, DevnetManifest } from '../../aggregator/devnet/manifest.ts'
import {
  MarginHub,
  MarginVault,
  SolvencyRegistry,
  TestToken,
} from '../../build/contracts/artifacts.ts'
import { encodePayload, type XMarginPayload } from '../../contracts/payloads.ts'
import { signVaa } from '../../relayer/devnet-guardian.ts'
import { messagesFromReceipt, type PublishedMessage } from '../../relayer/messages.ts'
import { DevnetGuardianSource } from '../../relayer/sources/devnet-guardian.ts'
import { topologyFromManifest } from '../../relayer/topology.ts'

export interface Fixture {
  readonly devnet: Devnet
  readonly manifest: DevnetManifest
  readonly hub: ChainManifest
  readonly spoke: ChainManifest
  /** Clients on a chain for a key (default: the deployer, who owns and operates everything). */
  clients(chain: ChainManifest, key?: Hex): ChainClients
  stop(): Promise<void>
}

/** `verifier: 'later'` leaves the Groth16 verifier unbound (see startDevnet). */
export async function startFixture(
  chains = 3,
  options: { verifier?: 'if-built' | 'later' } = {},
): Promise<Fixture> {
  const devnet = await startDevnet({ chains, basePort: 0, ...options })
  const cache = new Map<string, ChainClients>()
  return {
    devnet,
    // getters: the manifest gains each chain's verifier when it is bound later
    get manifest() {
      return devnet.manifest
    },
    get hub() {
      return devnet.manifest.chains[0]!
    },
    get spoke() {
      return devnet.manifest.chains[1]!
    },
    clients(chain, key = DEVNET_DEPLOYER_KEY) {
      const id = `${chain.name}:${key}`
      const found = cache.get(id) ?? chainClients(chain.rpcUrl, chain.evmChainId, key, chain.name)
      cache.set(id, found)
      return found
    },
    stop: () => devnet.stop(),
  }
}

export const trader = (i: number): { key: Hex; address: Address } => {
  const key = DEVNET_TRADER_KEYS[i]!
  return { key, address: privateKeyToAccount(key).address }
}

export function units(chain: ChainManifest, symbol: TokenSymbol, amount: string): bigint {
  return parseUnits(amount, chain.tokens[symbol].decimals)
}

/** Mint from the faucet and approve the vault. */
export async function fund(
  f: Fixture,
  chain: ChainManifest,
  key: Hex,
  symbol: TokenSymbol,
  amount: bigint,
): Promise<void> {
  const c = f.clients(chain, key)
  const token = chain.tokens[symbol].address
  await sendTransaction(c, {
    address: token,
    abi: TestToken.abi,
    functionName: 'faucet',
    args: [c.wallet.account.address, amount],
  })
  await sendTransaction(c, {
    address: token,
    abi: TestToken.abi,
    functionName: 'approve',
    args: [chain.contracts.vault, amount],
  })
}

export async function deposit(
  f: Fixture,
  chain: ChainManifest,
  key: Hex,
  symbol: TokenSymbol,
  amount: bigint,
): Promise<TransactionReceipt> {
  await fund(f, chain, key, symbol, amount)
  return sendTransaction(f.clients(chain, key), {
    address: chain.contracts.vault,
    abi: MarginVault.abi,
    functionName: 'deposit',
    args: [chain.tokens[symbol].address, amount],
  })
}

/** The Wormhole messages a transaction published on `chain`. */
export async function published(
  f: Fixture,
  chain: ChainManifest,
  receipt: TransactionReceipt,
): Promise<PublishedMessage[]> {
  const block = await f.clients(chain).public.getBlock({ blockNumber: receipt.blockNumber })
  return messagesFromReceipt(
    receipt,
    chain.contracts.wormhole,
    chain.wormholeChainId,
    Number(block.timestamp),
  )
}

/** The one message a transaction published, signed by the devnet guardian. */
export async function signedVaa(
  f: Fixture,
  chain: ChainManifest,
  receipt: TransactionReceipt,
): Promise<Hex> {
  const messages = await published(f, chain, receipt)
  if (messages.length !== 1) throw new Error(`expected one message, got ${messages.length}`)
  return signVaa(messages[0]!)
}

/** A VAA as if `emitter` on `chain` had published `payload`: the devnet guardian signs what it is shown. */
export function forgedVaa(
  chain: ChainManifest,
  emitter: Address,
  sequence: bigint,
  payload: XMarginPayload | Hex,
  keys?: string[],
): Hex {
  const message = {
    emitterChain: chain.wormholeChainId,
    emitterAddress: pad(emitter, { size: 32 }),
    sequence,
    nonce: 0,
    consistencyLevel: 1,
    timestamp: 1_767_225_600,
    payload: typeof payload === 'string' ? payload : encodePayload(payload),
  }
  return keys === undefined ? signVaa(message) : signVaa(message, keys)
}

/**
 * Publish the hub's leaf indices of `accounts` (consecutive, in order: E4) and
 * deliver them to every chain's registry, as the relayer would.
 */
export async function deliverIndices(f: Fixture, accounts: readonly Address[]): Promise<void> {
  const receipt = await sendTransaction(f.clients(f.hub), {
    address: f.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'publishAccountIndices',
    args: [[...accounts]],
  })
  const vaa = await signedVaa(f, f.hub, receipt)
  for (const chain of f.manifest.chains)
    await sendTransaction(f.clients(chain), {
      address: chain.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'receiveAccountIndices',
      args: [vaa],
    })
}

/** The custom error a failed call reverted with, by name. */
export async function revertOf(call: Promise<unknown>): Promise<string> {
  try {
    await call
  } catch (err) {
    const name = revertName(err)
    if (name !== undefined) return name
    throw err
  }
  throw new Error('the call did not revert')
}

/** The hub ledger: what `account` holds of `symbol` in the vault on `chain`. */
export function hubLedger(
  f: Fixture,
  account: Address,
  chain: ChainManifest,
  symbol: TokenSymbol = 'USDC',
): Promise<bigint> {
  return f.clients(f.hub).public.readContract({
    address: f.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'collateral',
    args: [account, chain.wormholeChainId, chain.tokens[symbol].address],
  })
}

/** The devnet guardian observing every chain of the fixture. */
export function guardianSource(f: Fixture): DevnetGuardianSource {
  return new DevnetGuardianSource(
    topologyFromManifest(f.manifest).chains.map((chain, i) => ({
      chain,
      client: f.clients(f.manifest.chains[i]!).public,
    })),
  )
}

/** What outstanding payouts reserve of the hub ledger entry (account, chain, token). */
export function hubReserved(
  f: Fixture,
  account: Address,
  chain: ChainManifest,
  symbol: TokenSymbol = 'USDC',
): Promise<bigint> {
  return f.clients(f.hub).public.readContract({
    address: f.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'reserved',
    args: [account, chain.wormholeChainId, chain.tokens[symbol].address],
  })
}

/** The hub's record of a payout. */
export function hubPayout(f: Fixture, id: bigint) {
  return f.clients(f.hub).public.readContract({
    address: f.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'payout',
    args: [id],
  })
}

/**
 * Move every chain's clock forward by `seconds` and mine a block there, so
 * that the chains keep one time (payout expiries are stamped on the hub and
 * checked on the spokes). Returns each chain's new block time, in order.
 */
export async function advanceTime(f: Fixture, seconds: number): Promise<bigint[]> {
  return Promise.all(
    f.manifest.chains.map(async (chain) => {
      const rpc = f.clients(chain).public
      await rpc.request({ method: 'evm_increaseTime' as never, params: [seconds] as never })
      await rpc.request({ method: 'evm_mine' as never, params: [] as never })
      return (await rpc.getBlock({ blockTag: 'latest' })).timestamp
    }),
  )
}

/** Snapshot every chain; the function returned reverts them all to it (once). */
export async function snapshotChains(f: Fixture): Promise<() => Promise<void>> {
  const taken = await Promise.all(
    f.manifest.chains.map(async (chain) => {
      const rpc = f.clients(chain).public
      return { rpc, id: (await rpc.request({ method: 'evm_snapshot' as never })) as Hex }
    }),
  )
  return async () => {
    for (const { rpc, id } of taken) {
      const ok = await rpc.request({ method: 'evm_revert' as never, params: [id] as never })
      if (ok !== true) throw new Error(`evm_revert to ${id} failed`)
    }
  }
}
