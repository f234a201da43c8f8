/**
 * Fuzz cases that failed once and stay in the suite.
 *
 * SEEDS: fast-check `seed` and `path` of a property's shrunk counterexample,
 * replayed (numRuns 1) before that property's random run. A seed replays
 * the same case only while the property's arbitraries are unchanged; the
 * named cases below are the durable record, stated as documents.
 *
 * NAMED: the reported bugs, as documents with the outcome they must have.
 */
import { DEFAULT_INPUT_LIMITS } from '../../aggregator/risk/limits.ts'
import { DAY, T0 } from '../helpers/documents.ts'
import type { Docs } from './arbitraries.ts'
import type { Expected } from './mutations.ts'

export interface RegressionSeed {
  /** The property's name in the fuzz suite. */
  readonly property: string
  readonly seed: number
  readonly path: string
  /** What failed, and the fix. */
  readonly note: string
}

export const SEEDS: readonly RegressionSeed[] = [
  {
    property: 'near-tie edge',
    seed: -356989795,
    path: '3:37:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:1:1:1:1:1:1:1:1:1:1:1:1:1',
    note: 'an option at vol 5e-324: vol * sqrt(tau) underflowed to 0, d1 was 0/0 and equity NaN (computation_failed on valid input); valuation.ts now values it at the vol -> 0 limit',
  },
  {
    property: 'one rule: timestamp or expiry not whole unix seconds',
    seed: 350852253,
    path: '2:0:1:1:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:1:2:2:0:0:2:0:1:0:1:0:0:0:0:0:0:0:2:0:1',
    note: 'the mutation, not the engine: a timestamp near 9e15 plus 0.5 rounds to a whole, valid expiry; past 2^52 the mutation now writes an unsafe integer',
  },
  {
    property: 'subtree replaced',
    seed: 1947706971,
    path: '23:33:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:2:2:2:2:2:2:13:4:9:2:18:11:9:9:9:9:13:10:9:9:11:9:9:9:9:10:9:12:9:10:9:10:13:11:10:9:9:9:9:11',
    note: 'a holding of 5.8e306: the withdrawal grid computed amount * step / 32 and overflowed to Infinity, so a valid document ended in computation_failed; the grid now scales by step / 32, and a state the engine cannot value is simply not allowed',
  },
  {
    property: 'api one rule',
    seed: -1151540110,
    path: '42:0:0:1:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0',
    note: 'the same mutation through the API',
  },
]

export const seedsOf = (property: string) => SEEDS.filter((s) => s.property === property)

export interface NamedCase {
  readonly name: string
  readonly docs: Docs
  /** A report, or the input error the documents must end in. */
  readonly expect: 'report' | Expected
  /** The report's equity, where the bug was a wrong figure. */
  readonly equity?: number
}

const market = (extra: Record<string, unknown> = {}) => ({
  timestamp: T0,
  underlyings: { ETH: { price: 3000, vol: 0.7 } },
  assets: { USDC: { price: 1, haircut: 0 }, WETH: { underlying: 'ETH', haircut: 0.05 }, ...extra },
})
const params = {
  underlyings: { ETH: { priceScanRange: 0.15, volScanRange: 0.3, shortOptionMinimum: 0.005 } },
  extremeMove: 2,
  extremeCoverFraction: 0.35,
  lookaheadDays: 1,
  initialMarginFactor: 1.25,
}
const shortPerp = (quantity: number) => ({
  chain: 'base',
  instrument: { kind: 'perp', underlying: 'ETH' },
  quantity,
  entryPrice: 3000,
})

/** 10,000 positions: what a 1 MiB body can hold (about 100 bytes each). */
export function tenThousandPositions(): Docs {
  return {
    market: market(),
    params,
    portfolio: {
      cash: 0,
      collateral: [],
      positions: Array.from({ length: 10_000 }, (_, i) => shortPerp(i % 2 === 0 ? 1 : -1)),
    },
  }
}

