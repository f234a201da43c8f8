/**
 * SIGKILL the relayer process in the middle of a burst and start it again on
 * the same store: every message is delivered, none twice, none lost.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseAbiItem } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendTransaction } from '../aggregator/chain/clients.ts'
import { DEVNET_RELAYER_KEY } from '../aggregator/devnet/chains.ts'
import { MarginVault } from '../build/contracts/artifacts.ts'
import { type Fixture, fund, startFixture, trader } from './helpers/devnet-fixture.ts'
import { BIN } from './helpers/run-cli.ts'

let f: Fixture
let dir: string
let child: ChildProcess | undefined

beforeAll(async () => {
  f = await startFixture(2)
  dir = mkdtempSync(join(tmpdir(), 'xmargin-crash-'))
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(f.manifest))
  // The store: PostgreSQL where CI provides one (a server survives the kill by construction), else a PGlite directory.
  const database = process.env['XMARGIN_TEST_DATABASE_URL']
    ? await freshDatabase(process.env['XMARGIN_TEST_DATABASE_URL'])
    : join(dir, 'store')
  writeFileSync(
    join(dir, 'relayer.json'),
    JSON.stringify({
      manifest: join(dir, 'manifest.json'),
      privateKey: DEVNET_RELAYER_KEY,
      database,
      port: 0,
      pollIntervalMs: 50,
    }),
  )
}, 60_000)

afterAll(async () => {
  child?.kill('SIGKILL')
  await f?.stop()
})

async function freshDatabase(serverUrl: string): Promise<string> {
  const { default: pg } = await import('pg')
  const name = `xmargin_crash_${Date.now()}`
  const c = new pg.Client({ connectionString: serverUrl })
  await c.connect()
  await c.query(`create database ${name}`)
  await c.end()
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

function startRelayerProcess(): Promise<ChildProcess> {
  const p = spawn(process.execPath, [BIN, 'relayer', '--config', join(dir, 'relayer.json')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'warn' },
  })
  return new Promise((resolve, reject) => {
    p.stderr!.on('data', (d: Buffer) => {
      if (d.toString().includes('relayer running')) resolve(p)
    })
    p.once('exit', (code) => reject(new Error(`relayer exited with ${code}`)))
  })
}

async function appliedSequences(): Promise<string[]> {
  const logs = await f.clients(f.hub).public.getLogs({
    address: f.hub.contracts.hub!,
    event: parseAbiItem(
      'event CollateralUpdated(address indexed account, uint16 indexed chain, address indexed token, uint256 balance, uint64 sequence, bool applied)',
    ),
    args: { account: trader(0).address },
    fromBlock: 0n,
  })
  return logs.map((l) => String(l.args.sequence))
}

describe('relayer crash', () => {
  it('after SIGKILL mid-burst and a restart: all delivered, none twice, none lost', async () => {
    const burst = 150
    const t = trader(0)
    await fund(f, f.spoke, t.key, 'USDC', BigInt(burst) * 1_000_000n)
    child = await startRelayerProcess()
    const c = f.clients(f.spoke, t.key)
    const sending = (async () => {
      for (let i = 0; i < burst; i++) {
        await sendTransaction(c, {
          address: f.spoke.contracts.vault,
          abi: MarginVault.abi,
          functionName: 'deposit',
          args: [f.spoke.tokens.USDC.address, 1_000_000n],
        })
      }
    })()
    for (;;) {
      if ((await appliedSequences()).length >= 20) break
      await new Promise((r) => setTimeout(r, 50))
    }
    child.kill('SIGKILL')
    await new Promise((r) => child!.once('exit', r))
    const atKill = (await appliedSequences()).length
    expect(atKill).toBeLessThan(burst)
    await sending
    child = await startRelayerProcess()
    const deadline = Date.now() + 90_000
    let applied: string[] = []
    while (Date.now() < deadline) {
      applied = await appliedSequences()
      if (applied.length >= burst) break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(applied).toHaveLength(burst)
    expect(new Set(applied).size).toBe(burst)
    child.kill('SIGTERM')
    await new Promise((r) => child!.once('exit', r))
  }, 180_000)
})
