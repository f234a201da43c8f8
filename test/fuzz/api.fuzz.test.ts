/**
 * Fuzz of POST /v1/margin, driven with `app.request()` against createApp
 * on the real MarginPool (one worker thread). The pool's per-request
 * deadline (5 s, where a case takes milliseconds) is the hang detector
 * here: a hang answers 504, which fails the case; a race against a longer
 * backstop catches a hang outside the pool. Valid documents answer 200 with
 * what the engine reports, broken ones 400 with { error: { code, message,
 * field } } naming the field, documents past float64 200 or 422; never a
 * 500, 503 or 504.
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../../aggregator/api/app.ts'
import { MarginPool } from '../../aggregator/api/margin-pool.ts'
import { silentLogger } from '../../aggregator/log.ts'
import { jsonText } from '../helpers/documents.ts'
import { type Docs, EDGE, MODERATE, OVERFLOW, validDocs } from './arbitraries.ts'
import { engineOutcome } from './checks.ts'
import { fuzz, texts } from './fuzz.ts'
import { DeadlineHost } from './harness/deadline.ts'
import { MUTATION, MUTATIONS } from './mutations.ts'
import { largestAdmitted, NAMED, tenThousandPositions } from './regressions.ts'

const pool = new MarginPool({ threads: 1, deadlineMs: 5_000 })
const app = createApp({
  logger: silentLogger,
  margin: pool,
  rateLimit: { limit: 1_000_000, windowMs: 60_000 },
  clientKey: () => 'fuzz',
})
const host = new DeadlineHost()
afterAll(async () => {
  host.close()
  await pool.close()
})

const BACKSTOP_MS = 30_000

async function post(
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  let timer: NodeJS.Timeout | undefined
  const backstop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${BACKSTOP_MS} ms: a hang`)),
      BACKSTOP_MS,
    )
  })
  try {
    const res = await Promise.race([
      app.request('/v1/margin', { method: 'POST', body, headers }),
      backstop,
    ])
    const text = await res.text()
    return { status: res.status, text, json: () => JSON.parse(text) }
  } finally {
    clearTimeout(timer)
  }
}

const bodyOf = (docs: Docs) =>
  jsonText({ market: docs.market, params: docs.params, portfolio: docs.portfolio })

/** 400 in the one error shape; with `expected`, naming that field and rule. */
function expectBadRequest(
  r: Awaited<ReturnType<typeof post>>,
  expected?: { field: string; rule: string },
) {
  expect(r.status, r.text).toBe(400)
  const { error } = r.json()
  expect(Object.keys(r.json())).toEqual(['error'])
  expect(typeof error.code).toBe('string')
  expect(typeof error.message).toBe('string')
  expect(typeof error.field).toBe('string')
  expect(error.message).toContain(error.field)
  if (expected) expect({ field: error.field, rule: error.code }).toEqual(expected)
}

