/**
 * `npm run bench:api`: POST /v1/margin throughput on realistic 16-position
 * portfolios at 64 concurrent clients against `xmargin serve` in its own
 * process, and the latency of /health probed meanwhile (the pool saturated).
 * The peer, measured in the same run: the bare engine on this thread over the
 * same bodies (parse, validate, report), so the ratio says what the pool and
 * HTTP cost and keep, whatever this machine's speed today.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { runMarginTask } from '../api/margin-task.ts'
import { DEFAULT_JSON_LIMITS } from '../risk/json-text.ts'
import { DEFAULT_INPUT_LIMITS } from '../risk/limits.ts'
import type { AssetQuote, Market, RiskParams } from '../risk/types.ts'
import { BENCH_SHAPE, syntheticBook } from './synthetic-book.ts'

export interface ApiBenchResult {
  readonly clients: number
  readonly threads: number
  readonly seconds: number
  readonly requests: number
  readonly requestsPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly refused: number
  readonly healthSamples: number
  readonly healthP50Ms: number
  readonly healthP99Ms: number
  /** The peer: reports per second of the bare engine on one thread, same bodies. */
  readonly engineOneThreadPerSecond: number
  /** requestsPerSecond / (engineOneThreadPerSecond x threads). */
  readonly poolEfficiency: number
}

const BIN = fileURLToPath(new URL('../cli/bin.js', import.meta.url))
const CLIENTS = 64
const WARMUP_MS = 2_000
const MEASURE_MS = 10_000
const HEALTH_EVERY_MS = 20

/** The bench book's first accounts as JSON request bodies (16 positions, 4 holdings each). */
export function requestBodies(count: number): string[] {
  const book = syntheticBook({ ...BENCH_SHAPE, accounts: count })
  const market = marketDocument(book.market)
  const params = paramsDocument(book.params)
  return book.portfolios.map((portfolio) => JSON.stringify({ market, params, portfolio }))
}

function marketDocument(m: Market): object {
  const asset = (a: AssetQuote) =>
    a.kind === 'fixed'
      ? { price: a.price, haircut: a.haircut }
      : { underlying: a.underlying, haircut: a.haircut }
  return {
    timestamp: m.timestamp,
    underlyings: Object.fromEntries(m.underlyings),
    assets: Object.fromEntries([...m.assets].map(([name, a]) => [name, asset(a)])),
  }
}

function paramsDocument(p: RiskParams): object {
  return { ...p, underlyings: Object.fromEntries(p.underlyings) }
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN
}

function engineRate(bodies: readonly string[]): number {
  const task = { limits: DEFAULT_INPUT_LIMITS, json: DEFAULT_JSON_LIMITS }
  for (const body of bodies) runMarginTask({ ...task, body })
  const started = performance.now()
  let done = 0
  while (performance.now() - started < 2_000) {
    const result = runMarginTask({ ...task, body: bodies[done % bodies.length]! })
    if (!result.ok) throw new Error(`bench body refused: ${result.error.message}`)
    done++
  }
  return done / ((performance.now() - started) / 1000)
}

function startServe(threads: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--port', '0', '--rate-limit', '0', '--threads', String(threads)],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
  )
  return new Promise((resolve, reject) => {
    let err = ''
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
      const found = /on (http:\/\/\S+)/.exec(err)
      if (found) resolve({ child, url: found[1]! })
    })
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
  })
}

async function timedFetch(
  url: string,
  init?: RequestInit,
): Promise<{ ms: number; status: number }> {
  const started = performance.now()
  const res = await fetch(url, init)
  await res.arrayBuffer()
  return { ms: performance.now() - started, status: res.status }
}

export async function runApiBench(log: (line: string) => void = () => {}): Promise<ApiBenchResult> {
  const bodies = requestBodies(32)
  log('measuring the bare engine (one thread)')
  const engineOneThreadPerSecond = engineRate(bodies)
  const threads = availableParallelism()
  const { child, url } = await startServe(threads)
  try {
    const latencies: number[] = []
    const health: number[] = []
    let refused = 0
    let measuring = false
    let running = true
    const client = async (id: number) => {
      for (let i = id; running; i += CLIENTS) {
        const r = await timedFetch(`${url}/v1/margin`, {
          method: 'POST',
          body: bodies[i % bodies.length]!,
        })
        if (!measuring) continue
        if (r.status === 200) latencies.push(r.ms)
        else refused++
      }
    }
    const probe = async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, HEALTH_EVERY_MS))
        const r = await timedFetch(`${url}/health`)
        if (measuring) health.push(r.ms)
      }
    }
    log(
      `${CLIENTS} clients against ${threads} worker threads: ${WARMUP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured`,
    )
    const work = [...Array.from({ length: CLIENTS }, (_, i) => client(i)), probe()]
    await new Promise((r) => setTimeout(r, WARMUP_MS))
    measuring = true
    const started = performance.now()
    await new Promise((r) => setTimeout(r, MEASURE_MS))
    measuring = false
    const seconds = (performance.now() - started) / 1000
    running = false
    await Promise.all(work)
    latencies.sort((a, b) => a - b)
    health.sort((a, b) => a - b)
    const requestsPerSecond = latencies.length / seconds
    const round = (x: number) => Math.round(x * 10) / 10
    return {
      clients: CLIENTS,
      threads,
      seconds: round(seconds),
      requests: latencies.length,
      requestsPerSecond: round(requestsPerSecond),
      p50Ms: round(percentile(latencies, 0.5)),
      p99Ms: round(percentile(latencies, 0.99)),
      refused,
      healthSamples: health.length,
      healthP50Ms: round(percentile(health, 0.5)),
      healthP99Ms: round(percentile(health, 0.99)),
      engineOneThreadPerSecond: round(engineOneThreadPerSecond),
      poolEfficiency:
        Math.round((requestsPerSecond / (engineOneThreadPerSecond * threads)) * 100) / 100,
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((r) => child.once('exit', r))
  }
}
