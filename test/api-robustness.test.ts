/**
 * Issue 12's reported cases, as named regressions against the real server
 * (worker pool, TCP): the 1e12 hang, a 1 MiB body of 10,000 positions, 1,000
 * concurrent requests with /health still answering, the pool's 503 and 504,
 * the rate limit's 429, and SIGTERM mid-computation. Deadlines here catch
 * hangs; they are generous, and no speed target is asserted.
 */
import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApiErrorBody } from '../aggregator/api/errors.ts'
import { type RunningServer, startServer } from '../aggregator/api/server.ts'
import { silentLogger } from '../aggregator/log.ts'
import { readDocuments, SPEC_EXAMPLE_DIR } from './helpers/documents.ts'
import { heavyBody, hugeHedgeBody } from './helpers/heavy-portfolio.ts'
import { BIN } from './helpers/run-cli.ts'

const spec = readDocuments(SPEC_EXAMPLE_DIR)
const specBody = JSON.stringify({
  market: spec.market,
  params: spec.params,
  portfolio: spec.portfolio,
})

function post(server: RunningServer, body: string): Promise<Response> {
  return fetch(`${server.url}/v1/margin`, { method: 'POST', body })
}

describe('the default server', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1', logger: silentLogger })
  })
  afterAll(() => server.close())

  it('answers 1e12 WETH against a short perp of 1e12 (it once never answered)', async () => {
    const res = await post(server, hugeHedgeBody())
    expect(res.status).toBe(200)
    const report = (await res.json()) as { withdrawable: { resolution: number }[] }
    expect(report.withdrawable[0]!.resolution).toBe(1e-3)
  })

  it('refuses a 1 MiB body of 10,000 positions, naming portfolio.positions', async () => {
    const position = (spec.portfolio['positions'] as unknown[])[0]
    const body = JSON.stringify({
      market: spec.market,
      params: spec.params,
      portfolio: { ...spec.portfolio, positions: Array(10_000).fill(position) },
    })
    expect(body.length).toBeGreaterThan(900_000)
    expect(body.length).toBeLessThanOrEqual(1024 * 1024)
    const res = await post(server, body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as ApiErrorBody).error).toMatchObject({
      code: 'too_many',
      field: 'portfolio.positions',
    })
  })

  it('keeps /health answering under 1,000 concurrent margin requests, none a 500', async () => {
    const heavy = heavyBody(128, 16)
    const requests = Array.from({ length: 1000 }, (_, i) =>
      post(server, i % 10 === 0 ? heavy : specBody).then(async (res) => {
        await res.arrayBuffer()
        return { status: res.status, retryAfter: res.headers.get('retry-after') }
      }),
    )
    await new Promise((r) => setTimeout(r, 100))
    const health = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(1000) })
    expect(health.status).toBe(200)
    const answers = await Promise.all(requests)
    for (const a of answers) expect([200, 503, 504]).toContain(a.status)
    expect(answers.some((a) => a.status === 200)).toBe(true)
    for (const a of answers.filter((x) => x.status === 503)) {
      expect(Number(a.retryAfter)).toBeGreaterThanOrEqual(1)
    }
  })
})

describe('a server sized small', () => {
  it.each([
    {
      name: '504 past the deadline',
      margin: { threads: 1, deadlineMs: 1 },
      count: 1,
      expected: 504,
      code: 'deadline_exceeded',
    },
    {
      name: '503 with Retry-After when the queue is full',
      margin: { threads: 1, maxQueue: 1, deadlineMs: 60_000 },
      count: 8,
      expected: 503,
      code: 'overloaded',
    },
  ])('$name', async ({ margin, count, expected, code }) => {
    const server = await startServer({ port: 0, host: '127.0.0.1', logger: silentLogger, margin })
    try {
      const answers = await Promise.all(
        Array.from({ length: count }, () =>
          post(server, heavyBody(64, 16)).then(async (res) => ({
            status: res.status,
            retryAfter: res.headers.get('retry-after'),
            body: (await res.json()) as ApiErrorBody,
          })),
        ),
      )
      const refused = answers.find((a) => a.status === expected)
      expect(refused?.body.error.code).toBe(code)
      if (expected === 503) expect(Number(refused?.retryAfter)).toBeGreaterThanOrEqual(1)
      // The pool replaces a worker it terminated: the next request is answered.
      expect((await post(server, specBody)).status).toBe(expected === 504 ? 504 : 200)
    } finally {
      await server.close()
    }
  })

  it('429 with Retry-After past the per-client rate limit; /health is not limited', async () => {
    const server = await startServer({
      port: 0,
      host: '127.0.0.1',
      logger: silentLogger,
      rateLimit: { limit: 3, windowMs: 60_000 },
    })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 4; i++) statuses.push((await post(server, specBody)).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      const res = await post(server, specBody)
      expect(res.status).toBe(429)
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await res.json()) as ApiErrorBody).error.code).toBe('rate_limited')
      expect((await fetch(`${server.url}/health`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})

describe('xmargin serve', () => {
  it('stops on SIGTERM mid-computation, promptly', async () => {
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--port', '0', '--max-collateral', '5000', '--deadline-ms', '600000'],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' } },
    )
    const url = await new Promise<string>((resolve, reject) => {
      let err = ''
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString()
        const found = /on (http:\/\/\S+)/.exec(err)
        if (found) resolve(found[1]!)
      })
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
    })
    // Seconds of work per request: both workers busy when the signal comes.
    const busy = [0, 1].map(() =>
      fetch(`${url}/v1/margin`, { method: 'POST', body: heavyBody(32, 3000) }).catch(() => null),
    )
    await new Promise((r) => setTimeout(r, 500))
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    const signalled = performance.now()
    child.kill('SIGTERM')
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), 5000)),
    ])
    const ms = performance.now() - signalled
    if (code === 'hung') child.kill('SIGKILL')
    expect(code).toBe(0)
    console.info(`serve stopped ${Math.round(ms)} ms after SIGTERM`)
    await Promise.all(busy)
  })
})
