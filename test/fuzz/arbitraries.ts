/**
 * Adversarial XM-1 documents for the fuzz suite: valid documents at every
 * magnitude float64 can state (subnormals to 1e12, and beyond where the
 * engine may answer computation_failed), names that are also object
 * prototype keys, near-ties, and mutations that break one rule of spec
 * section 2.4 (or several) with the field and rule the error must name.
 */
import fc from 'fast-check'
import { T0 } from '../helpers/documents.ts'

// biome-ignore lint/suspicious/noExplicitAny: fuzz cases reach into documents by known paths
export type Json = Record<string, any>
export interface Docs {
  market: Json
  params: Json
  portfolio: Json
}

export const MIN_SUBNORMAL = Number.MIN_VALUE
export const MIN_NORMAL = 2.2250738585072014e-308
/** The largest double below 1. */
export const BELOW_ONE = 1 - 2 ** -53

/** Magnitudes a profile draws from. */
export interface Profile {
  readonly name: string
  readonly price: fc.Arbitrary<number>
  readonly vol: fc.Arbitrary<number>
  readonly quantity: fc.Arbitrary<number>
  readonly amount: fc.Arbitrary<number>
  readonly cash: fc.Arbitrary<number>
  /** Profiles whose products can exceed float64 may answer computation_failed. */
  readonly mayOverflow: boolean
}

const dbl = (min: number, max: number) => fc.double({ min, max, noNaN: true })
const mix = (specials: number[], range: fc.Arbitrary<number>) =>
  fc.oneof({ weight: 1, arbitrary: fc.constantFrom(...specials) }, { weight: 3, arbitrary: range })

export const MODERATE: Profile = {
  name: 'moderate',
  price: dbl(0.01, 1e6),
  vol: dbl(0.01, 3),
  quantity: dbl(-1e4, 1e4),
  amount: dbl(0, 1e6),
  cash: dbl(-1e7, 1e7),
  mayOverflow: false,
}

/** Every magnitude spec 2.4 admits up to 1e12: subnormals, 1e-300, exact bounds, -0. */
export const EDGE: Profile = {
  name: 'edge',
  price: mix([MIN_SUBNORMAL, 1e-300, MIN_NORMAL, 1e-12, 1, 1e12], dbl(MIN_SUBNORMAL, 1e12)),
  vol: mix([MIN_SUBNORMAL, 1e-300, 1e-8, 1, 50], dbl(MIN_SUBNORMAL, 100)),
  quantity: mix([1e12, -1e12, MIN_SUBNORMAL, -MIN_SUBNORMAL, 1e-300, 0, -0, 1], dbl(-1e12, 1e12)),
  amount: mix([0, -0, MIN_SUBNORMAL, 1e-300, 1e12], dbl(0, 1e12)),
  cash: mix([0, -0, MIN_SUBNORMAL, -1e24, 1e24], dbl(-1e24, 1e24)),
  mayOverflow: false,
}

/** Past 1e12 to the largest double: a report or a clean computation_failed. */
export const OVERFLOW: Profile = {
  name: 'overflow',
  price: mix([Number.MAX_VALUE, 1e300, 1e154], dbl(MIN_SUBNORMAL, Number.MAX_VALUE)),
  vol: mix([1e300, Number.MAX_VALUE], dbl(MIN_SUBNORMAL, Number.MAX_VALUE)),
  quantity: mix([1e12, -1e12], dbl(-1e12, 1e12)),
  amount: mix([Number.MAX_VALUE, 1e300], dbl(0, Number.MAX_VALUE)),
  cash: mix([Number.MAX_VALUE, -Number.MAX_VALUE], dbl(-Number.MAX_VALUE, Number.MAX_VALUE)),
  mayOverflow: true,
}

