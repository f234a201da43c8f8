/**
 * Fuzz of the engine (validation, reference engine, liquidation prices,
 * withdrawals, and the batch engine beside it): valid documents at every
 * magnitude end in a consistent report, broken ones in an InputError naming
 * the field and rule, and nothing hangs: every call runs under the deadline
 * of harness/deadline.ts.
 */
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type Docs,
  EDGE,
  type Json,
  MODERATE,
  OVERFLOW,
  type Profile,
  validDocs,
} from './arbitraries.ts'
import { engineOutcome, expectRefused, expectReport, expectReportOrRefusal } from './checks.ts'
import { amounts, fuzz, texts } from './fuzz.ts'
import { DeadlineHost } from './harness/deadline.ts'
import { limitBelow, MUTATION, MUTATIONS } from './mutations.ts'
import { NAMED } from './regressions.ts'

const host = new DeadlineHost()
afterAll(() => host.close())

/** Send the documents as objects, or as JSON text parsed the way the CLI parses a file. */
function run(docs: Docs, asText: boolean, limits?: Record<string, number>) {
  return host.run(
    asText
      ? { kind: 'engine', texts: texts(docs), ...(limits ? { limits: limits as never } : {}) }
      : { kind: 'engine', docs, ...(limits ? { limits: limits as never } : {}) },
  )
}

const options = (docs: Docs, profile: Profile) => ({
  amounts: amounts(docs),
  mayOverflow: profile.mayOverflow,
})

describe('engine fuzz: harness', () => {
  it('a call that never answers fails at the deadline, and the next call gets a fresh process', async () => {
    expect(await host.run({ kind: 'spin' }, 1_000)).toMatchObject({ kind: 'deadline' })
    const docs = NAMED[0]!.docs
    expectReport(await run(docs, false), { amounts: amounts(docs), mayOverflow: false })
  })
})

describe('engine fuzz: valid documents end in a consistent report', () => {
  it.each([
    { profile: MODERATE, runs: 80 },
    { profile: EDGE, runs: 100 },
    { profile: OVERFLOW, runs: 80 },
  ])('$profile.name magnitudes', async ({ profile, runs }) => {
    await fuzz(
      `valid ${profile.name}`,
      fc.tuple(validDocs(profile), fc.boolean()),
      async ([docs, asText]) => expectReport(await run(docs, asText), options(docs, profile)),
      runs,
    )
  })

  it.each([MODERATE, EDGE])('near-ties on the initial-margin boundary ($name)', async (profile) => {
    await fuzz(
      `near-tie ${profile.name}`,
      fc.tuple(validDocs(profile, { full: true }), fc.constantFrom(0, 1, -1, 1e-9, -1e-9)),
      async ([docs, nudge]) => {
        const first = engineOutcome(await run(docs, false))
        if (first.kind !== 'report') return expectReport(first, options(docs, profile))
        // Cash that puts equity exactly on initial margin (as far as float64 says), then an ulp or a hair off.
        const { equity, initialMargin } = first.report
        const ulp = Math.max(Number.MIN_VALUE, Math.abs(initialMargin) * 2 ** -52)
        const shift =
          initialMargin - equity + (Math.abs(nudge) === 1 ? nudge * ulp : nudge * initialMargin)
        const cash = docs.portfolio['cash'] + shift
        fc.pre(Number.isFinite(cash))
        const tied = { ...docs, portfolio: { ...docs.portfolio, cash } }
        expectReport(await run(tied, false), options(tied, profile))
      },
      25,
    )
  })
})

describe('engine fuzz: every rule of spec 2.4, broken one at a time', () => {
  it('the catalogue breaks every rule spec 2.4 lists', () => {
    const rules = new Set(MUTATIONS.map((m) => m.rule))
    for (const rule of SPEC_RULES) expect(rules).toContain(rule)
  })

  it.each(MUTATIONS.map((m) => ({ name: m.name, mutation: m })))('$name', async ({ mutation }) => {
    await fuzz(
      `one rule: ${mutation.name}`,
      fc.tuple(validDocs(EDGE, { full: true }), fc.nat(), fc.boolean()),
      async ([docs, choice, asText]) => {
        const broken = structuredClone(docs)
        const expected = mutation.apply(broken, choice)
        const before = structuredClone(broken)
        expectRefused(await run(broken, asText), expected)
        expect(broken).toEqual(before)
      },
      12,
    )
  })

  it('a count over its limit is too_many, naming the list', async () => {
    await fuzz(
      'one rule: too many',
      fc.tuple(validDocs(MODERATE, { full: true }), fc.nat()),
      async ([docs, choice]) => {
        const { limits, expected } = limitBelow(docs, choice)
        expectRefused(await run(docs, false, limits), expected)
      },
      30,
    )
  })
})

