/**
 * The accounts service on real anvil chains with the genuine Wormhole core,
 * the devnet guardian and the real relayer: deposits on two spokes make one
 * account (and the hub ledger follows); a withdrawal beyond withdrawable is
 * refused with the allowed amount, one within it is paid exactly once; and
 * the service SIGKILLed in the middle of a burst of 500 deposits, then
 * restarted, credits every deposit exactly once (on PGlite, and on
 * PostgreSQL where the CI provides one).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, type Hex, type LocalAccount, parseUnits, toHex } from 'viem'
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer } from '../aggregator/api/server.ts'
import { REQUEST_TYPES, type RequestType } from '../aggregator/auth/typed-data.ts'
import { publisher } from '../aggregator/bench/relay-bench.ts'
import { chainClients } from '../aggregator/chain/clients.ts'
import { startService } from '../aggregator/cli/start-service.ts'
import {
  DEVNET_DEPLOYER_KEY,
  DEVNET_RELAYER_KEY,
  DEVNET_TRADER_KEYS,
} from '../aggregator/devnet/chains.ts'
import { type Devnet, startDevnet } from '../aggregator/devnet/devnet.ts'
import { silentLogger } from '../aggregator/log.ts'
import { validateConfig } from '../relayer/config.ts'
import { startGuardianServer } from '../relayer/guardian-server.ts'
import { type RunningRelayer, startRelayer } from '../relayer/relayer.ts'
import { topologyFromManifest } from '../relayer/topology.ts'
import { BACKENDS, freshPostgres } from './helpers/databases.ts'
import { deposit, type Fixture } from './helpers/devnet-fixture.ts'
import { BIN } from './helpers/run-cli.ts'
import { signEnvelope } from './helpers/sign-envelope.ts'

let devnet: Devnet
let manifestPath: string
const stops: (() => Promise<void>)[] = []

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'xmargin-accounts-'))
  manifestPath = join(dir, 'devnet.json')
  devnet = await startDevnet({ chains: 3, basePort: 0, manifestPath, verifier: 'later' })
  stops.push(() => devnet.stop())
  const topology = topologyFromManifest(devnet.manifest)
  const guardian = await startGuardianServer(
    topology.chains.map((chain) => ({
      chain,
      client: chainClients(chain.rpcUrl, chain.evmChainId, DEVNET_DEPLOYER_KEY).public,
    })),
    0,
  )
  stops.unshift(() => guardian.close())
  const relayer: RunningRelayer = await startRelayer(
    validateConfig(
      {
        manifest: manifestPath,
        privateKey: DEVNET_RELAYER_KEY,
        database: 'memory',
        port: 0,
        source: { kind: 'wormholescan', baseUrl: guardian.url },
        pollIntervalMs: 50,
      },
      {},
    ),
    silentLogger,
  )
  stops.unshift(() => relayer.stop())
}, 120_000)

afterAll(async () => {
  for (const stop of stops) await stop()
})

const spokes = () => devnet.manifest.chains.filter((c) => c.role === 'spoke')
/** The fixture's deposit helper needs only clients per chain and key. */
const onChains = {
  clients: (chain: { rpcUrl: string; evmChainId: number; name: string }, key: Hex) =>
    chainClients(chain.rpcUrl, chain.evmChainId, key, chain.name),
} as unknown as Fixture

async function until<T>(read: () => Promise<T>, done: (t: T) => boolean, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((r) => setTimeout(r, 100))
  }
}

