/**
 * The XM-1 conformance suite: every engine that implements the model (the
 * per-account reference and the batch engine) must reproduce the spec's
 * section 7 example and every vector of the independent implementation.
 */
import { describe, expect, it } from 'vitest'
import { BatchEngine } from '../aggregator/risk/batch/engine.ts'
import { computeMargin } from '../aggregator/risk/reference.ts'
import type { MarginFigures, MarginInputs } from '../aggregator/risk/types.ts'
import { validateInputs } from '../aggregator/risk/validate.ts'
import { readDocuments, SPEC_EXAMPLE_DIR, VECTORS_DIR, vectorNames } from './helpers/documents.ts'

const ENGINES: ReadonlyArray<readonly [string, (inputs: MarginInputs) => MarginFigures]> = [
  ['reference', computeMargin],
  ['batch', (i) => BatchEngine.build(i.market, i.params, [i.portfolio]).figures(0)],
]

/** Spec section 7: within 1e-7 relative or 1e-6 USD, whichever is larger. */
function expectClose(actual: number, expected: number, what: string): void {
  const tolerance = Math.max(1e-6, 1e-7 * Math.abs(expected))
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(
    tolerance,
  )
}

function expectFigures(actual: MarginFigures, expected: Record<string, unknown>): void {
  for (const key of [
    'equity',
    'spreadCredit',
    'scanRisk',
    'shortOptionMinimum',
    'maintenanceMargin',
    'initialMargin',
  ] as const) {
    expectClose(actual[key], expected[key] as number, key)
  }
  if (expected['marginRatio'] === null) expect(actual.marginRatio).toBeNull()
  else expectClose(actual.marginRatio!, expected['marginRatio'] as number, 'marginRatio')
  expect(actual.status).toBe(expected['status'])
  const underlyings = expected['underlyings'] as Record<
    string,
    { scanRisk: number; scenario: number | null; direction: number }
  >
  expect(Object.keys(actual.underlyings).sort()).toEqual(Object.keys(underlyings).sort())
  for (const [u, want] of Object.entries(underlyings)) {
    const got = actual.underlyings[u]!
    expectClose(got.scanRisk, want.scanRisk, `${u}.scanRisk`)
    expect({ scenario: got.scenario, direction: got.direction }, u).toEqual({
      scenario: want.scenario,
      direction: want.direction,
    })
  }
}

const CASES = [
  { name: 'spec section 7 example', dir: SPEC_EXAMPLE_DIR },
  ...vectorNames().map((n) => ({ name: `vector ${n}`, dir: `${VECTORS_DIR}${n}` })),
]

describe.each(ENGINES)('XM-1 conformance: %s engine', (_, engine) => {
  it.each(CASES)('$name', ({ dir }) => {
    const docs = readDocuments(dir)
    expectFigures(engine(validateInputs(docs.market, docs.params, docs.portfolio)), docs.expected)
  })
})

/** The rule each bad vector breaks (its expected.json `why`), as our InputError rule. */
const BAD_RULES: Readonly<Record<string, readonly string[]>> = {
  'negative price': ['out_of_range'],
  'zero vol': ['out_of_range'],
  'unknown underlying': ['unknown_reference'],
  'expired option': ['expired'],
  'negative collateral': ['out_of_range'],
  'haircut 1': ['out_of_range'],
  'unknown field': ['unknown_field'],
  'huge quantity': ['out_of_range'],
  'string number': ['wrong_type'],
  'im factor below 1': ['out_of_range'],
  // Its spread credit also names the missing underlying, and params are checked before the portfolio.
  'missing risk params': ['missing_risk_params', 'unknown_reference'],
  'equal legs': ['out_of_range'],
  'extreme move too large': ['out_of_range'],
  'future without entry': ['missing_field'],
}

describe('XM-1 conformance: inputs the spec rejects', () => {
  it.each(vectorNames('bad'))(
    'bad/%s is rejected for the rule it breaks, naming the field',
    (name) => {
      const docs = readDocuments(`${VECTORS_DIR}bad/${name}`)
      expect(docs.expected['error']).toBe(true)
      const rules = BAD_RULES[docs.expected['why'] as string]
      expect(rules, `a rule for "${docs.expected['why']}"`).toBeDefined()
      expect(() => validateInputs(docs.market, docs.params, docs.portfolio)).toThrowError(
        expect.objectContaining({
          name: 'InputError',
          rule: expect.toSatisfy((r: string) => rules!.includes(r)),
          field: expect.stringMatching(/^(market|params|portfolio)\./),
        }),
      )
    },
  )
})
