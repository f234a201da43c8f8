/**
 * Collateral updates ready together reach the hub in one transaction; one
 * that someone else delivered first is skipped by the hub and counted as
 * delivered, not retried.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendTransaction } from '../aggregator/chain/clients.ts'
import { DEVNET_RELAYER_KEY } from '../aggregator/devnet/chains.ts'
import { silentLogger } from '../aggregator/log.ts'
import { MarginHub } from '../build/contracts/artifacts.ts'
import { validateConfig } from '../relayer/config.ts'
import { type RunningRelayer, startRelayer } from '../relayer/relayer.ts'
import {
  deposit,
  type Fixture,
  hubLedger,
  signedVaa,
  startFixture,
  trader,
} from './helpers/devnet-fixture.ts'
import { until } from './helpers/until.ts'

let f: Fixture
let relayer: RunningRelayer | undefined

beforeAll(async () => {
  f = await startFixture(2)
}, 60_000)
afterAll(async () => {
  await relayer?.stop()
  await f?.stop()
})

describe('batched collateral updates', () => {
  it('go in one hub transaction, and one delivered by someone else counts as delivered', async () => {
    const t = trader(0)
    const receipts = []
    for (const amount of [10n, 20n, 30n, 40n])
      receipts.push(await deposit(f, f.spoke, t.key, 'WBTC', amount))
    // someone else delivers the second update before the relayer starts
    await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'ingestCollateralUpdate',
      args: [await signedVaa(f, f.spoke, receipts[1]!)],
    })
    const manifest = join(mkdtempSync(join(tmpdir(), 'xmargin-batch-')), 'manifest.json')
    writeFileSync(manifest, JSON.stringify(f.manifest))
    relayer = await startRelayer(
      validateConfig({
        manifest,
        privateKey: DEVNET_RELAYER_KEY,
        database: 'memory',
        port: 0,
        pollIntervalMs: 50,
      }),
      silentLogger,
    )
    await until(
      'the hub ledger',
      () => hubLedger(f, t.address, f.spoke, 'WBTC'),
      (v) => v === 100n,
    )
    const delivered = await until(
      'four deliveries',
      () => relayer!.store.list('delivered'),
      (ds) => ds.filter((d) => d.method === 'ingestCollateralUpdate').length === 4,
    )
    const updates = delivered.filter((d) => d.method === 'ingestCollateralUpdate')
    expect(updates.filter((d) => d.txHash === null)).toHaveLength(1)
    expect(new Set(updates.filter((d) => d.txHash !== null).map((d) => d.txHash)).size).toBe(1)
    expect(updates.every((d) => d.attempts === 1)).toBe(true)
  })
})
