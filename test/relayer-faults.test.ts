/**
 * The relayer under the failures operators meet: forged VAAs from the
 * source, a reorg shallower than the confirmation depth, and one chain's
 * RPC going away for a while. Real anvil chains, genuine core.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chainClients } from '../aggregator/chain/clients.ts'
import { DEVNET_RELAYER_KEY, type TokenSymbol } from '../aggregator/devnet/chains.ts'
import type { DevnetManifest } from '../aggregator/devnet/manifest.ts'
import { silentLogger } from '../aggregator/log.ts'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'
import { validateConfig } from '../relayer/config.ts'
import { ChainDeliverer, DEFAULT_DELIVERY } from '../relayer/deliverer.ts'
import { signVaa } from '../relayer/devnet-guardian.ts'
import { messagesFromReceipt } from '../relayer/messages.ts'
import { startRelayer } from '../relayer/relayer.ts'
import type { VaaKey, VaaSource } from '../relayer/sources/vaa-source.ts'
import { openDatabase } from '../relayer/store/database.ts'
import { migrate } from '../relayer/store/migrations.ts'
import { RelayStore } from '../relayer/store/relay-store.ts'
import { topologyFromManifest } from '../relayer/topology.ts'
import { ChainWatcher } from '../relayer/watcher.ts'
import {
  deposit,
  type Fixture,
  forgedVaa,
  fund,
  guardianSource,
  hubLedger,
  startFixture,
  trader,
} from './helpers/devnet-fixture.ts'
import { startTcpProxy } from './helpers/tcp-proxy.ts'
import { until } from './helpers/until.ts'

let f: Fixture
beforeAll(async () => {
  f = await startFixture(3)
}, 60_000)
afterAll(async () => {
  await f?.stop()
})

async function freshStore(): Promise<RelayStore> {
  const db = await openDatabase('memory')
  await migrate(db)
  return new RelayStore(db)
}

const ledger = (account: Address, chain = f.spoke, symbol: TokenSymbol = 'USDC') =>
  hubLedger(f, account, chain, symbol)

describe('VAAs from the source that must not be delivered', () => {
  it.each([
    {
      name: 'a bad signature',
      forge: (m: SignedInput) => signVaa(m, [`${'77'.repeat(32)}`]),
      says: 'is not its guardian',
    },
    {
      name: 'an unknown emitter',
      forge: (m: SignedInput) => forgedVaa(f.spoke, trader(2).address, m.sequence, m.payload),
      says: 'not the observed message',
    },
    {
      name: 'a wrong target',
      forge: (m: SignedInput) =>
        forgedVaa(f.spoke, f.spoke.contracts.vault, m.sequence, {
          kind: 'withdrawalApproval',
          targetChain: f.spoke.wormholeChainId,
          vault: f.spoke.contracts.vault,
          id: 1n,
          account: trader(0).address,
          token: f.spoke.tokens.USDC.address,
          amount: 1n,
          expiry: 4_102_444_800n,
        }),
      says: 'VAA refused',
    },
  ])('refuses $name without sending a transaction', async ({ forge, says }) => {
    const topology = topologyFromManifest(f.manifest)
    const store = await freshStore()
    const receipt = await deposit(f, f.spoke, trader(0).key, 'USDC', 1_000_000n)
    const hubRelay = topology.chains[0]!
    const spokeRelay = topology.chains[1]!
    const watcher = new ChainWatcher(spokeRelay, f.clients(f.spoke).public, store, topology, {
      confirmations: 0,
      maxBlockRange: 10_000,
    })
    await watcher.poll()
    const block = await f.clients(f.spoke).public.getBlock({ blockNumber: receipt.blockNumber })
    const [observed] = messagesFromReceipt(
      receipt,
      f.spoke.contracts.wormhole,
      f.spoke.wormholeChainId,
      Number(block.timestamp),
    )
    const forging: VaaSource = { name: 'forger', fetchVaa: async (_: VaaKey) => forge(observed!) }
    const hub = chainClients(f.hub.rpcUrl, f.hub.evmChainId, DEVNET_RELAYER_KEY)
    const deliverer = new ChainDeliverer(
      hubRelay,
      hub.public,
      hub.wallet,
      store,
      forging,
      topology,
      DEFAULT_DELIVERY,
      silentLogger,
    )
    const nonce = await hub.public.getTransactionCount({ address: hub.wallet.account.address })
    const pending = await store.due(hubRelay.wormholeChainId, 100)
    const mine = pending.find((d) => d.txHashObserved === receipt.transactionHash)!
    await deliverer.deliver(mine)
    const after = await store.get(mine.id)
    expect(after?.status).toBe('failed')
    expect(after?.lastError).toContain(says)
    expect(await hub.public.getTransactionCount({ address: hub.wallet.account.address })).toBe(
      nonce,
    )
  })
})

type SignedInput = Parameters<typeof signVaa>[0]

describe('a reorg shallower than the confirmation depth', () => {
  it('never delivers the orphaned message, and delivers the one that replaced it', async () => {
    const topology = topologyFromManifest(f.manifest)
    const spokeRelay = topology.chains[2]!
    const chain = f.manifest.chains[2]!
    const client = f.clients(chain).public
    const store = await freshStore()
    const watcher = new ChainWatcher(spokeRelay, client, store, topology, {
      confirmations: 3,
      maxBlockRange: 10_000,
    })
    const t = trader(1)
    await fund(f, chain, t.key, 'WBTC', 1_000n)
    await watcher.poll()
    const snapshot = (await client.request({ method: 'evm_snapshot' as never })) as Hex
    const orphan = await deposit(f, chain, t.key, 'WBTC', 111n)
    await watcher.poll()
    await client.request({ method: 'evm_revert' as never, params: [snapshot] as never })
    const replacement = await deposit(f, chain, t.key, 'WBTC', 222n)
    await client.request({ method: 'anvil_mine' as never, params: ['0x5'] as never })
    await watcher.poll()
    const observed = (await store.due(topology.hubChain, 10_000)).map((d) => d.txHashObserved)
    expect(observed).not.toContain(orphan.transactionHash)
    expect(observed).toContain(replacement.transactionHash)
    const hub = chainClients(f.hub.rpcUrl, f.hub.evmChainId, DEVNET_RELAYER_KEY)
    const source = guardianSource(f)
    await new ChainDeliverer(
      topology.chains[0]!,
      hub.public,
      hub.wallet,
      store,
      source,
      topology,
      DEFAULT_DELIVERY,
      silentLogger,
    ).runOnce()
    expect(await ledger(t.address, chain, 'WBTC')).toBe(222n)
  })
})

describe('one chain RPC unreachable for a while', () => {
  it('the other chains keep flowing, and the stalled one catches up', async () => {
    const [, a, b] = f.manifest.chains as [
      DevnetManifest['chains'][number],
      DevnetManifest['chains'][number],
      DevnetManifest['chains'][number],
    ]
    const proxy = await startTcpProxy(Number(new URL(b.rpcUrl).port))
    const manifest = {
      ...f.manifest,
      chains: f.manifest.chains.map((c) => (c.name === b.name ? { ...c, rpcUrl: proxy.url } : c)),
    }
    const manifestPath = join(mkdtempSync(join(tmpdir(), 'xmargin-proxy-')), 'manifest.json')
    writeFileSync(manifestPath, JSON.stringify(manifest))
    const relayer = await startRelayer(
      validateConfig(
        {
          manifest: manifestPath,
          privateKey: DEVNET_RELAYER_KEY,
          database: 'memory',
          port: 0,
          pollIntervalMs: 50,
        },
        {},
      ),
      silentLogger,
    )
    try {
      const t = trader(2)
      await proxy.cut()
      await deposit(f, a, t.key, 'WETH', 5n)
      await deposit(f, b, t.key, 'WETH', 7n)
      expect(
        await until(
          'the healthy chain',
          () => ledger(t.address, a, 'WETH'),
          (v) => v === 5n,
        ),
      ).toBe(5n)
      await new Promise((r) => setTimeout(r, 500))
      expect(await ledger(t.address, b, 'WETH')).toBe(0n)
      await proxy.restore()
      expect(
        await until(
          'the stalled chain',
          () => ledger(t.address, b, 'WETH'),
          (v) => v === 7n,
        ),
      ).toBe(7n)
    } finally {
      await relayer.stop()
      await proxy.close()
    }
  })
})

describe('a message that keeps failing', () => {
  it('is parked as failed without blocking the ones behind it, and an operator can retry it', async () => {
    const manifestPath = join(mkdtempSync(join(tmpdir(), 'xmargin-park-')), 'manifest.json')
    writeFileSync(manifestPath, JSON.stringify(f.manifest))
    const guardian = guardianSource(f)
    let poisoned: bigint | null = null
    // A source that cannot produce one message's VAA: a fault no real part gives on demand.
    const source: VaaSource = {
      name: 'flaky',
      fetchVaa: async (key) => {
        if (key.sequence === poisoned && key.emitterChain === f.spoke.wormholeChainId)
          throw new Error('source fault for this message')
        return guardian.fetchVaa(key)
      },
    }
    const config = validateConfig(
      {
        manifest: manifestPath,
        privateKey: DEVNET_RELAYER_KEY,
        database: 'memory',
        port: 0,
        pollIntervalMs: 50,
        delivery: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 50 },
      },
      {},
    )
    const relayer = await startRelayer(config, silentLogger, { source })
    try {
      const t = trader(0)
      poisoned = await f.clients(f.spoke).public.readContract({
        address: f.spoke.contracts.wormhole,
        abi: WormholeImplementation.abi,
        functionName: 'nextSequence',
        args: [f.spoke.contracts.vault],
      })
      await deposit(f, f.spoke, t.key, 'WBTC', 1n)
      const before = await ledger(t.address, f.spoke, 'WBTC')
      await deposit(f, f.spoke, t.key, 'WBTC', 2n)
      const failed = await until(
        'the parked delivery',
        async () =>
          (await (await fetch(`${relayer.url}/admin/deliveries?status=failed`)).json()) as {
            deliveries: { id: number; attempts: number; sequence: string }[]
          },
        (b) => b.deliveries.length === 1,
      )
      expect(failed.deliveries[0]).toMatchObject({ attempts: 3, sequence: String(poisoned) })
      // The later deposit went through: its absolute balance (3) is newer than the stuck one's (1).
      expect(
        await until(
          'the later deposit',
          () => ledger(t.address, f.spoke, 'WBTC'),
          (v) => v === before + 3n,
        ),
      ).toBe(before + 3n)
      poisoned = null
      const retry = await fetch(
        `${relayer.url}/admin/deliveries/${failed.deliveries[0]!.id}/retry`,
        { method: 'POST' },
      )
      expect(retry.status).toBe(200)
      await until(
        'the retried delivery',
        async () => (await relayer.store.get(failed.deliveries[0]!.id))?.status,
        (s) => s === 'delivered',
      )
      expect(
        (
          await fetch(`${relayer.url}/admin/deliveries/${failed.deliveries[0]!.id}/retry`, {
            method: 'POST',
          })
        ).status,
      ).toBe(404)
    } finally {
      await relayer.stop()
    }
  })
})

describe('a stuck transaction', () => {
  it('is replaced at the same nonce with a higher fee, and the replacement lands', async () => {
    const topology = topologyFromManifest(f.manifest)
    const store = await freshStore()
    const t = trader(1)
    const mine = await deposit(f, f.spoke, t.key, 'USDC', 42n)
    // Start reading at this deposit's block: earlier tests' messages are not this test's business.
    await store.observe(f.spoke.wormholeChainId, mine.blockNumber, [])
    await new ChainWatcher(topology.chains[1]!, f.clients(f.spoke).public, store, topology, {
      confirmations: 0,
      maxBlockRange: 10_000,
    }).poll()
    const hub = chainClients(f.hub.rpcUrl, f.hub.evmChainId, DEVNET_RELAYER_KEY)
    const source = guardianSource(f)
    const replaced: { hash: string; maxFeePerGas: string }[] = []
    const logger = {
      ...silentLogger,
      info: () => {},
      warn: (o: { hash?: string; maxFeePerGas?: string }) => o.hash && replaced.push(o as never),
    } as never
    const deliverer = new ChainDeliverer(
      topology.chains[0]!,
      hub.public,
      hub.wallet,
      store,
      source,
      topology,
      { ...DEFAULT_DELIVERY, receiptTimeoutMs: 300 },
      logger,
    )
    const rpc = f.clients(f.hub).public
    await rpc.request({ method: 'evm_setAutomine' as never, params: [false] as never })
    try {
      const delivering = deliverer.runOnce()
      await until(
        'a replacement',
        async () => replaced.length,
        (n) => n >= 1,
      )
      await rpc.request({ method: 'evm_mine' as never })
      await delivering
    } finally {
      await rpc.request({ method: 'evm_setAutomine' as never, params: [true] as never })
    }
    const d = (await store.list('delivered', 10_000)).find(
      (x) => x.txHashObserved === mine.transactionHash,
    )
    const tx = await rpc.getTransaction({ hash: d!.txHash! })
    expect(tx.hash).not.toBe(replaced[0]!.hash)
    expect(tx.maxFeePerGas).toBeGreaterThanOrEqual(BigInt(replaced[0]!.maxFeePerGas))
    expect(await ledger(t.address)).toBeGreaterThanOrEqual(42n)
  })
})
