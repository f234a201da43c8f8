/**
 * Proofs on demand, for real: a proof asked for over the API (and with
 * `xmargin proof --wait --out`) is proved by a worker and verifies; the
 * refusals (unknown chain, not in the tree, unknown id). On PostgreSQL
 * (XMARGIN_TEST_DATABASE_URL): a prover process killed mid-proof loses no job
 * (another takes it once the attempt expires, and it is done once), and two
 * prover processes on one database prove each of 6 jobs exactly once.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import type { Address } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../aggregator/api/app.ts'
import { InlineMargin } from '../aggregator/api/margin-engine.ts'
import { listen } from '../aggregator/api/server.ts'
import { MemoryNonces } from '../aggregator/auth/memory-nonces.ts'
import { xmarginDomain } from '../aggregator/auth/typed-data.ts'
import {
  type ProofInputs,
  type ProofJobView,
  ProofQueue,
  ProofService,
  ProofWorker,
} from '../aggregator/proofs/index.ts'
import { prepareAccountProof } from '../circuits/account-proof.ts'
import { releaseProver, verify } from '../circuits/prover.ts'
import type { CircuitInput } from '../circuits/witness.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from './helpers/circuits.ts'
import { freshPostgres, SERVER_URL } from './helpers/databases.ts'
import { specInputs } from './helpers/proofs.ts'
import { BIN, runCli } from './helpers/run-cli.ts'
import { signEnvelope } from './helpers/sign-envelope.ts'
import { until } from './helpers/until.ts'

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9c71dc0871c9b3c8ee1bdb0c3a1fd4' as const
const trader = privateKeyToAccount(KEY)
const STRANGER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804270ab365' as const
const stranger = privateKeyToAccount(STRANGER_KEY)
const domain = xmarginDomain(31337, '0x5fbdb2315678afecb367f093f07e3c8b2d3a4c1b')
const EPOCH = 7n

/** The trader in a one-account tree at EPOCH (the epochs capability's part, for now). */
async function inputOf(account: Address, epoch = EPOCH): Promise<CircuitInput> {
  const prepared = await prepareAccountProof({
    inputs: specInputs(),
    accountId: BigInt(account),
    salt: 17n,
    epoch,
  })
  return prepared.input
}
const oneAccount = (input: CircuitInput): ProofInputs => ({
  inputFor: async (account) =>
    account === trader.address
      ? { epoch: EPOCH, input }
      : { refused: 'not_indexed', message: `${account} is not in epoch ${EPOCH}` },
})

const now = () => BigInt(Math.floor(Date.now() / 1000))
let nonce = 1n
const proofRequest = (by = trader, chain = '', account: Address = by.address) =>
  signEnvelope(
    domain,
    'ProofRequest',
    { account, chain, nonce: String(nonce++), expiry: Number(now() + 60n) },
    by,
  )

const signing = {
  domain,
  authority: { delegation: () => undefined, isKnown: () => false },
  nonces: new MemoryNonces(),
  now,
}

async function verifies(job: ProofJobView): Promise<boolean> {
  return verify(job.proof!.proof, job.proof!.publicSignals)
}

// needs the circuit's build: wait for it (test/helpers/circuits.ts)
beforeAll(() => circuitsReady(), CIRCUIT_WAIT_MS)
afterAll(releaseProver)

