/**
 * The relayer through Wormhole core governance, on real anvil chains with
 * the genuine core: governance VAAs signed by the devnet guardian change a
 * core's guardian set and its message fee, as on Wormhole's own devnet, and
 * the relayer follows both (guardian-sets.ts, the fee in deliverer.ts).
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAddress } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChainClients, chainClients, sendTransaction } from '../aggregator/chain/clients.ts'
import { DEVNET_RELAYER_KEY } from '../aggregator/devnet/chains.ts'
import type { ChainManifest } from '../aggregator/devnet/manifest.ts'
import { silentLogger } from '../aggregator/log.ts'
import { MarginHub, MarginVault, WormholeImplementation } from '../build/contracts/artifacts.ts'
import { validateConfig } from '../relayer/config.ts'
import { ChainDeliverer, DEFAULT_DELIVERY } from '../relayer/deliverer.ts'
import {
  GOVERNANCE_CHAIN,
  GOVERNANCE_CONTRACT,
  governanceVaa,
  guardianSetUpgrade,
  setMessageFee,
} from '../relayer/governance.ts'
import { startRelayer } from '../relayer/relayer.ts'
import { DevnetGuardianSource } from '../relayer/sources/devnet-guardian.ts'
import type { VaaSource } from '../relayer/sources/vaa-source.ts'
import { openDatabase } from '../relayer/store/database.ts'
import { migrate } from '../relayer/store/migrations.ts'
import { type Delivery, RelayStore } from '../relayer/store/relay-store.ts'
import { topologyFromManifest } from '../relayer/topology.ts'
import { ChainWatcher } from '../relayer/watcher.ts'
import {
  type Fixture,
  fund,
  hubLedger,
  revertOf,
  startFixture,
  trader,
  units,
} from './helpers/devnet-fixture.ts'
import { until } from './helpers/until.ts'

const core = (f: Fixture, chain: ChainManifest) => ({
  read: <const name extends 'messageFee' | 'getCurrentGuardianSetIndex'>(functionName: name) =>
    f.clients(chain).public.readContract({
      address: chain.contracts.wormhole,
      abi: WormholeImplementation.abi,
      functionName,
    }),
  submit: (functionName: 'submitNewGuardianSet' | 'submitSetMessageFee', vaa: Hex) =>
    sendTransaction(f.clients(chain), {
      address: chain.contracts.wormhole,
      abi: WormholeImplementation.abi,
      functionName,
      args: [vaa],
    }),
})

/** A deposit that pays the spoke core's current message fee (the vault publishes it). */
async function depositPaying(f: Fixture, key: Hex, amount: bigint): Promise<Hex> {
  await fund(f, f.spoke, key, 'USDC', amount)
  const receipt = await sendTransaction(f.clients(f.spoke, key), {
    address: f.spoke.contracts.vault,
    abi: MarginVault.abi,
    functionName: 'deposit',
    args: [f.spoke.tokens.USDC.address, amount],
    value: await core(f, f.spoke).read('messageFee'),
  })
  return receipt.transactionHash
}

describe('the devnet cores take governance as on Wormhole devnet', () => {
  let f: Fixture
  beforeAll(async () => {
    f = await startFixture(2)
  }, 60_000)
  afterAll(async () => {
    await f?.stop()
  })

  it('from the governance emitter our helpers sign for', async () => {
    const c = f.clients(f.hub).public
    const read = (functionName: 'governanceChainId' | 'governanceContract') =>
      c.readContract({
        address: f.hub.contracts.wormhole,
        abi: WormholeImplementation.abi,
        functionName,
      })
    expect([await read('governanceChainId'), await read('governanceContract')]).toEqual([
      GOVERNANCE_CHAIN,
      GOVERNANCE_CONTRACT,
    ])
  })
})