describe('API fuzz: POST /v1/margin', () => {
  it.each([
    { profile: MODERATE, runs: 20 },
    { profile: EDGE, runs: 30 },
  ])('valid $profile.name documents: 200 with the engine report', async ({ profile, runs }) => {
    await fuzz(
      `api valid ${profile.name}`,
      validDocs(profile),
      async (docs) => {
        const r = await post(bodyOf(docs))
        const engine = engineOutcome(await host.run({ kind: 'engine', texts: texts(docs) }))
        if (engine.kind !== 'report') expect.fail(`the engine refused: ${engine.error.message}`)
        expect(r.status, r.text).toBe(200)
        expect(r.json()).toEqual(JSON.parse(JSON.stringify(engine.report)))
      },
      runs,
    )
  })

  it('documents past float64: 200 or 422, never 500', async () => {
    await fuzz(
      'api overflow',
      validDocs(OVERFLOW),
      async (docs) => {
        const r = await post(bodyOf(docs))
        expect([200, 422], r.text).toContain(r.status)
        if (r.status === 422) expect(r.json().error.code).toBe('computation_failed')
      },
      20,
    )
  })

  it('one broken rule: 400 naming its field and rule', async () => {
    await fuzz(
      'api one rule',
      fc.tuple(validDocs(EDGE, { full: true }), fc.constantFrom(...MUTATIONS), fc.nat()),
      async ([docs, mutation, choice]) => {
        const broken = structuredClone(docs)
        const expected = mutation.apply(broken, choice)
        expectBadRequest(await post(bodyOf(broken)), expected)
      },
      60,
    )
  })

  it('several broken rules: 400', async () => {
    await fuzz(
      'api several rules',
      fc.tuple(
        validDocs(EDGE, { full: true }),
        fc.array(fc.tuple(MUTATION, fc.nat()), { minLength: 2, maxLength: 5 }),
      ),
      async ([docs, mutations]) => {
        const broken = structuredClone(docs)
        for (const [m, choice] of mutations) {
          try {
            m.apply(broken, choice)
          } catch {
            // nothing left for this one to break
          }
        }
        expectBadRequest(await post(bodyOf(broken)))
      },
      30,
    )
  })

  it('any body: 200 or 400, never another status', async () => {
    await fuzz(
      'api any body',
      fc.tuple(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 300 }),
          fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
          fc
            .record({ market: fc.jsonValue(), params: fc.jsonValue(), portfolio: fc.jsonValue() })
            .map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
      ),
      async ([body, type]) => {
        const r = await post(body, type ? { 'content-type': type } : {})
        if (r.status !== 200) expectBadRequest(r)
      },
      60,
    )
  })

  it('a key given twice: 400 duplicate_key naming it', async () => {
    const docs = NAMED[2]!.docs
    const body = `{"market":${jsonText(docs.market)},"params":${jsonText(docs.params)},"portfolio":{"cash":0,"cash":1,"collateral":[],"positions":[]}}`
    expectBadRequest(await post(body), { field: 'portfolio.cash', rule: 'duplicate_key' })
    const top = `{"market":${jsonText(docs.market)},"market":{},"params":{},"portfolio":{}}`
    expectBadRequest(await post(top), { field: 'market', rule: 'duplicate_key' })
  })

  it.each([
    {
      name: 'nested 100,000 deep',
      body: `{"market":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      rule: 'too_deep',
    },
    { name: 'a 100,000-character key', body: `{"${'k'.repeat(100_000)}":1}`, rule: 'too_long' },
    { name: 'not an object', body: '[1,2,3]', rule: 'wrong_type' },
    { name: 'empty', body: '', rule: 'invalid_json' },
  ])('$name: 400 $rule', async ({ body, rule }) => {
    const r = await post(body)
    expectBadRequest(r)
    expect(r.json().error.code).toBe(rule)
  })

  it('a body over 1 MiB: 413', async () => {
    const r = await post(`{"pad":"${'x'.repeat(1024 * 1024)}"}`)
    expect(r.status).toBe(413)
  })

  it('10,000 positions: 400 naming portfolio.positions, or 413 past the body limit', async () => {
    const body = bodyOf(tenThousandPositions())
    const r = await post(body)
    if (body.length > 1024 * 1024) expect(r.status).toBe(413)
    else expectBadRequest(r, { field: 'portfolio.positions', rule: 'too_many' })
    // The same count in a compact body under the limit must be the 400.
    const compact = tenThousandPositions()
    compact.portfolio['positions'] = compact.portfolio['positions'].map((p: object) => ({
      ...p,
      chain: 'a',
    }))
    const small = bodyOf(compact)
    expect(small.length).toBeLessThanOrEqual(1024 * 1024)
    expectBadRequest(await post(small), { field: 'portfolio.positions', rule: 'too_many' })
  })

  it.each(NAMED.filter((c) => c.expect === 'report' && !c.name.startsWith('the largest')))(
    '$name: 200',
    async ({ docs }) => {
      const r = await post(bodyOf(docs))
      expect(r.status, r.text).toBe(200)
    },
  )
})

describe('API fuzz: the largest admitted request', () => {
  it('answers 200 on a pool with a deadline for it (it costs seconds)', async () => {
    const slow = new MarginPool({ threads: 1, deadlineMs: 60_000 })
    try {
      const big = createApp({ logger: silentLogger, margin: slow, clientKey: () => 'fuzz' })
      const res = await big.request('/v1/margin', {
        method: 'POST',
        body: bodyOf(largestAdmitted()),
        headers: { 'content-type': 'application/json' },
      })
      expect(res.status).toBe(200)
    } finally {
      await slow.close()
    }
  })
})