describe('proofs on demand over the API (PGlite)', () => {
  const stops: (() => Promise<void>)[] = []
  let app: ReturnType<typeof createApp>
  let queue: ProofQueue
  let url: string
  beforeAll(async () => {
    const { openDatabase } = await import('../relayer/store/database.ts')
    const db = await openDatabase('memory')
    stops.push(() => db.close())
    queue = await ProofQueue.open(db)
    stops.push(() => queue.stop())
    const proofs = new ProofService({
      queue,
      inputs: oneAccount(await inputOf(trader.address)),
      chains: () => ['ethereum', 'arbitrum'],
    })
    const worker = new ProofWorker({ queue, pollMs: 100 }).start()
    stops.push(() => worker.stop())
    app = createApp({
      logger: pino({ level: 'silent' }),
      margin: new InlineMargin(),
      proofs: { proofs, signing },
      // the signing block of /v1/status, which the CLI's client reads; no account routes are called
      accounts: {
        accounts: { directory: { describe: () => [] } } as never,
        signing,
      },
    })
    const server = await listen(app.fetch, 0, '127.0.0.1')
    stops.push(() => new Promise<void>((r) => server.server.close(() => r())))
    url = `http://127.0.0.1:${server.port}`
  }, 60_000)
  afterAll(async () => {
    for (const s of stops.reverse()) await s()
  })

  const post = async (body: unknown) => {
    const res = await app.request('/v1/proofs', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: (await res.json()) as Record<string, unknown> }
  }
  const get = async (id: string) => {
    const res = await app.request(`/v1/proofs/${id}`)
    return { status: res.status, body: (await res.json()) as ProofJobView & { error?: never } }
  }

  it('queues a signed request (202), proves it, and the proof verifies', async () => {
    const started = performance.now()
    const asked = await post(await proofRequest())
    expect(asked.status).toBe(202)
    expect(asked.body).toMatchObject({ state: 'queued', epoch: '7', chain: '' })
    const id = asked.body['id'] as string
    const seen = new Set<string>()
    const job = await until(
      'the proof job to end',
      async () => (await get(id)).body,
      (j) => {
        seen.add(j.state)
        return j.state === 'done' || j.state === 'failed'
      },
      180_000,
    )
    const latencyMs = performance.now() - started
    console.log(
      `proof job latency (request to done, PGlite, one worker): ${Math.round(latencyMs)} ms`,
    )
    expect(job, job.error).toMatchObject({ state: 'done', account: trader.address, attempts: 1 })
    expect(seen.has('proving')).toBe(true)
    expect(job.proof!.statement).toMatchObject({ coversMaintenance: true, epoch: '7' })
    expect(await verifies(job)).toBe(true)
  }, 180_000)

  it('xmargin proof --wait --out writes a proof file that xmargin verify accepts', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'xmargin-proof-')), 'proof.json')
    const r = await runCli(['proof', '--wait', '--out', out, '--api', url, '--key', KEY])
    expect(r, r.err).toMatchObject({ code: 0 })
    expect(r.out).toContain('solvent, covers initial margin in epoch 7')
    expect(r.err).toMatch(/proving|done/)
    expect(JSON.parse(readFileSync(out, 'utf8')).statement.epoch).toBe('7')
    const v = await runCli(['verify', out])
    expect(v, v.err).toMatchObject({ code: 0 })
  }, 180_000)

  it('refuses: an unknown chain (400, message.chain), an account not in the tree (409), a bad signature (401)', async () => {
    const chain = await post(await proofRequest(trader, 'solana'))
    expect(chain).toMatchObject({ status: 400, body: { error: { field: 'message.chain' } } })
    const outside = await post(await proofRequest(stranger))
    expect(outside).toMatchObject({ status: 409, body: { error: { code: 'not_indexed' } } })
    const forged = await post({ ...(await proofRequest()), signer: stranger.address })
    expect(forged.status).toBe(401)
    const missing = await post({ message: {}, signer: trader.address, signature: '0x' })
    expect(missing).toMatchObject({ status: 400, body: { error: { field: 'message.account' } } })
    const r = await runCli(['proof', '--api', url, '--key', STRANGER_KEY])
    expect(r.code).toBe(1)
    expect(r.err).toContain('not_indexed')
    const badChain = await runCli(['proof', '--chain', 'solana', '--api', url, '--key', KEY])
    expect(badChain.code, badChain.err).toBe(2)
  })

  it('answers 404 for an id it never gave', async () => {
    expect((await get('00000000-0000-4000-8000-000000000000')).status).toBe(404)
    expect((await get('not-an-id')).status).toBe(404)
  })
})