describe('a guardian set upgrade on the target core', () => {
  let f: Fixture
  beforeAll(async () => {
    f = await startFixture(2)
  }, 60_000)
  afterAll(async () => {
    await f?.stop()
  })

  it('the new set is delivered at once, the old one until its expiry and refused after', async () => {
    const topology = topologyFromManifest(f.manifest)
    const db = await openDatabase('memory')
    await migrate(db)
    const store = new RelayStore(db)
    const watcher = new ChainWatcher(
      topology.chains[1]!,
      f.clients(f.spoke).public,
      store,
      topology,
      {
        confirmations: 0,
        maxBlockRange: 10_000,
      },
    )
    const observers = topology.chains.map((chain, i) => ({
      chain,
      client: f.clients(f.manifest.chains[i]!).public,
    }))
    // A test-only guardian for set 1: generated here, never kept.
    const newKey = generatePrivateKey()
    const sets = {
      old: new DevnetGuardianSource(observers),
      new: new DevnetGuardianSource(observers, [newKey.slice(2)], 1),
      future: new DevnetGuardianSource(observers, [generatePrivateKey().slice(2)], 2),
    }
    let signing: VaaSource = sets.old
    const source: VaaSource = { name: 'guardians', fetchVaa: (k) => signing.fetchVaa(k) }
    const hub: ChainClients = chainClients(f.hub.rpcUrl, f.hub.evmChainId, DEVNET_RELAYER_KEY)
    const deliverer = new ChainDeliverer(
      topology.chains[0]!,
      hub.public,
      hub.wallet,
      store,
      source,
      topology,
      DEFAULT_DELIVERY,
      silentLogger,
    )
    const t = trader(0)
    const nonce = () => hub.public.getTransactionCount({ address: hub.wallet.account.address })
    /** Deposit on the spoke, signed by `set`, delivered to the hub once: the delivery after it. */
    const relay = async (set: keyof typeof sets, amount: bigint) => {
      signing = sets[set]
      const tx = await depositPaying(f, t.key, amount)
      await watcher.poll()
      const d = (await store.due(topology.hubChain, 100)).find((x) => x.txHashObserved === tx)!
      const sent = await nonce()
      await deliverer.deliver(d)
      const after = (await store.get(d.id))!
      return { d: after, transactions: (await nonce()) - sent }
    }
    const outcome = ({ d, transactions }: { d: Delivery; transactions: number }) => ({
      status: d.status,
      transactions,
    })
    const delivered = { status: 'delivered', transactions: 1 }

    // the deliverer learns set 0 as the current one
    expect(outcome(await relay('old', 1n))).toEqual(delivered)

    const hubCore = core(f, f.hub)
    await hubCore.submit(
      'submitNewGuardianSet',
      governanceVaa(guardianSetUpgrade(1, [privateKeyToAddress(newKey)]), 1n),
    )
    expect(await hubCore.read('getCurrentGuardianSetIndex')).toBe(1)
    const { expirationTime } = await hub.public.readContract({
      address: f.hub.contracts.wormhole,
      abi: WormholeImplementation.abi,
      functionName: 'getGuardianSet',
      args: [0],
    })
    expect(expirationTime).toBeGreaterThan(0)

    // a VAA of set 1 makes the deliverer re-read the set instead of refusing it
    expect(outcome(await relay('new', 2n))).toEqual(delivered)
    expect(outcome(await relay('old', 3n))).toEqual(delivered)

    // set 2 is not on the core yet: tried again later, not parked
    const early = await relay('future', 4n)
    expect({ ...outcome(early), attempts: early.d.attempts }).toEqual({
      status: 'pending',
      transactions: 0,
      attempts: 1,
    })
    expect(early.d.lastError).toContain('guardian set 2 is not on the target core yet')

    // past set 0's expiry: the core refuses it, and so does the relayer, before any gas
    const { timestamp } = await hub.public.getBlock()
    await hub.public.request({
      method: 'evm_increaseTime' as never,
      params: [expirationTime - Number(timestamp) + 1] as never,
    })
    await hub.public.request({ method: 'evm_mine' as never })
    const late = await relay('old', 5n)
    expect(outcome(late)).toEqual({ status: 'failed', transactions: 0 })
    expect(late.d.lastError).toContain(`guardian set 0 expired at ${expirationTime}`)
    const lateVaa = (await sets.old.fetchVaa({
      emitterChain: late.d.emitterChain,
      emitterAddress: late.d.emitterAddress,
      sequence: late.d.sequence,
      txHash: late.d.txHashObserved,
    }))!
    expect(
      await revertOf(
        hub.public.simulateContract({
          address: f.hub.contracts.hub!,
          abi: MarginHub.abi,
          functionName: 'ingestCollateralUpdate',
          args: [lateVaa],
          account: hub.wallet.account,
        }),
      ),
    ).toBe('InvalidVaa')

    expect(outcome(await relay('new', 6n))).toEqual(delivered)
    // absolute balances: the last delivered update carries every deposit
    expect(await hubLedger(f, t.address, f.spoke)).toBe(1n + 2n + 3n + 4n + 5n + 6n)
  })
})

