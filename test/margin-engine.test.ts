/**
 * One conformance suite for MarginEngine, run against both implementations:
 * the worker pool the server uses and the inline engine. Each must give the
 * reference report for a valid body and the same InputError for a bad one.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { InlineMargin, type MarginEngine } from '../aggregator/api/margin-engine.ts'
import { MarginPool } from '../aggregator/api/margin-pool.ts'
import { InputError } from '../aggregator/errors.ts'
import { marginReport } from '../aggregator/risk/report.ts'
import { jsonText, readDocuments, SPEC_EXAMPLE_DIR } from './helpers/documents.ts'
import { hugeHedgeBody } from './helpers/heavy-portfolio.ts'
import { INVALID_CASES } from './helpers/invalid-inputs.ts'

const spec = readDocuments(SPEC_EXAMPLE_DIR)
const specBody = JSON.stringify({
  market: spec.market,
  params: spec.params,
  portfolio: spec.portfolio,
})
const limits = {
  maxPositions: 4,
  maxCollateral: 4,
  maxUnderlyings: 4,
  maxAssets: 4,
  maxSpreadCredits: 4,
}

const engines: { name: string; engine: MarginEngine }[] = [
  { name: 'MarginPool', engine: new MarginPool({ threads: 1, limits }) },
  { name: 'InlineMargin', engine: new InlineMargin({ limits }) },
]
afterAll(() => Promise.all(engines.map(({ engine }) => engine.close())))

async function refusal(
  engine: MarginEngine,
  body: string,
): Promise<{ field: string; rule: string }> {
  const error = await engine.margin(body).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(InputError)
  return { field: (error as InputError).field, rule: (error as InputError).rule }
}

describe.each(engines)('MarginEngine: $name', ({ engine }) => {
  it('reports what the reference engine reports', async () => {
    expect(await engine.margin(specBody)).toEqual(
      marginReport(spec.market, spec.params, spec.portfolio),
    )
  })

  it('answers the body that once hung the API', async () => {
    const report = await engine.margin(hugeHedgeBody())
    expect(report.withdrawable[0]!.resolution).toBe(1e-3)
  })

  it.each(INVALID_CASES)('refuses $name at $field', async ({ docs, field, rule }) => {
    expect(await refusal(engine, jsonText(docs))).toEqual({ field, rule })
  })

  it.each([
    { name: 'not JSON', body: '{', field: 'body', rule: 'invalid_json' },
    {
      name: 'a duplicate key',
      body: '{"market":1,"market":2}',
      field: 'market',
      rule: 'duplicate_key',
    },
    {
      name: 'deep nesting',
      body: `{"market":${'['.repeat(100)}${']'.repeat(100)}}`,
      field: `market${'[0]'.repeat(31)}`,
      rule: 'too_deep',
    },
    {
      name: 'five positions over a limit of four',
      body: JSON.stringify({
        ...spec,
        expected: undefined,
        portfolio: {
          ...spec.portfolio,
          positions: Array(5).fill((spec.portfolio['positions'] as unknown[])[0]),
        },
      }),
      field: 'portfolio.positions',
      rule: 'too_many',
    },
  ])('refuses $name', async ({ body, field, rule }) => {
    expect(await refusal(engine, body)).toEqual({ field, rule })
  })
})
