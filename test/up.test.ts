/**
 * `npm start` (xmargin up): the whole local stack as one process, a deposit
 * that crosses it, a trade, and a proof of the account from the service that
 * every chain's registry accepts until its epoch is too old (E8).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Hex, pad, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chainClients, sendTransaction } from '../aggregator/chain/clients.ts'
import type { DevnetManifest } from '../aggregator/devnet/manifest.ts'
import { SolvencyRegistry } from '../build/contracts/artifacts.ts'
import { poseidonHasher } from '../circuits/poseidon.ts'
import { type ProofFile, solidityCall } from '../circuits/proof-file.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from './helpers/circuits.ts'
import { trader } from './helpers/devnet-fixture.ts'
import { BIN, runCli, UP_ON_ANY_PORTS } from './helpers/run-cli.ts'

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
  // epochs only when the test asks (POST /v1/admin/epochs), so none supersedes its proof
  const data = ['--data', join(dir, 'data'), '--epoch-seconds', '0', ...extra]
  const proc = spawn(
    process.execPath,
    [BIN, 'up', ...UP_ON_ANY_PORTS, '--manifest', manifest, ...data, '--json'],
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

  it(
    'the account, with positions on two chains, gets a proof from the service that every registry accepts, until its epoch is too old',
    async () => {
      await circuitsReady()
      const t = trader(2)
      const api = ['--api', where.api, '--key', t.key]
      const second = await runCli([
        'order',
        ...api,
        ...['--venue', 'arbitrum', '--perp', 'ETH', '--side', 'buy', '--size', '1', '--json'],
      ])
      expect(second.code, second.err).toBe(0)
      const token = readFileSync(join(dir, 'data', 'operator-token'), 'utf8').trim()
      const committed = await fetch(`${where.api}/v1/admin/epochs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(committed.status).toBe(200)
      const epoch = BigInt(((await committed.json()) as { number: number }).number)
      const manifest = JSON.parse(readFileSync(where.manifest, 'utf8')) as DevnetManifest
      const registries = manifest.chains.map((c) => ({
        name: c.name,
        address: c.contracts.registry,
        clients: chainClients(c.rpcUrl, c.evmChainId, t.key, c.name),
      }))
      const read = <T>(r: (typeof registries)[number], functionName: string, args: unknown[]) =>
        r.clients.public.readContract({
          address: r.address,
          abi: SolvencyRegistry.abi,
          functionName: functionName as never,
          args: args as never,
        }) as Promise<T>
      // The relayer carries the epoch's roots and the account's index to every registry.
      const hash = await poseidonHasher()
      const id: Hex = pad(toHex(hash([BigInt(t.address)])), { size: 32 })
      for (const r of registries) {
        const deadline = Date.now() + 60_000
        while (
          (await read<bigint>(r, 'latestEpoch', [])) < epoch ||
          !(await read<[boolean, bigint]>(r, 'leafIndexOf', [id]))[0]
        ) {
          if (Date.now() > deadline) throw new Error(`${r.name} never received epoch ${epoch}`)
          await new Promise((resolve) => setTimeout(resolve, 250))
        }
      }
      const out = join(dir, 'proof.json')
      const proved = await runCli([
        'proof',
        ...api,
        ...['--chain', 'arbitrum', '--out', out, '--timeout', '240', '--json'],
      ])
      expect(proved.code, proved.err).toBe(0)
      expect((await runCli(['verify', out])).code).toBe(0)
      const file = JSON.parse(readFileSync(out, 'utf8')) as ProofFile
      expect(BigInt(file.statement.epoch)).toBe(epoch)
      expect(BigInt(file.publicSignals[5]!)).toBe(BigInt(id))
      for (const r of registries) {
        // posted by the service's prover on arbitrum; by anyone, here, on the others
        if (r.name !== 'arbitrum')
          await sendTransaction(r.clients, {
            address: r.address,
            abi: SolvencyRegistry.abi,
            functionName: 'verifySolvency',
            args: solidityCall(file.proof, file.publicSignals),
          })
        expect(await read<boolean>(r, 'isSolvent', [id, epoch]), r.name).toBe(true)
      }
      // the trader's audit: the opened leaf and the published table against the hub's roots
      const audit = await runCli(['audit', ...api, '--manifest', where.manifest, '--json'])
      expect(audit.code, audit.err).toBe(0)
      expect(JSON.parse(audit.out).epochs).toEqual([
        expect.objectContaining({ epoch: Number(epoch), status: 'ok', differences: [] }),
      ])
      // an hour later (the registries' maximum epoch age) with no newer proof: stale everywhere
      for (const r of registries) {
        await r.clients.public.request({
          method: 'evm_increaseTime' as never,
          params: [3_601] as never,
        })
        await r.clients.public.request({ method: 'evm_mine' as never, params: [] as never })
        expect(await read<boolean>(r, 'isSolvent', [id, epoch]), r.name).toBe(false)
      }
    },
    CIRCUIT_WAIT_MS + 300_000,
  )

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
