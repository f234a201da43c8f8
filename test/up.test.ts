/** `npm start` (xmargin up): the whole local stack as one process, and a deposit that crosses it. */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { trader } from './helpers/devnet-fixture.ts'
import { BIN, runCli } from './helpers/run-cli.ts'

interface Where {
  manifest: string
  chains: { name: string; rpcUrl: string }[]
  guardian: string
  relayer: string
  api: string
}

let child: ChildProcess
let where: Where
let dir: string

/** `xmargin up` on the test's data directory, and where it says each part is. */
async function up(extra: string[] = []): Promise<{ child: ChildProcess; where: Where }> {
  const manifest = join(dir, 'devnet.json')
  const ports = [
    '--port',
    '0',
    '--guardian-port',
    '0',
    '--relayer-port',
    '0',
    '--api-port',
    '0',
    '--venue-port',
    '0',
  ]
  const data = ['--data', join(dir, 'data'), ...extra]
  const proc = spawn(
    process.execPath,
    [BIN, 'up', ...ports, '--manifest', manifest, ...data, '--json'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, LOG_LEVEL: 'warn' },
    },
  )
  const found = await new Promise<Where>((resolve, reject) => {
    let out = ''
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n').find((l) => l.startsWith('{"manifest"'))
      if (line) resolve(JSON.parse(line) as Where)
    })
    proc.once('exit', (code) => reject(new Error(`up exited with ${code}`)))
  })
  return { child: proc, where: found }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xmargin-up-'))
  ;({ child, where } = await up())
}, 90_000)

afterAll(() => {
  if (child.exitCode === null) child.kill('SIGKILL')
})

describe('xmargin up', () => {
  it('serves the margin API, the guardian and the relayer', async () => {
    expect(await (await fetch(`${where.api}/health`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${where.guardian}/health`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${where.relayer}/metrics`)).text()).toContain(
      'xmargin_relayer_queue_depth',
    )
  })

  it('a deposit on a spoke shows up in the hub ledger', async () => {
    const t = trader(2)
    const flags = ['--manifest', where.manifest, '--key', t.key]
    expect(
      (
        await runCli([
          'deposit',
          ...flags,
          '--chain',
          'base',
          '--token',
          'WBTC',
          '--amount',
          '0.25',
          '--mint',
        ])
      ).code,
    ).toBe(0)
    const deadline = Date.now() + 30_000
    let row: Record<string, string> | undefined
    while (Date.now() < deadline) {
      const { out } = await runCli(['balances', ...flags, '--json'])
      row = (JSON.parse(out).balances as Record<string, string>[]).find(
        (r) => r['chain'] === 'base' && r['token'] === 'WBTC',
      )
      if (row?.['hubLedger'] === '0.25') break
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(row).toMatchObject({ vault: '0.25', hubLedger: '0.25' })
  })

  it('a trader orders through a spoke venue, and the operator moves a price', async () => {
    const t = trader(2)
    const api = ['--api', where.api, '--key', t.key]
    // The WBTC of the test before: 0.25 * 90,000 * 0.95 of collateral once credited.
    const deadline = Date.now() + 30_000
    for (;;) {
      const { out } = await runCli(['account', ...api, '--json'])
      if (JSON.parse(out).collateral?.length > 0) break
      if (Date.now() > deadline) throw new Error('the deposit was never credited')
      await new Promise((r) => setTimeout(r, 200))
    }
    const order = await runCli([
      'order',
      ...api,
      '--venue',
      'base',
      '--perp',
      'ETH',
      '--side',
      'buy',
      '--size',
      '2',
      '--json',
    ])
    expect(order.code, order.err).toBe(0)
    const fill = JSON.parse(order.out)
    expect(fill.fill).toMatchObject({
      venue: 'base',
      chain: 'base',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: '200000000',
    })
    const moved = await runCli([
      'price',
      '--api',
      where.api,
      '--data',
      join(dir, 'data'),
      '--underlying',
      'ETH',
      '--move',
      '-0.1',
      '--json',
    ])
    expect(moved.code, moved.err).toBe(0)
    const set = JSON.parse(moved.out)
    expect(set.price).toBeCloseTo(set.previous * 0.9, 6)
    const { out } = await runCli(['account', ...api, '--json'])
    expect(JSON.parse(out).positions).toEqual([
      expect.objectContaining({ chain: 'base', instrument: 'ETH-PERP', quantity: '2' }),
    ])
  })

  it('stops everything on SIGINT', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    for (const url of [
      where.api,
      where.guardian,
      where.relayer,
      ...where.chains.map((c) => c.rpcUrl),
    ]) {
      await expect(fetch(url, { signal: AbortSignal.timeout(1000) })).rejects.toThrow()
    }
  })

  it('resumes the same world on the same data directory, and starts anew with --fresh', async () => {
    const t = trader(2)
    const wbtc = async (w: Where) => {
      const { out } = await runCli(['balances', '--manifest', w.manifest, '--key', t.key, '--json'])
      return (JSON.parse(out).balances as Record<string, string>[]).find(
        (r) => r['chain'] === 'base' && r['token'] === 'WBTC',
      )?.['vault']
    }
    let again = await up()
    try {
      expect(await wbtc(again.where)).toBe('0.25')
    } finally {
      again.child.kill('SIGINT')
      await new Promise((r) => again.child.once('exit', r))
    }
    again = await up(['--fresh'])
    try {
      expect(await wbtc(again.where)).toBe('0')
    } finally {
      again.child.kill('SIGINT')
      await new Promise((r) => again.child.once('exit', r))
    }
  }, 120_000)
})