/** Names that are also keys of Object.prototype, or look like field paths. */
const UNDERLYING_NAMES = [
  'X',
  'Y',
  'BTC',
  '__proto__',
  'constructor',
  'toString',
  'a.b',
  'x[0]',
  'Ω🚀',
]
const ASSET_NAMES = ['USDC', 'WX', '__proto__', 'valueOf', 'hasOwnProperty', 'W.X']
const CHAINS = ['arbitrum', 'base', '__proto__', 'ü', 'x'.repeat(256)]

/** An object with these own entries, even one named `__proto__` (as JSON.parse makes it). */
export function record(entries: [string, unknown][]): Json {
  return Object.fromEntries(entries)
}

const pick = <T>(xs: readonly T[]) => fc.constantFrom(...xs)

function scanRange(): fc.Arbitrary<number> {
  return mix([MIN_SUBNORMAL, 1e-300, 0.5, BELOW_ONE], dbl(MIN_SUBNORMAL, BELOW_ONE))
}

/** Valid documents of one profile; `full` adds one of every kind of holding (for mutations). */
export function validDocs(profile: Profile, options: { full?: boolean } = {}): fc.Arbitrary<Docs> {
  return fc
    .record({
      underlyings: fc.uniqueArray(pick(UNDERLYING_NAMES), { minLength: 1, maxLength: 3 }),
      assets: fc.uniqueArray(pick(ASSET_NAMES), { minLength: 1, maxLength: 3 }),
      timestamp: mix([T0, 0, Number.MAX_SAFE_INTEGER - 1e10], fc.integer({ min: 0, max: 2e9 })),
    })
    .chain(({ underlyings, assets, timestamp }) => {
      const u = pick(underlyings)
      const expiry = mix([1, 86_400, 31_536_000 * 30], fc.integer({ min: 1, max: 1e9 })).map(
        (d) => timestamp + d,
      )
      const instrument = fc.oneof(
        fc.record({ kind: fc.constant('perp'), underlying: u }),
        fc.record({ kind: fc.constant('future'), underlying: u, expiry }),
        fc.record({
          kind: fc.constant('option'),
          underlying: u,
          type: pick(['call', 'put']),
          strike: profile.price,
          expiry,
        }),
      )
      const position = fc
        .record({
          chain: pick(CHAINS),
          instrument,
          quantity: profile.quantity,
          entryPrice: profile.price,
        })
        .map(({ entryPrice, ...p }) => (p.instrument.kind === 'option' ? p : { ...p, entryPrice }))
      const asset = fc.oneof(
        fc.record({ price: profile.price, haircut: haircut() }),
        fc.record({ underlying: u, haircut: haircut() }),
      )
      const paramsOf = fc.record({
        scans: fc.array(
          fc.record({
            priceScanRange: scanRange(),
            volScanRange: mix([0, BELOW_ONE], dbl(0, BELOW_ONE)),
            shortOptionMinimum: mix([0, 1], dbl(0, 10)),
          }),
          { minLength: underlyings.length, maxLength: underlyings.length },
        ),
        // extremeMove as a fraction of the most it may be; sometimes a tie of scenarios 13/14 with 15/16.
        extremeShare: mix([0, BELOW_ONE], dbl(0, BELOW_ONE)),
        extremeCoverFraction: mix([0, 0.5, 1], dbl(0, 1)),
        tieExtremes: fc.boolean(),
        lookaheadDays: mix([0, 1, 1e6], dbl(0, 1e6)),
        initialMarginFactor: mix([1, 1e6], dbl(1, 1e6)),
        // Two different legs need two underlyings (a unique pair of one name never ends).
        spreadCredits:
          underlyings.length < 2
            ? fc.constant(undefined)
            : fc.option(
                fc.array(
                  fc.record({
                    legs: fc.uniqueArray(u, { minLength: 2, maxLength: 2 }),
                    rate: mix([0, 1], dbl(0, 1)),
                  }),
                  { maxLength: 3 },
                ),
                { nil: undefined },
              ),
      })
      return fc.record({
        market: fc
          .record({
            quotes: fc.array(fc.record({ price: profile.price, vol: profile.vol }), {
              minLength: underlyings.length,
              maxLength: underlyings.length,
            }),
            assetQuotes: fc.array(asset, { minLength: assets.length, maxLength: assets.length }),
          })
          .map(({ quotes, assetQuotes }) => ({
            timestamp,
            underlyings: record(underlyings.map((n, i) => [n, quotes[i]])),
            assets: record(assets.map((n, i) => [n, assetQuotes[i]])),
          })),
        params: paramsOf
          .filter(
            (p) => !p.spreadCredits || underlyings.length >= 2 || p.spreadCredits.length === 0,
          )
          .map((p) => {
            const maxScan = Math.max(...p.scans.map((s) => s.priceScanRange))
            let extremeMove = p.tieExtremes ? 1 : (p.extremeShare / maxScan) * BELOW_ONE
            if (!Number.isFinite(extremeMove)) extremeMove = Number.MAX_VALUE
            while (extremeMove * maxScan >= 1) extremeMove = (extremeMove * BELOW_ONE) / 2
            const params: Json = {
              underlyings: record(underlyings.map((n, i) => [n, p.scans[i]])),
              extremeMove,
              extremeCoverFraction: p.tieExtremes ? 1 : p.extremeCoverFraction,
              lookaheadDays: p.lookaheadDays,
              initialMarginFactor: p.initialMarginFactor,
            }
            if (p.spreadCredits) params['spreadCredits'] = p.spreadCredits
            return params
          }),
        portfolio: fc.record({
          cash: profile.cash,
          collateral: fc.array(
            fc.record({ chain: pick(CHAINS), asset: pick(assets), amount: profile.amount }),
            { minLength: options.full ? 1 : 0, maxLength: 4 },
          ),
          positions: fc.array(position, { minLength: options.full ? 1 : 0, maxLength: 8 }),
        }),
      })
    })
    .map((docs) => (options.full ? withEveryKind(docs) : docs))
}