describe('one account across chains, on the real stack', () => {
  let api: string
  let signer: LocalAccount
  let domain: object
  let nonce = 100n

  beforeAll(async () => {
    const accounts = await startService(devnet.manifest, 'memory', silentLogger)
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      ...accounts.routes,
    })
    stops.unshift(
      () => accounts.stop(),
      () => server.close(),
    )
    api = server.url
    signer = privateKeyToAccount(DEVNET_TRADER_KEYS[2]!)
    domain = ((await (await fetch(`${api}/v1/status`)).json()) as { signing: { domain: object } })
      .signing.domain
  }, 60_000)

  const envelope = (type: RequestType, message: Record<string, unknown>) =>
    signEnvelope(domain, type, message, signer)

  async function view() {
    const auth = await envelope('ReadAccount', {
      account: signer.address,
      nonce: String(nonce++),
      expiry: Math.floor(Date.now() / 1000) + 60,
    })
    const res = await fetch(`${api}/v1/accounts/${signer.address}`, {
      headers: { 'x-xmargin-auth': Buffer.from(JSON.stringify(auth)).toString('base64url') },
    })
    return (await res.json()) as {
      collateral: {
        chain: string
        asset: string
        credited: string
        onHub: string | null
        token: Address
      }[]
      withdrawals: { id: string; status: string }[]
    }
  }

  it('deposits on two spokes make one account holding both; the hub ledger column follows', async () => {
    const [a, b] = spokes()
    await deposit(onChains, a!, DEVNET_TRADER_KEYS[2]! as Hex, 'USDC', parseUnits('2500', 6))
    await deposit(onChains, b!, DEVNET_TRADER_KEYS[2]! as Hex, 'WETH', parseUnits('1.5', 18))
    const v = await until(
      view,
      (v) => v.collateral.length === 2 && v.collateral.every((l) => l.onHub === l.credited),
    )
    expect(v.collateral.map((l) => [l.chain, l.asset, l.credited, l.onHub])).toEqual([
      [a!.name, 'USDC', '2500000000', '2500000000'],
      [b!.name, 'WETH', '1500000000000000000', '1500000000000000000'],
    ])
  })

  it('refuses a withdrawal beyond withdrawable with the allowed amount, and pays one within it exactly once', async () => {
    const a = spokes()[0]!
    const usdc = a.tokens.USDC.address
    const ask = async (amount: string) =>
      fetch(`${api}/v1/withdrawals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          await envelope('Withdraw', {
            account: signer.address,
            chain: a.wormholeChainId,
            token: usdc,
            amount,
            nonce: String(nonce++),
            expiry: Math.floor(Date.now() / 1000) + 60,
          }),
        ),
      })
    const over = await ask('2500000001')
    expect(over.status).toBe(422)
    expect(((await over.json()) as { error: { allowed: string } }).error.allowed).toBe('2500000000')
    const ok = await ask('1000000000')
    expect(ok.status).toBe(202)
    const { id } = (await ok.json()) as { id: string }
    const paid = await until(view, (v) => v.withdrawals.find((w) => w.id === id)?.status === 'paid')
    expect(paid.withdrawals.find((w) => w.id === id)?.status).toBe('paid')
    const line = await until(
      view,
      (v) => v.collateral.find((l) => l.chain === a.name)?.onHub === '1500000000',
    )
    expect(line.collateral.find((l) => l.chain === a.name)).toMatchObject({
      credited: '1500000000',
      onHub: '1500000000',
    })
    const vault = await chainClients(
      a.rpcUrl,
      a.evmChainId,
      DEVNET_DEPLOYER_KEY,
    ).public.readContract({
      address: a.contracts.vault,
      abi: [
        {
          type: 'function',
          name: 'balanceOf',
          stateMutability: 'view',
          inputs: [{ type: 'address' }, { type: 'address' }],
          outputs: [{ type: 'uint256' }],
        },
      ],
      functionName: 'balanceOf',
      args: [signer.address, usdc],
    })
    expect(vault).toBe(1_500_000_000n)
  })
})

/** An account's view through the API, signed by its key (a fresh nonce each read). */
async function signedView(
  api: string,
  key: Hex,
): Promise<{ collateral: { chain: string; credited: string }[] }> {
  const account = privateKeyToAccount(key)
  const { domain } = (
    (await (await fetch(`${api}/v1/status`)).json()) as { signing: { domain: object } }
  ).signing
  const expiry = Math.floor(Date.now() / 1000) + 60
  const nonce = BigInt(Date.now()) * 1000n + BigInt(Math.floor(Math.random() * 1000))
  const signature = await account.signTypedData({
    domain,
    types: REQUEST_TYPES,
    primaryType: 'ReadAccount',
    message: { account: account.address, nonce, expiry: BigInt(expiry) },
  } as never)
  const auth = {
    message: { account: account.address, nonce: String(nonce), expiry },
    signer: account.address,
    signature,
  }
  const res = await fetch(`${api}/v1/accounts/${account.address}`, {
    headers: { 'x-xmargin-auth': Buffer.from(JSON.stringify(auth)).toString('base64url') },
  })
  return (await res.json()) as { collateral: { chain: string; credited: string }[] }
}

/** `xmargin accounts` in a child process, and the API URL it prints once it serves. */
async function spawnService(database: string): Promise<{ child: ChildProcess; api: string }> {
  const child = spawn(
    process.execPath,
    [
      BIN,
      'accounts',
      '--manifest',
      manifestPath,
      '--database',
      database,
      '--port',
      '0',
      '--rate-limit',
      '0',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: '' },
    },
  )
  const api = await new Promise<string>((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const found = /accounts on (http:\/\/\S+)/.exec(err)
      if (found) resolve(found[1]!)
    })
    child.once('exit', (code) => reject(new Error(`accounts exited with ${code}: ${err}`)))
  })
  return { child, api }
}

const credited = (v: { collateral: { credited: string }[] }) =>
  v.collateral.reduce((sum, l) => sum + BigInt(l.credited), 0n)

/** Anvil's published development accounts (funded on every devnet chain): one pair per backend. */
const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'
const devKey = (index: number): Hex =>
  toHex(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: index }).getHdKey().privateKey!)

describe.each(BACKENDS.map(([name], i) => ({ backend: name, keys: [5 + 2 * i, 6 + 2 * i] })))(
  'SIGKILL mid-burst, on $backend',
  ({ backend, keys }) => {
    it('credits each of 500 deposits exactly once after a restart', async () => {
      let database: string
      let drop = async () => {}
      if (backend === 'postgres') {
        const pg = await freshPostgres()
        database = pg.url
        drop = pg.drop
      } else database = join(mkdtempSync(join(tmpdir(), 'xmargin-store-')), 'store')
      let service = await spawnService(database)
      const published = new Map<string, number>()
      const [a, b] = spokes()
      const jobs = [
        { chain: a!, key: devKey(keys[0]!), count: 250, perSecond: 100 },
        { chain: b!, key: devKey(keys[1]!), count: 250, perSecond: 100 },
      ]
      const publishers = jobs.map((job) => publisher(job, published))
      await Promise.all(publishers.map((p) => p.ready))
      for (const p of publishers) p.go(Date.now() + 100)
      try {
        // Killed while it is crediting: some of the burst in, most of it not yet.
        const partly = await until(
          () => signedView(service.api, jobs[0]!.key),
          (v) => credited(v) >= 50n,
          60_000,
        )
        expect(credited(partly)).toBeLessThan(250n)
        service.child.kill('SIGKILL')
        await new Promise((r) => service.child.once('exit', r))
        service = await spawnService(database)
        await Promise.all(publishers.map((p) => p.done))
        expect(published.size).toBe(500)
        for (const job of jobs) {
          const v = await until(
            () => signedView(service.api, job.key),
            (v) => credited(v) >= 250n,
            60_000,
          )
          // One base unit a deposit: 250 means each credited once, more would be a repeat.
          expect(credited(v)).toBe(250n)
        }
      } finally {
        service.child.kill('SIGTERM')
        await new Promise((r) => service.child.once('exit', r))
        await drop()
      }
    }, 180_000)
  },
)