describe('a raised message fee', () => {
  let f: Fixture
  beforeAll(async () => {
    f = await startFixture(2)
  }, 60_000)
  afterAll(async () => {
    await f?.stop()
  })

  /** Set every core's fee with a governance VAA (each action its own sequence). */
  let governanceSequence = 0n
  const setFee = async (fee: bigint) => {
    for (const chain of f.manifest.chains) {
      await core(f, chain).submit(
        'submitSetMessageFee',
        governanceVaa(setMessageFee(chain.wormholeChainId, fee), ++governanceSequence),
      )
      expect(await core(f, chain).read('messageFee')).toBe(fee)
    }
  }

  it('payouts pay it end to end, and a later change of it is picked up', async () => {
    await setFee(10n ** 15n)
    const manifestPath = join(mkdtempSync(join(tmpdir(), 'xmargin-fee-')), 'manifest.json')
    writeFileSync(manifestPath, JSON.stringify(f.manifest))
    const relayer = await startRelayer(
      validateConfig({
        manifest: manifestPath,
        privateKey: DEVNET_RELAYER_KEY,
        database: 'memory',
        port: 0,
        pollIntervalMs: 50,
      }),
      silentLogger,
    )
    try {
      const t = trader(1)
      const token: Address = f.spoke.tokens.USDC.address
      const ledger = () => hubLedger(f, t.address, f.spoke)
      // the collateral update goes to the hub's ingest, which publishes nothing and takes no value
      const amount = units(f.spoke, 'USDC', '100')
      await depositPaying(f, t.key, amount)
      expect(await until('the deposit on the hub', ledger, (v) => v === amount)).toBe(amount)

      const payouts: { fee: bigint; value: bigint }[] = []
      let left = amount
      for (const fee of [10n ** 15n, 3n * 10n ** 15n]) {
        await setFee(fee)
        await sendTransaction(f.clients(f.hub), {
          address: f.hub.contracts.hub!,
          abi: MarginHub.abi,
          functionName: 'approveWithdrawal',
          args: [f.spoke.wormholeChainId, t.address, token, 10n],
          value: fee,
        })
        left -= 10n
        // the payout's own collateral update comes back: both legs were delivered
        await until('the payout on the hub', ledger, (v) => v === left)
        const execute = (await relayer.store.list('delivered', 500)).filter(
          (d) => d.method === 'execute',
        )[payouts.length]!
        const tx = await f.clients(f.spoke).public.getTransaction({ hash: execute.txHash! })
        expect(tx.from.toLowerCase()).toBe(privateKeyToAddress(DEVNET_RELAYER_KEY).toLowerCase())
        payouts.push({ fee, value: tx.value })
      }
      expect(payouts.map((p) => p.value)).toEqual(payouts.map((p) => p.fee))
    } finally {
      await relayer.stop()
    }
  })
})
