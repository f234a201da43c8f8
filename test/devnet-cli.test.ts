/** `xmargin devnet`, `deposit` and `balances` as a person runs them: a real process, real chains, signals. */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevnetManifest } from '../aggregator/devnet/manifest.ts'
import { trader } from './helpers/devnet-fixture.ts'
import { BIN, runCli as run } from './helpers/run-cli.ts'

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}',
    })
    return res.ok
  } catch {
    return false
  }
}

describe('xmargin devnet', () => {
  let child: ChildProcess
  let manifest: DevnetManifest
  const manifestPath = join(mkdtempSync(join(tmpdir(), 'xmargin-devnet-')), 'manifest.json')

  beforeAll(async () => {
    child = spawn(
      process.execPath,
      [BIN, 'devnet', '--chains', '3', '--port', '0', '--manifest', manifestPath, '--json'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let stdout = ''
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString()
    })
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        if (d.toString().includes('devnet up')) resolve()
      })
      child.once('exit', (code) => reject(new Error(`devnet exited early with ${code}`)))
    })
    manifest = JSON.parse(stdout) as DevnetManifest
  }, 60_000)

  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL')
  })

  it('prints a manifest of a hub and two spokes with distinct chain ids', () => {
    expect(manifest.chains.map((c) => c.role)).toEqual(['hub', 'spoke', 'spoke'])
    expect(new Set(manifest.chains.map((c) => c.evmChainId)).size).toBe(3)
    expect(new Set(manifest.chains.map((c) => c.wormholeChainId)).size).toBe(3)
    for (const c of manifest.chains) expect(Object.keys(c.tokens)).toEqual(['USDC', 'WETH', 'WBTC'])
  })

  it('takes a deposit, and balances shows it in the vault', async () => {
    const t = trader(1)
    const deposited = await run([
      'deposit',
      '--manifest',
      manifestPath,
      '--key',
      t.key,
      '--chain',
      'base',
      '--token',
      'WETH',
      '--amount',
      '1.5',
      '--mint',
      '--json',
    ])
    expect(deposited).toMatchObject({ code: 0, err: '' })
    const balances = await run([
      'balances',
      '--manifest',
      manifestPath,
      '--account',
      t.address,
      '--json',
    ])
    expect(JSON.parse(balances.out).balances).toContainEqual({
      chain: 'base',
      token: 'WETH',
      wallet: '0',
      vault: '1.5',
      hubLedger: '0',
    })
  })

  it.each([
    {
      argv: ['deposit', '--chain', 'mars', '--token', 'USDC', '--amount', '1'],
      says: '--chain: no chain "mars"',
    },
    {
      argv: ['deposit', '--chain', 'base', '--token', 'USDC', '--amount', '1e3'],
      says: '--amount must be a positive decimal number',
    },
    {
      argv: ['deposit', '--chain', 'base', '--token', 'USDC', '--amount', '1', '--key', '0x12'],
      says: '--key must be 0x followed by 64 hex digits',
    },
    { argv: ['balances', '--account', 'nobody'], says: '--account must be an address' },
  ])('exits 2 on bad input: $says', async ({ argv, says }) => {
    const key = argv.includes('--key') ? [] : ['--key', trader(0).key]
    const { code, err } = await run([...argv, ...key, '--manifest', manifestPath])
    expect(code).toBe(2)
    expect(err).toContain(says)
  })

  it('stops every chain on SIGTERM and exits 0', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    for (const c of manifest.chains) expect(await answers(c.rpcUrl)).toBe(false)
  })

  it('exits 2 on a chain count it cannot run', async () => {
    const { code, err } = await run(['devnet', '--chains', '9'])
    expect(code).toBe(2)
    expect(err).toContain('--chains must be a whole number in [2, 5]')
  })
})