describe('engine fuzz: several rules at once, and wrong types anywhere', () => {
  it('several broken rules: an InputError naming one of the broken fields', async () => {
    await fuzz(
      'several rules',
      fc.tuple(
        validDocs(EDGE, { full: true }),
        fc.array(fc.tuple(MUTATION, fc.nat()), { minLength: 2, maxLength: 5 }),
        fc.boolean(),
      ),
      async ([docs, mutations, asText]) => {
        const broken = structuredClone(docs)
        // A mutation may find nothing left to break (the positions are no longer a list): skip it.
        const expected = mutations.flatMap(([m, choice]) => {
          try {
            return [m.apply(broken, choice)]
          } catch {
            return []
          }
        })
        const outcome = engineOutcome(await run(broken, asText))
        expectRefused(outcome)
        if (outcome.kind === 'error')
          expect(expected.map((e) => e.field)).toContain(outcome.error.field)
      },
      150,
    )
  })

  it('any subtree replaced by any JSON value: a report or an InputError', async () => {
    await fuzz(
      'subtree replaced',
      fc.tuple(validDocs(EDGE), fc.nat(), fc.jsonValue({ maxDepth: 3 }), fc.boolean()),
      async ([docs, choice, value, asText]) => {
        const broken = structuredClone(docs)
        const slots = containers(broken)
        const [parent, key] = slots[choice % slots.length]!
        Object.defineProperty(parent, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        })
        expectReportOrRefusal(await run(broken, asText), {
          amounts: amounts(broken),
          mayOverflow: false,
        })
      },
      150,
    )
  })

  it('any values as the three documents: an InputError', async () => {
    await fuzz(
      'anything',
      fc.record({
        market: fc.anything({ maxDepth: 3 }),
        params: fc.anything({ maxDepth: 3 }),
        portfolio: fc.anything({ maxDepth: 3 }),
      }),
      async (docs) => expectRefused(await run(docs as Docs, false)),
      100,
    )
  })
})

describe('engine fuzz: JSON text', () => {
  it('a key given twice anywhere is duplicate_key, naming it', async () => {
    await fuzz(
      'duplicate key',
      fc.tuple(validDocs(EDGE), fc.nat()),
      async ([docs, choice]) => {
        const which = (['market', 'params', 'portfolio'] as const)[choice % 3]!
        const objects = objectPaths(docs[which], which).filter(([, o]) => Object.keys(o).length > 0)
        const [path, target] = objects[(choice >> 2) % objects.length]!
        const key = Object.keys(target)[0]!
        const t = texts(docs)
        t[which] = withDuplicate(docs[which], target)
        const outcome = engineOutcome(await host.run({ kind: 'engine', texts: t }))
        expectRefused(outcome, { field: `${path}.${key}`, rule: 'duplicate_key' })
      },
      60,
    )
  })

  it.each([
    { name: 'nested 33 deep', text: nest(33), rule: 'too_deep' },
    { name: 'nested 100,000 deep', text: nest(100_000), rule: 'too_deep' },
    {
      name: 'a string of 257 characters',
      text: '{"cash":0,"collateral":[],"positions":[{"chain":"' + 'x'.repeat(257) + '"}]}',
      rule: 'too_long',
    },
    { name: 'a key of 100,000 characters', text: `{"${'k'.repeat(100_000)}":1}`, rule: 'too_long' },
    { name: 'truncated', text: '{"cash":0,"collateral":[', rule: 'invalid_json' },
    { name: 'empty', text: '', rule: 'invalid_json' },
    { name: 'NaN', text: '{"cash":NaN,"collateral":[],"positions":[]}', rule: 'invalid_json' },
    {
      name: 'a number past float64',
      text: '{"cash":1e999999,"collateral":[],"positions":[]}',
      rule: 'not_finite',
    },
    {
      name: 'a number below the smallest subnormal',
      text: '{"cash":1e-400,"collateral":[{"chain":"a","asset":"USDC","amount":-1e-400}],"positions":[]}',
      rule: 'report',
    },
    {
      name: 'a byte order mark',
      text: '\ufeff{"cash":0,"collateral":[],"positions":[]}',
      rule: 'invalid_json',
    },
    {
      name: '__proto__ as a portfolio key',
      text: '{"cash":0,"collateral":[],"positions":[],"__proto__":{"cash":1}}',
      rule: 'unknown_field',
    },
    {
      name: 'a lone surrogate in a chain label',
      text: '{"cash":0,"collateral":[{"chain":"\\ud800","asset":"USDC","amount":1}],"positions":[]}',
      rule: 'report',
    },
  ])('$name: $rule', async ({ text, rule }) => {
    const docs = NAMED[0]!.docs
    const outcome = engineOutcome(
      await host.run({ kind: 'engine', texts: { ...texts(docs), portfolio: text } }),
    )
    if (rule === 'report') {
      const portfolio = JSON.parse(text)
      return expectReport(outcome, { amounts: amounts({ ...docs, portfolio }), mayOverflow: false })
    }
    expectRefused(outcome)
    if (outcome.kind === 'error') {
      expect(outcome.error.rule).toBe(rule)
      expect(outcome.error.field).toMatch(/^portfolio/)
    }
  })
})

