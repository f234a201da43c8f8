/**
 * Mutations that break one input rule of spec section 2.4 (or one we add) in
 * a valid document, each returning the field and rule the InputError must
 * name. A mutation works on a document with one of every kind of holding
 * (validDocs(profile, { full: true })), picks its target with `choice` and
 * edits the documents in place.
 */
import fc from 'fast-check'
import { BELOW_ONE, type Docs, type Json, MIN_SUBNORMAL } from './arbitraries.ts'

export interface Expected {
  readonly field: string
  readonly rule: string
}

export interface Mutation {
  readonly name: string
  /** Spec 2.4's wording of the rule, or `extra` for rules we add. */
  readonly rule: string
  readonly apply: (docs: Docs, choice: number) => Expected
}

const at = <T>(xs: readonly T[], choice: number): T => xs[choice % xs.length]!

interface Slot {
  readonly path: string
  readonly parent: Json
  readonly key: string
}

const keysOf = (o: Json): string[] => Object.keys(o)

function entriesWhere(d: Docs, doc: 'market' | 'params', map: string, keep: (v: Json) => boolean) {
  const m: Json = d[doc][map]
  return keysOf(m)
    .filter((n) => keep(m[n]))
    .map((n) => ({ path: `${doc}.${map}.${n}`, value: m[n] as Json, name: n }))
}

function positionsWhere(d: Docs, keep: (p: Json) => boolean) {
  return (d.portfolio['positions'] as Json[])
    .map((p, i) => ({ path: `portfolio.positions[${i}]`, value: p, index: i }))
    .filter((p) => keep(p.value))
}

const isOption = (p: Json) => p['instrument'].kind === 'option'
const isLinear = (p: Json) => !isOption(p)
const hasExpiry = (p: Json) => p['instrument'].kind !== 'perp'

/** Every number in the documents, with where it is. */
function numberSlots(d: Docs): Slot[] {
  const slots: Slot[] = []
  const walk = (value: unknown, path: string, parent: Json | null, key: string) => {
    if (typeof value === 'number' && parent) slots.push({ path, parent, key })
    else if (Array.isArray(value))
      for (const [i, v] of value.entries()) walk(v, `${path}[${i}]`, value as Json, String(i))
    else if (value && typeof value === 'object')
      for (const k of keysOf(value as Json))
        walk((value as Json)[k], `${path}.${k}`, value as Json, k)
  }
  walk(d.market, 'market', null, '')
  walk(d.params, 'params', null, '')
  walk(d.portfolio, 'portfolio', null, '')
  return slots
}

function set(parent: Json, key: string, value: unknown): void {
  Object.defineProperty(parent, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  })
}

const NOT_POSITIVE = [0, -0, -MIN_SUBNORMAL, -1e-300, -1, -1e12]

function notPositive(
  name: string,
  slots: (d: Docs) => { path: string; value: Json }[],
  key: string,
): Mutation {
  return {
    name,
    rule: 'a price, vol, strike or entryPrice that is not > 0',
    apply: (d, c) => {
      const s = at(slots(d), c)
      s.value[key] = at(NOT_POSITIVE, c >> 3)
      return { field: `${s.path}.${key}`, rule: 'out_of_range' }
    },
  }
}

function outside(
  name: string,
  rule: string,
  slots: (d: Docs) => { path: string; value: Json }[],
  key: string,
  values: number[],
): Mutation {
  return {
    name,
    rule,
    apply: (d, c) => {
      const s = at(slots(d), c)
      s.value[key] = at(values, c >> 3)
      return { field: `${s.path}.${key}`, rule: 'out_of_range' }
    },
  }
}

const paramsUnderlyings = (d: Docs) => entriesWhere(d, 'params', 'underlyings', () => true)
const marketUnderlyings = (d: Docs) => entriesWhere(d, 'market', 'underlyings', () => true)
const fixedAssets = (d: Docs) => entriesWhere(d, 'market', 'assets', (a) => 'price' in a)
const trackingAssets = (d: Docs) => entriesWhere(d, 'market', 'assets', (a) => 'underlying' in a)
const allAssets = (d: Docs) => entriesWhere(d, 'market', 'assets', () => true)
const holdings = (d: Docs) =>
  (d.portfolio['collateral'] as Json[]).map((value, i) => ({
    path: `portfolio.collateral[${i}]`,
    value,
  }))