/** The largest request the default limits admit: every position an option, every holding tracking an underlying. */
export function largestAdmitted(): Docs {
  const names = Array.from({ length: DEFAULT_INPUT_LIMITS.maxUnderlyings }, (_, i) => `U${i}`)
  return {
    market: {
      timestamp: T0,
      underlyings: Object.fromEntries(names.map((n, i) => [n, { price: 100 + i, vol: 0.5 }])),
      assets: Object.fromEntries(names.map((n) => [`W${n}`, { underlying: n, haircut: 0.1 }])),
    },
    params: {
      underlyings: Object.fromEntries(
        names.map((n) => [n, { priceScanRange: 0.1, volScanRange: 0.2, shortOptionMinimum: 0.01 }]),
      ),
      extremeMove: 2,
      extremeCoverFraction: 0.35,
      lookaheadDays: 1,
      initialMarginFactor: 1.5,
      spreadCredits: names.slice(1).map((n, i) => ({ legs: [names[i], n], rate: 0.5 })),
    },
    portfolio: {
      cash: 1e6,
      collateral: names.map((n) => ({ chain: 'a', asset: `W${n}`, amount: 1000 })),
      positions: Array.from({ length: DEFAULT_INPUT_LIMITS.maxPositions }, (_, i) => ({
        chain: 'b',
        instrument: {
          kind: 'option',
          underlying: names[i % names.length],
          type: i % 2 === 0 ? 'call' : 'put',
          strike: 90 + (i % 7) * 5,
          expiry: T0 + (1 + (i % 5)) * 30 * DAY,
        },
        quantity: i % 3 === 0 ? -10 : 7,
      })),
    },
  }
}

/** One option on X (price 100 unless given) and nothing else. */
function oneOption(quote: { price: number; vol: number }, option: Record<string, unknown>): Docs {
  return {
    market: {
      timestamp: T0,
      underlyings: { X: quote },
      assets: { USDC: { price: 1, haircut: 0 } },
    },
    params: {
      underlyings: { X: { priceScanRange: 0.1, volScanRange: 0.2, shortOptionMinimum: 0 } },
      extremeMove: 2,
      extremeCoverFraction: 0.35,
      lookaheadDays: 1,
      initialMarginFactor: 1.5,
    },
    portfolio: {
      cash: 0,
      collateral: [],
      positions: [
        {
          chain: 'a',
          instrument: { kind: 'option', underlying: 'X', expiry: T0 + 365 * DAY, ...option },
          quantity: 1,
        },
      ],
    },
  }
}

export const NAMED: readonly NamedCase[] = [
  {
    // Found by the fuzz suite (seed above): computation_failed on a valid document.
    name: 'an option at a subnormal vol is worth its intrinsic value',
    docs: oneOption({ price: 100, vol: 5e-324 }, { type: 'call', strike: 90 }),
    expect: 'report',
    equity: 10,
  },
  {
    // Found with it: sd * sd overflowed, d2 = Infinity - sd, and a put was worth 0.
    name: 'a put at vol 1e200 is worth its strike',
    docs: oneOption({ price: 100, vol: 1e200 }, { type: 'put', strike: 90 }),
    expect: 'report',
    equity: 90,
  },
  {
    // a69be50: the withdrawal bisection spun forever where float64 cannot hold 1e-6 of 1e12.
    name: '1e12 WETH against a 1e12 short perp (the withdrawal search hang)',
    docs: {
      market: market(),
      params,
      portfolio: {
        cash: 0,
        collateral: [{ chain: 'arbitrum', asset: 'WETH', amount: 1e12 }],
        positions: [shortPerp(-1e12)],
      },
    },
    expect: 'report',
  },
  {
    name: '1e12 WETH against a 1e12 long perp',
    docs: {
      market: market(),
      params,
      portfolio: {
        cash: 0,
        collateral: [{ chain: 'arbitrum', asset: 'WETH', amount: 1e12 }],
        positions: [shortPerp(1e12)],
      },
    },
    expect: 'report',
  },
  {
    name: '10,000 positions',
    docs: tenThousandPositions(),
    expect: { field: 'portfolio.positions', rule: 'too_many' },
  },
  {
    name: 'the largest request the default limits admit',
    docs: largestAdmitted(),
    expect: 'report',
  },
]
