/**
 * The relayer end to end on three real anvil chains with the genuine core:
 * messages observed, signed by the devnet guardian, checked and delivered
 * exactly once on chain.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, keccak256, parseAbiItem, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendTransaction } from '../aggregator/chain/clients.ts'
import { DEVNET_RELAYER_KEY, type TokenSymbol } from '../aggregator/devnet/chains.ts'
import { silentLogger } from '../aggregator/log.ts'
import { MarginHub, MarginVault, SolvencyRegistry } from '../build/contracts/artifacts.ts'
import { validateConfig } from '../relayer/config.ts'
import { type RunningRelayer, startRelayer } from '../relayer/relayer.ts'
import {
  deposit,
  type Fixture,
  fund,
  hubLedger,
  startFixture,
  trader,
  units,
} from './helpers/devnet-fixture.ts'
import { until } from './helpers/until.ts'

let f: Fixture
let relayer: RunningRelayer
let manifestPath: string

beforeAll(async () => {
  f = await startFixture(3)
  manifestPath = join(mkdtempSync(join(tmpdir(), 'xmargin-relay-')), 'manifest.json')
  writeFileSync(manifestPath, JSON.stringify(f.manifest))
  const config = validateConfig({
    manifest: manifestPath,
    privateKey: DEVNET_RELAYER_KEY,
    database: 'memory',
    port: 0,
    pollIntervalMs: 50,
  })
  relayer = await startRelayer(config, silentLogger)
}, 60_000)

afterAll(async () => {
  await relayer?.stop()
  await f?.stop()
})

const ledger = (account: Address, chain = f.spoke, symbol: TokenSymbol = 'USDC') =>
  hubLedger(f, account, chain, symbol)

describe('relayer end to end', () => {
  it('a deposit on a spoke reaches the hub ledger', async () => {
    const t = trader(0)
    const amount = units(f.spoke, 'USDC', '1234.5')
    await deposit(f, f.spoke, t.key, 'USDC', amount)
    expect(
      await until(
        'the hub ledger',
        () => ledger(t.address),
        (v) => v === amount,
      ),
    ).toBe(amount)
  })

  it('an epoch root reaches every registry, and a withdrawal approval pays on its spoke', async () => {
    const root = keccak256(toHex('epoch 1'))
    await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'postEpoch',
      args: [1n, root, root],
    })
    for (const chain of f.manifest.chains) {
      const latest = () =>
        f.clients(chain).public.readContract({
          address: chain.contracts.registry,
          abi: SolvencyRegistry.abi,
          functionName: 'latestEpoch',
        })
      expect(await until(`epoch on ${chain.name}`, latest, (e) => e === 1n)).toBe(1n)
    }
    const t = trader(0)
    const token = f.spoke.tokens.USDC.address
    await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'approveWithdrawal',
      args: [f.spoke.wormholeChainId, t.address, token, 234_500_000n],
    })
    const held = () =>
      f.clients(f.spoke).public.readContract({
        address: f.spoke.contracts.vault,
        abi: MarginVault.abi,
        functionName: 'balanceOf',
        args: [t.address, token],
      })
    expect(await until('the payout', held, (v) => v === 1_000_000_000n)).toBe(1_000_000_000n)
    // The payout's own collateral update flows back: the ledger follows the vault.
    expect(
      await until(
        'the ledger after the payout',
        () => ledger(t.address),
        (v) => v === 1_000_000_000n,
      ),
    ).toBe(1_000_000_000n)
  })

  it('500 messages from two spokes: each delivered exactly once on chain', async () => {
    const spokes = [f.manifest.chains[1]!, f.manifest.chains[2]!]
    const t = trader(1)
    const perSpoke = 250
    await Promise.all(
      spokes.map(async (chain) => {
        await fund(f, chain, t.key, 'WETH', BigInt(perSpoke) * 10n ** 18n)
        const c = f.clients(chain, t.key)
        for (let i = 0; i < perSpoke; i++) {
          await sendTransaction(c, {
            address: chain.contracts.vault,
            abi: MarginVault.abi,
            functionName: 'deposit',
            args: [chain.tokens.WETH.address, 10n ** 18n],
          })
        }
      }),
    )
    for (const chain of spokes) {
      expect(
        await until(
          `ledger of ${chain.name}`,
          () => ledger(t.address, chain, 'WETH'),
          (v) => v === BigInt(perSpoke) * 10n ** 18n,
          120_000,
        ),
      ).toBe(BigInt(perSpoke) * 10n ** 18n)
    }
    const logs = await f.clients(f.hub).public.getLogs({
      address: f.hub.contracts.hub!,
      event: parseAbiItem(
        'event CollateralUpdated(address indexed account, uint16 indexed chain, address indexed token, uint256 balance, uint64 sequence, bool applied)',
      ),
      args: { account: t.address },
      fromBlock: 0n,
    })
    const keys = logs.map((l) => `${l.args.chain}:${l.args.sequence}`)
    expect(keys).toHaveLength(2 * perSpoke)
    expect(new Set(keys).size).toBe(2 * perSpoke)
  }, 180_000)

  it('reports its state on /metrics and /health', async () => {
    expect(await (await fetch(`${relayer.url}/health`)).json()).toEqual({ status: 'ok' })
    const text = await (await fetch(`${relayer.url}/metrics`)).text()
    for (const name of [
      'messages_observed_total',
      'deliveries_delivered_total',
      'deliveries_failed',
      'retries_total',
      'queue_depth',
      'block_lag',
      'wallet_balance_eth',
    ]) {
      expect(text).toContain(`xmargin_relayer_${name}`)
    }
    expect(text).toMatch(/xmargin_relayer_block_lag\{chain="arbitrum"\} \d+/)
  })
})