describe('engine fuzz: regressions', () => {
  it.each(NAMED)('$name', async ({ docs, expect: wanted, equity }) => {
    // The largest admitted request costs seconds, not milliseconds: a deadline of its own.
    const answer = await host.run({ kind: 'engine', docs }, 30_000)
    if (wanted !== 'report') return expectRefused(answer, wanted)
    expectReport(answer, { amounts: amounts(docs), mayOverflow: false })
    if (equity !== undefined && answer.kind === 'report')
      expect(answer.report.equity).toBeCloseTo(equity, 9)
  })
})

/** Spec 2.4's list, one entry per rule (the wording MUTATIONS cite). */
const SPEC_RULES = [
  'a number that is not finite',
  'a price, vol, strike or entryPrice that is not > 0',
  'a collateral amount < 0',
  'a haircut outside [0, 1)',
  'a priceScanRange outside (0, 1)',
  'a volScanRange outside [0, 1)',
  'extremeMove * priceScanRange >= 1 for any underlying',
  'a spread rate outside [0, 1]',
  'initialMarginFactor < 1',
  '|quantity| > 1e12',
  'an underlying or asset that the market snapshot does not define',
  'an underlying used by the portfolio that has no risk parameters',
  'an option or future whose expiry <= timestamp',
  'a spread credit whose legs are equal',
  "a spread credit whose legs are not in the parameters' underlyings",
  'an asset with both or neither of price and underlying',
  'an unknown instrument kind',
  'an unknown option type',
  'a missing required field',
  'entryPrice on an option',
  'lookaheadDays < 0',
]

/** Every (container, key) in the documents: where a subtree can be replaced. */
function containers(docs: Docs): [Json, string][] {
  const out: [Json, string][] = []
  const walk = (value: unknown) => {
    if (value && typeof value === 'object')
      for (const key of Object.keys(value)) {
        out.push([value as Json, key])
        walk((value as Json)[key])
      }
  }
  walk(docs)
  return out
}

/** Every object in a document with its field path (arrays index as [i]). */
function objectPaths(value: unknown, path: string): [string, Json][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => objectPaths(v, `${path}[${i}]`))
  if (!value || typeof value !== 'object') return []
  return [
    [path, value as Json],
    ...Object.keys(value).flatMap((k) => objectPaths((value as Json)[k], `${path}.${k}`)),
  ]
}

/** JSON text of `doc` in which `target`'s first key appears twice (same value). */
function withDuplicate(doc: unknown, target: Json): string {
  const write = (value: unknown): string => {
    if (Array.isArray(value)) return `[${value.map(write).join(',')}]`
    if (value && typeof value === 'object') {
      const entries = Object.keys(value).map(
        (k) => `${JSON.stringify(k)}:${write((value as Json)[k])}`,
      )
      if (value === target) entries.push(entries[0]!)
      return `{${entries.join(',')}}`
    }
    return typeof value === 'number' && !Number.isFinite(value) ? '1e999' : JSON.stringify(value)
  }
  return write(doc)
}

function nest(depth: number): string {
  return `{"cash":0,"collateral":[],"positions":${'['.repeat(depth)}${']'.repeat(depth)}}`
}