const credits = (d: Docs) =>
  (d.params['spreadCredits'] as Json[]).map((value, i) => ({
    path: `params.spreadCredits[${i}]`,
    value,
  }))
const instruments = (d: Docs, keep: (p: Json) => boolean) =>
  positionsWhere(d, keep).map((p) => ({
    path: `${p.path}.instrument`,
    value: p.value['instrument'],
  }))

/** Required fields, each deletable to a missing_field naming it. */
function requiredSlots(d: Docs): { path: string; value: Json; key: string }[] {
  const out: { path: string; value: Json; key: string }[] = []
  const add = (path: string, value: Json, keys: string[]) => {
    for (const key of keys) out.push({ path, value, key })
  }
  add('market', d.market, ['timestamp', 'underlyings', 'assets'])
  for (const q of marketUnderlyings(d)) add(q.path, q.value, ['price', 'vol'])
  for (const a of allAssets(d)) add(a.path, a.value, ['haircut'])
  add('params', d.params, [
    'underlyings',
    'extremeMove',
    'extremeCoverFraction',
    'lookaheadDays',
    'initialMarginFactor',
  ])
  for (const u of paramsUnderlyings(d))
    add(u.path, u.value, ['priceScanRange', 'volScanRange', 'shortOptionMinimum'])
  for (const c of credits(d)) add(c.path, c.value, ['legs', 'rate'])
  add('portfolio', d.portfolio, ['cash', 'collateral', 'positions'])
  for (const h of holdings(d)) add(h.path, h.value, ['chain', 'asset', 'amount'])
  for (const p of positionsWhere(d, () => true)) {
    add(p.path, p.value, ['chain', 'instrument', 'quantity'])
    if (isLinear(p.value)) add(p.path, p.value, ['entryPrice'])
    const kind = p.value['instrument'].kind
    add(`${p.path}.instrument`, p.value['instrument'], [
      'kind',
      'underlying',
      ...(kind === 'perp' ? [] : kind === 'future' ? ['expiry'] : ['type', 'strike', 'expiry']),
    ])
  }
  return out
}

/** Objects of a fixed shape, where any other key is an unknown field. */
function shapedObjects(d: Docs): { path: string; value: Json }[] {
  return [
    { path: 'market', value: d.market },
    { path: 'params', value: d.params },
    { path: 'portfolio', value: d.portfolio },
    ...marketUnderlyings(d),
    ...allAssets(d),
    ...paramsUnderlyings(d),
    ...credits(d),
    ...holdings(d),
    ...positionsWhere(d, () => true),
    ...instruments(d, () => true),
  ]
}

/** The first place the portfolio needs `u`'s risk parameters (validation order: holdings, then positions). */
function firstUse(d: Docs, u: string): string | null {
  const assets: Json = d.market['assets']
  const holding = (d.portfolio['collateral'] as Json[]).findIndex(
    (h) => assets[h['asset']]?.underlying === u && Object.hasOwn(assets, h['asset']),
  )
  if (holding >= 0) return `portfolio.collateral[${holding}].asset`
  const position = (d.portfolio['positions'] as Json[]).findIndex(
    (p) => p['instrument'].underlying === u,
  )
  return position >= 0 ? `portfolio.positions[${position}].instrument.underlying` : null
}

const NOT_IN_DOCS = 'NOT-DEFINED'