function haircut(): fc.Arbitrary<number> {
  return mix([0, BELOW_ONE, MIN_SUBNORMAL], dbl(0, BELOW_ONE))
}

/** Add a fixed and a tracking asset, a perp, a future, an option and a spread credit if missing. */
function withEveryKind(docs: Docs): Docs {
  const d = structuredClone(docs)
  const [u] = Object.keys(d.market['underlyings']) as [string]
  const ts: number = d.market['timestamp']
  d.market['assets']['FIXED!'] = { price: 1, haircut: 0 }
  d.market['assets']['TRACK!'] = { underlying: u, haircut: 0.1 }
  d.portfolio['collateral'].push(
    { chain: 'c', asset: 'FIXED!', amount: 10 },
    { chain: 'c', asset: 'TRACK!', amount: 1 },
  )
  d.portfolio['positions'].push(
    { chain: 'c', instrument: { kind: 'perp', underlying: u }, quantity: 1, entryPrice: 2 },
    {
      chain: 'c',
      instrument: { kind: 'future', underlying: u, expiry: ts + 86_400 },
      quantity: -1,
      entryPrice: 3,
    },
    {
      chain: 'c',
      instrument: { kind: 'option', underlying: u, type: 'put', strike: 4, expiry: ts + 86_400 },
      quantity: -1,
    },
  )
  const names = Object.keys(d.params['underlyings'])
  if (names.length < 2) {
    d.market['underlyings']['SECOND!'] = { price: 5, vol: 0.5 }
    d.params['underlyings']['SECOND!'] = {
      // The first underlying's scan range keeps extremeMove valid.
      priceScanRange: d.params['underlyings'][u].priceScanRange,
      volScanRange: 0.1,
      shortOptionMinimum: 0,
    }
    names.push('SECOND!')
  }
  d.params['spreadCredits'] = [
    ...(d.params['spreadCredits'] ?? []),
    { legs: names.slice(0, 2), rate: 0.5 },
  ]
  return d
}
