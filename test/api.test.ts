/** The HTTP API: POST /v1/margin, its errors as { error: { code, message, field } }, limits and health. */
import { describe, expect, it } from 'vitest'
import { createApp } from '../aggregator/api/app.ts'
import type { ApiErrorBody } from '../aggregator/api/errors.ts'
import { InlineMargin } from '../aggregator/api/margin-engine.ts'
import { startServer } from '../aggregator/api/server.ts'
import { main } from '../aggregator/cli/main.ts'
import { silentLogger } from '../aggregator/log.ts'
import { jsonText, readDocuments, SPEC_EXAMPLE_DIR } from './helpers/documents.ts'
import { INVALID_CASES } from './helpers/invalid-inputs.ts'

const app = createApp({ logger: silentLogger, margin: new InlineMargin(), maxBodyBytes: 64 * 1024 })
const spec = readDocuments(SPEC_EXAMPLE_DIR)

function post(
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return app.request('/v1/margin', { method: 'POST', body, headers })
}

describe('POST /v1/margin', () => {
  it('returns what `xmargin margin --json` prints', async () => {
    const res = await post(
      JSON.stringify({ market: spec.market, params: spec.params, portfolio: spec.portfolio }),
    )
    expect(res.status).toBe(200)
    let printed = ''
    await main(
      [
        'margin',
        ...['market', 'params', 'portfolio'].flatMap((n) => [
          `--${n}`,
          `${SPEC_EXAMPLE_DIR}/${n}.json`,
        ]),
        '--json',
      ],
      {
        out: (t) => {
          printed += t
        },
        err: () => {},
      },
    )
    expect(await res.json()).toEqual(JSON.parse(printed))
  })

  it.each(INVALID_CASES)('400 on $name, naming $field', async ({ docs, field, rule }) => {
    const res = await post(jsonText(docs))
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({
      error: { code: rule, message: expect.stringContaining(field), field },
    })
  })

  it.each([
    { name: 'not JSON', body: '{"market":', field: 'body', code: 'invalid_json' },
    { name: 'not an object', body: '[1,2]', field: 'body', code: 'wrong_type' },
    {
      name: 'a document missing',
      body: JSON.stringify({ market: spec.market, params: spec.params }),
      field: 'body.portfolio',
      code: 'missing_field',
    },
    {
      name: 'an extra top-level field',
      body: JSON.stringify({ ...spec, expected: undefined, account: 'x' }),
      field: 'body.account',
      code: 'unknown_field',
    },
  ])('400 on a body that is $name', async ({ body, field, code }) => {
    const res = await post(body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as ApiErrorBody).error).toMatchObject({ code, field })
  })

  it('413 on a body over the limit, without reading it', async () => {
    const res = await post(JSON.stringify({ market: spec.market, pad: 'x'.repeat(100 * 1024) }))
    expect(res.status).toBe(413)
    expect(await res.json()).toEqual({
      error: { code: 'body_too_large', message: 'request body is too large', field: null },
    })
  })
})

describe('the API around it', () => {
  it('GET /health answers ok', async () => {
    const res = await app.request('/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('404 in the same error shape for an unknown route', async () => {
    const res = await app.request('/v1/nope')
    expect(res.status).toBe(404)
    expect(((await res.json()) as ApiErrorBody).error.code).toBe('not_found')
  })

  it('serves over real TCP on 127.0.0.1', async () => {
    const server = await startServer({ port: 0, host: '127.0.0.1', logger: silentLogger })
    try {
      const res = await fetch(`${server.url}/v1/margin`, {
        method: 'POST',
        body: JSON.stringify({
          market: spec.market,
          params: spec.params,
          portfolio: spec.portfolio,
        }),
      })
      expect(res.status).toBe(200)
      expect(((await res.json()) as { status: string }).status).toBe('healthy')
    } finally {
      await server.close()
    }
  })
})