export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'a number that is not finite',
    rule: 'a number that is not finite',
    apply: (d, c) => {
      const s = at(numberSlots(d), c)
      set(
        s.parent,
        s.key,
        at([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN], c >> 5),
      )
      return { field: s.path, rule: 'not_finite' }
    },
  },
  notPositive('underlying price not > 0', marketUnderlyings, 'price'),
  notPositive('vol not > 0', marketUnderlyings, 'vol'),
  notPositive('asset price not > 0', fixedAssets, 'price'),
  notPositive('strike not > 0', (d) => instruments(d, isOption), 'strike'),
  notPositive('entryPrice not > 0', (d) => positionsWhere(d, isLinear), 'entryPrice'),
  outside('amount < 0', 'a collateral amount < 0', holdings, 'amount', [
    -MIN_SUBNORMAL,
    -1e-300,
    -1,
    -1e12,
  ]),
  outside('haircut outside [0, 1)', 'a haircut outside [0, 1)', allAssets, 'haircut', [
    1,
    1 + 2 ** -52,
    -MIN_SUBNORMAL,
    -1,
    1e12,
  ]),
  outside(
    'priceScanRange outside (0, 1)',
    'a priceScanRange outside (0, 1)',
    paramsUnderlyings,
    'priceScanRange',
    [0, -0, 1, -MIN_SUBNORMAL, 2],
  ),
  outside(
    'volScanRange outside [0, 1)',
    'a volScanRange outside [0, 1)',
    paramsUnderlyings,
    'volScanRange',
    [1, -MIN_SUBNORMAL, 1.5],
  ),
  {
    name: 'extremeMove * priceScanRange >= 1',
    rule: 'extremeMove * priceScanRange >= 1 for any underlying',
    apply: (d, c) => {
      // Exactly 1 at the boundary, or past it; a scan range of its own so no float rounding hides it.
      const u = at(paramsUnderlyings(d), c)
      const [scan, move] = at(
        [
          [0.5, 2],
          [0.25, 4],
          [BELOW_ONE, 1e12],
        ] as const,
        c >> 3,
      )
      u.value['priceScanRange'] = scan
      d.params['extremeMove'] = move
      return { field: 'params.extremeMove', rule: 'out_of_range' }
    },
  },
  outside('spread rate outside [0, 1]', 'a spread rate outside [0, 1]', credits, 'rate', [
    -MIN_SUBNORMAL,
    -1,
    1 + 2 ** -52,
    2,
  ]),
  {
    name: 'initialMarginFactor < 1',
    rule: 'initialMarginFactor < 1',
    apply: (d, c) => {
      d.params['initialMarginFactor'] = at([BELOW_ONE, 0, -1, MIN_SUBNORMAL], c)
      return { field: 'params.initialMarginFactor', rule: 'out_of_range' }
    },
  },
  outside(
    '|quantity| > 1e12',
    '|quantity| > 1e12',
    (d) => positionsWhere(d, () => true),
    'quantity',
    [1e12 + 2 ** -12, -(1e12 + 2 ** -12), 1e13, -1e300],
  ),
  {
    name: 'position underlying the market does not define',
    rule: 'an underlying or asset that the market snapshot does not define',
    apply: (d, c) => {
      const i = at(
        instruments(d, () => true),
        c,
      )
      i.value['underlying'] = NOT_IN_DOCS
      return { field: `${i.path}.underlying`, rule: 'unknown_reference' }
    },
  },
  {
    name: 'asset the market does not define',
    rule: 'an underlying or asset that the market snapshot does not define',
    apply: (d, c) => {
      const h = at(holdings(d), c)
      h.value['asset'] = at([NOT_IN_DOCS, 'toString', '__proto__x'], c >> 3)
      // `toString` would be found on a prototype by a careless lookup.
      if (Object.hasOwn(d.market['assets'], h.value['asset'])) h.value['asset'] = NOT_IN_DOCS
      return { field: `${h.path}.asset`, rule: 'unknown_reference' }
    },
  },
  {
    name: 'asset tracking an underlying the market does not define',
    rule: 'an underlying or asset that the market snapshot does not define',
    apply: (d, c) => {
      const a = at(trackingAssets(d), c)
      a.value['underlying'] = NOT_IN_DOCS
      return { field: `${a.path}.underlying`, rule: 'unknown_reference' }
    },
  },
  {
    name: 'portfolio underlying without risk parameters',
    rule: 'an underlying used by the portfolio that has no risk parameters',
    apply: (d) => {
      const used = keysOf(d.params['underlyings']).find((u) => firstUse(d, u) !== null)!
      const field = firstUse(d, used)!
      delete d.params['underlyings'][used]
      d.params['spreadCredits'] = (d.params['spreadCredits'] as Json[]).filter(
        (s) => !s['legs'].includes(used),
      )
      return { field, rule: 'missing_risk_params' }
    },
  },
  {
    name: 'expiry <= timestamp',
    rule: 'an option or future whose expiry <= timestamp',
    apply: (d, c) => {
      const i = at(instruments(d, hasExpiry), c)
      const ts: number = d.market['timestamp']
      i.value['expiry'] = Math.max(0, ts - at([0, 1, 86_400], c >> 3))
      if (ts === 0) i.value['expiry'] = 0
      return { field: `${i.path}.expiry`, rule: 'expired' }
    },
  },
  {
    name: 'spread credit with equal legs',
    rule: 'a spread credit whose legs are equal',
    apply: (d, c) => {
      const s = at(credits(d), c)
      s.value['legs'] = [s.value['legs'][0], s.value['legs'][0]]
      return { field: `${s.path}.legs`, rule: 'out_of_range' }
    },
  },
  {
    name: 'spread credit leg not in the parameters',
    rule: "a spread credit whose legs are not in the parameters' underlyings",
    apply: (d, c) => {
      const s = at(credits(d), c)
      const leg = c % 2
      s.value['legs'][leg] = at([NOT_IN_DOCS, 'constructor!'], c >> 3)
      return { field: `${s.path}.legs[${leg}]`, rule: 'unknown_reference' }
    },
  },
  {
    name: 'asset with both price and underlying',
    rule: 'an asset with both or neither of price and underlying',
    apply: (d, c) => {
      const a = at(allAssets(d), c)
      if ('price' in a.value) a.value['underlying'] = keysOf(d.market['underlyings'])[0]
      else a.value['price'] = 1
      return { field: a.path, rule: 'exactly_one' }
    },
  },
  {
    name: 'asset with neither price nor underlying',
    rule: 'an asset with both or neither of price and underlying',
    apply: (d, c) => {
      const a = at(allAssets(d), c)
      delete a.value['price']
      delete a.value['underlying']
      return { field: a.path, rule: 'exactly_one' }
    },
  },
  {
    name: 'unknown instrument kind',
    rule: 'an unknown instrument kind',
    apply: (d, c) => {
      const i = at(
        instruments(d, () => true),
        c,
      )
      i.value['kind'] = at(['swap', 'PERP', 'perp ', '__proto__'], c >> 3)
      return { field: `${i.path}.kind`, rule: 'out_of_range' }
    },
  },
  {
    name: 'unknown option type',
    rule: 'an unknown option type',
    apply: (d, c) => {
      const i = at(instruments(d, isOption), c)
      i.value['type'] = at(['straddle', 'CALL', 'toString'], c >> 3)
      return { field: `${i.path}.type`, rule: 'out_of_range' }
    },
  },
  {
    name: 'a missing required field',
    rule: 'a missing required field',
    apply: (d, c) => {
      const s = at(requiredSlots(d), c)
      delete s.value[s.key]
      return { field: `${s.path}.${s.key}`, rule: 'missing_field' }
    },
  },
  {
    name: 'entryPrice on an option',
    rule: 'entryPrice on an option',
    apply: (d, c) => {
      const p = at(
        positionsWhere(d, isOption).map((p) => p),
        c,
      )
      p.value['entryPrice'] = at([1, MIN_SUBNORMAL, -1], c >> 3)
      return { field: `${p.path}.entryPrice`, rule: 'unknown_field' }
    },
  },
  {
    name: 'lookaheadDays < 0',
    rule: 'lookaheadDays < 0',
    apply: (d, c) => {
      d.params['lookaheadDays'] = at([-MIN_SUBNORMAL, -1, -1e12], c)
      return { field: 'params.lookaheadDays', rule: 'out_of_range' }
    },
  },
  // Rules we add: unknown fields, whole unix seconds, chain labels, wrong types, our own ranges.
  {
    name: 'an unknown field',
    rule: 'extra',
    apply: (d, c) => {
      const o = at(shapedObjects(d), c)
      const key = at(['leverage', '__proto__', 'constructor', 'Price', ''], c >> 5)
      set(o.value, key, 1)
      return { field: `${o.path}.${key}`, rule: 'unknown_field' }
    },
  },
  {
    name: 'timestamp or expiry not whole unix seconds',
    rule: 'extra',
    apply: (d, c) => {
      if (c % 2 === 0) {
        d.market['timestamp'] = at([1.5, -1, 2 ** 53], c >> 3)
        // Keep every expiry after it, so the timestamp is the one thing wrong.
        return { field: 'market.timestamp', rule: 'out_of_range' }
      }
      const i = at(instruments(d, hasExpiry), c)
      // Past 2^52 every double is whole: there, an unsafe integer is the expiry that is not unix seconds.
      const half = d.market['timestamp'] + 0.5
      i.value['expiry'] = Number.isInteger(half) ? 2 ** 53 + 2 : half
      return { field: `${i.path}.expiry`, rule: 'out_of_range' }
    },
  },
  {
    name: 'a string where a number belongs',
    rule: 'extra',
    apply: (d, c) => {
      const s = at(numberSlots(d), c)
      set(s.parent, s.key, at(['1', null, true, [], {}, '1e999'], c >> 5))
      return { field: s.path, rule: 'wrong_type' }
    },
  },
  {
    name: 'a wrong type for a name or label',
    rule: 'extra',
    apply: (d, c) => {
      const h = at(holdings(d), c)
      const key = at(['chain', 'asset'], c >> 3)
      h.value[key] = at(['', 1, null, ['USDC'], { USDC: 1 }], c >> 4)
      return { field: `${h.path}.${key}`, rule: 'wrong_type' }
    },
  },
  {
    name: 'a wrong type for a document, list or entry',
    rule: 'extra',
    apply: (d, c) => {
      const targets: { path: string; parent: Json; key: string; value: unknown }[] = [
        { path: 'portfolio.positions', parent: d.portfolio, key: 'positions', value: {} },
        { path: 'portfolio.collateral', parent: d.portfolio, key: 'collateral', value: 'none' },
        { path: 'params.spreadCredits', parent: d.params, key: 'spreadCredits', value: null },
        { path: 'market.underlyings', parent: d.market, key: 'underlyings', value: [] },
        ...credits(d).map((s) => ({
          path: `${s.path}.legs`,
          parent: s.value,
          key: 'legs',
          value: [s.value['legs'][0], s.value['legs'][1], 'Z'],
        })),
        ...instruments(d, () => true).map((i) => ({
          path: i.path,
          parent: i.value,
          key: '',
          value: null,
        })),
      ]
      const t = at(targets, c)
      if (t.key === '') {
        // The instrument itself: replace it on its position.
        const position = positionsWhere(d, (p) => p['instrument'] === t.parent)[0]!
        position.value['instrument'] = at([null, 'perp', [], 1], c >> 3)
        return { field: t.path, rule: 'wrong_type' }
      }
      t.parent[t.key] = t.value
      return { field: t.path, rule: 'wrong_type' }
    },
  },
  outside('negative short option minimum', 'extra', paramsUnderlyings, 'shortOptionMinimum', [
    -MIN_SUBNORMAL,
    -1,
  ]),
  {
    name: 'extremeCoverFraction outside [0, 1] or negative extremeMove',
    rule: 'extra',
    apply: (d, c) => {
      const key = at(['extremeCoverFraction', 'extremeMove'], c)
      d.params[key] = at(
        key === 'extremeMove' ? [-MIN_SUBNORMAL, -2] : [1 + 2 ** -52, -MIN_SUBNORMAL],
        c >> 3,
      )
      return { field: `params.${key}`, rule: 'out_of_range' }
    },
  },
]

/** The limits of a request, with one count set just below what the documents hold. */
export function limitBelow(
  d: Docs,
  c: number,
): { limits: Record<string, number>; expected: Expected } {
  const counts: [string, string, number][] = [
    ['maxPositions', 'portfolio.positions', d.portfolio['positions'].length],
    ['maxCollateral', 'portfolio.collateral', d.portfolio['collateral'].length],
    ['maxUnderlyings', 'market.underlyings', keysOf(d.market['underlyings']).length],
    ['maxAssets', 'market.assets', keysOf(d.market['assets']).length],
    ['maxSpreadCredits', 'params.spreadCredits', d.params['spreadCredits'].length],
  ]
  const [key, field, count] = at(counts, c)
  return {
    limits: {
      maxPositions: 128,
      maxCollateral: 32,
      maxUnderlyings: 32,
      maxAssets: 32,
      maxSpreadCredits: 32,
      [key]: count - 1,
    },
    expected: { field, rule: 'too_many' },
  }
}

export const MUTATION = fc.constantFrom(...MUTATIONS)