/** `xmargin prover` as a child process against `database`; its stderr lines, as they come. */
function proverProcess(database: string): { child: ChildProcess; lines: string[] } {
  const child = spawn(process.execPath, [BIN, 'prover', '--database', database], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'silent' },
  })
  const lines: string[] = []
  let partial = ''
  child.stderr!.on('data', (d: Buffer) => {
    const text = partial + d.toString()
    const parts = text.split('\n')
    partial = parts.pop()!
    lines.push(...parts)
  })
  return { child, lines }
}

const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((r) => child.once('exit', () => r()))

describe.skipIf(!SERVER_URL)('prover processes on one PostgreSQL', () => {
  let database: { url: string; drop: () => Promise<void> }
  let queue: ProofQueue
  const children: ChildProcess[] = []
  beforeAll(async () => {
    database = await freshPostgres()
    // the service's side: jobs expire 45 s after a worker took them (a proof takes seconds)
    queue = await ProofQueue.open(database.url, {
      expireInSeconds: 45,
      maintenanceIntervalSeconds: 1,
    })
  })
  afterAll(async () => {
    for (const c of children) {
      c.kill('SIGKILL')
      await exited(c)
    }
    await queue?.stop()
    await database?.drop()
  })
  const start = () => {
    const p = proverProcess(database.url)
    children.push(p.child)
    return p
  }
  const input = () => inputOf(trader.address)
  const send = async (epoch = EPOCH) =>
    queue.send({
      account: trader.address,
      epoch: epoch.toString(),
      chain: null,
      input: await inputOf(trader.address, epoch),
    })

  it('a worker killed mid-proof loses no job: another takes it and it is done once', async () => {
    await input()
    const first = start()
    const id = await send()
    await until(
      'the first worker to take the job',
      async () => (await queue.get(id))?.state,
      (s) => s === 'proving',
      180_000,
    )
    first.child.kill('SIGKILL')
    await exited(first.child)
    expect(first.lines.some((l) => l.includes(`proof ${id}: proving (attempt 1)`))).toBe(true)
    expect(first.lines.some((l) => l.includes(`proof ${id}: done`))).toBe(false)
    const second = start()
    const job = await until(
      'the job to be retried and done',
      async () => (await queue.get(id))!,
      (j) => j.state === 'done' || j.state === 'failed',
      240_000,
    )
    expect(job, job.error).toMatchObject({ state: 'done', attempts: 2 })
    expect(await verifies(job)).toBe(true)
    expect(second.lines.filter((l) => l.startsWith(`proof ${id}: done`))).toHaveLength(1)
    second.child.kill('SIGTERM')
    await exited(second.child)
  }, 480_000)

  it('two workers prove each of 6 jobs exactly once', async () => {
    const workers = [start(), start()]
    for (const w of workers)
      await until(
        'the prover to load the key',
        async () => w.lines.join('\n'),
        (t) => t.includes('prover: taking proof jobs'),
        180_000,
      )
    const ids = await Promise.all([1n, 2n, 3n, 4n, 5n, 6n].map((e) => send(100n + e)))
    const started = performance.now()
    const jobs = await until(
      'all 6 jobs to end',
      () => Promise.all(ids.map(async (id) => (await queue.get(id))!)),
      (js) => js.every((j) => j.state === 'done' || j.state === 'failed'),
      480_000,
    )
    console.log(`6 proof jobs on 2 prover processes: ${Math.round(performance.now() - started)} ms`)
    for (const job of jobs) {
      expect(job, job.error).toMatchObject({ state: 'done', attempts: 1 })
      expect(job.proof!.statement.epoch).toBe(String(Number(job.epoch)))
    }
    // who proved what: each job taken once, over both workers
    const taken = workers.flatMap((w) =>
      w.lines.filter((l) => /: proving \(attempt/.test(l)).map((l) => l.split(':')[0]!.slice(6)),
    )
    expect(taken.sort()).toEqual([...ids].sort())
    for (const w of workers) w.child.kill('SIGTERM')
    await Promise.all(workers.map((w) => exited(w.child)))
  }, 600_000)
})
