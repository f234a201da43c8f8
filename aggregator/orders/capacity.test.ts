/**
 * E9 at each boundary of the circuit (just inside admitted, just outside
 * refused and named), and against the prover itself: every portfolio
 * checkCapacity admits builds a leaf and a circuit input, and passes every
 * range check solvency.circom makes, even with every price doubled.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { LIMITS } from '../../circuits/fixed-point.ts'
import { buildMarketTable, CAPACITY, type MarketTable } from '../../circuits/market-table.ts'
import { type Hasher, poseidonHasher } from '../../circuits/poseidon.ts'
import { StateTree } from '../../circuits/trees.ts'
import { type AccountLeaf, accountLeaf, circuitInput, leafHash } from '../../circuits/witness.ts'
import { ComputationError, InputError } from '../errors.ts'
import type {
  AssetQuote,
  CollateralHolding,
  Instrument,
  Market,
  Portfolio,
  Position,
  RiskParams,
  UnderlyingParams,
} from '../risk/types.ts'
import {
  type CapacityLimit,
  checkCapacity,
  MAGNITUDE_MAX_USD,
  MARKET_CAPACITY,
} from './capacity.ts'

const T0 = 1_767_225_600
const DAY = 86_400
const UNDERLYINGS = ['ETH', 'BTC', 'SOL', 'LINK', 'DOGE', 'TINY'] as const
const PRICES: Record<string, number> = {
  ETH: 3000,
  BTC: 90_000,
  SOL: 150,
  LINK: 20,
  DOGE: 0.2,
  TINY: 1e-6,
}

function marketWith(
  assets: [string, AssetQuote][] = [],
  prices: Record<string, number> = PRICES,
): Market {
  return {
    timestamp: T0,
    underlyings: new Map(Object.entries(prices).map(([u, price]) => [u, { price, vol: 0.7 }])),
    assets: new Map<string, AssetQuote>([
      ['USDC', { kind: 'fixed', price: 1, haircut: 0 }],
      ['WETH', { kind: 'underlying', underlying: 'ETH', haircut: 0.05 }],
      ['WBTC', { kind: 'underlying', underlying: 'BTC', haircut: 0.05 }],
      ['WSOL', { kind: 'underlying', underlying: 'SOL', haircut: 0.1 }],
      ['WLINK', { kind: 'underlying', underlying: 'LINK', haircut: 0.1 }],
      ['WDOGE', { kind: 'underlying', underlying: 'DOGE', haircut: 0.2 }],
      ['MICRO', { kind: 'fixed', price: 1e-6, haircut: 0 }],
      ...assets,
    ]),
  }
}

const UNDERLYING_PARAMS: UnderlyingParams = {
  priceScanRange: 0.15,
  volScanRange: 0.3,
  shortOptionMinimum: 0.005,
}

function paramsFor(names: readonly string[] = UNDERLYINGS): RiskParams {
  return {
    underlyings: new Map(names.map((u) => [u, UNDERLYING_PARAMS])),
    extremeMove: 2,
    extremeCoverFraction: 0.35,
    lookaheadDays: 1,
    initialMarginFactor: 1.25,
    spreadCredits: [],
  }
}

const MARKET = marketWith()
const PARAMS = paramsFor()

const perp = (underlying: string): Instrument => ({ kind: 'perp', underlying })
const future = (underlying: string, days: number): Instrument => ({
  kind: 'future',
  underlying,
  expiry: T0 + days * DAY,
})
const call = (underlying: string, strike: number): Instrument => ({
  kind: 'option',
  underlying,
  type: 'call',
  strike,
  expiry: T0 + 30 * DAY,
})

function position(
  instrument: Instrument,
  quantity: number,
  entryPrice = 1,
  chain = 'base',
): Position {
  return instrument.kind === 'option'
    ? { chain, instrument, quantity }
    : { chain, instrument, quantity, entryPrice }
}

const holding = (asset: string, amount: number, chain = 'base'): CollateralHolding => ({
  chain,
  asset,
  amount,
})

const portfolio = (p: Partial<Portfolio>): Portfolio => ({
  cash: 0,
  collateral: [],
  positions: [],
  ...p,
})

/** `n` distinct instruments on one underlying (futures a day apart). */
const futures = (n: number, quantity = 1) =>
  Array.from({ length: n }, (_, i) => position(future('ETH', i + 1), quantity, 3000))

/** The largest float quantity whose 1e-8 units round below 2^64 (doubles there are 2048 apart). */
const BELOW_2_64_UNITS = (2 ** 64 - 4096) / 1e8

let hash: Hasher
beforeAll(async () => {
  hash = await poseidonHasher()
})

/** What the prover does with the account: table, leaf, state tree, circuit input. */
function prove(
  p: Portfolio,
  market = MARKET,
  params = PARAMS,
): { leaf: AccountLeaf; table: MarketTable } {
  const table = buildMarketTable(
    hash,
    market,
    params,
    p.positions.map((x) => x.instrument),
  )
  const leaf = accountLeaf({ market, params, portfolio: p }, table, 7n, 11n)
  const tree = new StateTree(hash)
  tree.set(0, leafHash(hash, leaf))
  circuitInput(table, tree, 0, leaf, 1n, hash)
  return { leaf, table }
}

interface Boundary {
  readonly name: string
  readonly portfolio: Portfolio
  readonly market?: Market
  readonly params?: RiskParams
  /** null: admitted (and the prover takes it); else the limit named */
  readonly want: CapacityLimit | null
}

const ENTRY_LIMIT = 2 ** Number(LIMITS.entryPrice)

const BOUNDARIES: Boundary[] = [
  { name: 'an empty account', portfolio: portfolio({}), want: null },
  // positions, netted per instrument
  { name: '16 positions', portfolio: portfolio({ positions: futures(16) }), want: null },
  { name: '17 positions', portfolio: portfolio({ positions: futures(17) }), want: 'positions' },
  {
    name: '17 positions, one netted to zero across chains (its basis into cash)',
    portfolio: portfolio({
      positions: [
        ...futures(16),
        position(perp('ETH'), 1, 3000, 'base'),
        position(perp('ETH'), -1, 3100, 'arbitrum'),
      ],
    }),
    want: null,
  },
  {
    name: '17 lines on 16 instruments (one on two chains)',
    portfolio: portfolio({
      positions: [...futures(16), position(future('ETH', 1), 2, 3000, 'arbitrum')],
    }),
    want: null,
  },
  // underlyings with price risk
  {
    name: '4 underlyings',
    portfolio: portfolio({
      positions: ['ETH', 'BTC', 'SOL', 'LINK'].map((u) => position(perp(u), 1, PRICES[u])),
    }),
    want: null,
  },
  {
    name: '5 underlyings',
    portfolio: portfolio({
      positions: ['ETH', 'BTC', 'SOL', 'LINK', 'DOGE'].map((u) => position(perp(u), 1, PRICES[u])),
    }),
    want: 'underlyings',
  },
  {
    name: '4 underlyings, collateral tracking one of them and a stablecoin',
    portfolio: portfolio({
      positions: ['ETH', 'BTC', 'SOL', 'LINK'].map((u) => position(perp(u), 1, PRICES[u])),
      collateral: [holding('WETH', 2), holding('USDC', 1000)],
    }),
    want: null,
  },
  {
    name: '4 underlyings and collateral tracking a fifth',
    portfolio: portfolio({
      positions: ['ETH', 'BTC', 'SOL', 'LINK'].map((u) => position(perp(u), 1, PRICES[u])),
      collateral: [holding('WDOGE', 100)],
    }),
    want: 'underlyings',
  },
  {
    name: '4 underlyings and dust below 1e-8 of a fifth (the leaf drops it)',
    portfolio: portfolio({
      positions: ['ETH', 'BTC', 'SOL', 'LINK'].map((u) => position(perp(u), 1, PRICES[u])),
      collateral: [holding('WDOGE', 9e-9)],
    }),
    want: null,
  },
  {
    name: 'a short call has price risk too',
    portfolio: portfolio({
      positions: [
        ...['ETH', 'BTC', 'SOL', 'LINK'].map((u) => position(perp(u), 1, PRICES[u])),
        position(call('DOGE', 0.3), -10),
      ],
    }),
    want: 'underlyings',
  },
  // collateral assets
  {
    name: '8 collateral assets',
    portfolio: portfolio({
      collateral: ['USDC', 'WETH', 'WBTC', 'WSOL', 'WLINK', 'MICRO', 'S1', 'S2'].map((a) =>
        holding(a, 1),
      ),
    }),
    market: marketWith(stables(3)),
    want: null,
  },
  {
    name: '9 collateral assets',
    portfolio: portfolio({
      collateral: ['USDC', 'WETH', 'WBTC', 'WSOL', 'WLINK', 'MICRO', 'S1', 'S2', 'S3'].map((a) =>
        holding(a, 1),
      ),
    }),
    market: marketWith(stables(3)),
    want: 'collateral',
  },
  {
    name: '8 collateral assets and dust of a ninth',
    portfolio: portfolio({
      collateral: [
        ...['USDC', 'WETH', 'WBTC', 'WSOL', 'WLINK', 'MICRO', 'S1', 'S2'].map((a) => holding(a, 1)),
        holding('S3', 5e-9),
      ],
    }),
    market: marketWith(stables(3)),
    want: null,
  },
  {
    name: 'one asset on several chains is one',
    portfolio: portfolio({
      collateral: ['base', 'arbitrum', 'optimism'].flatMap((chain) =>
        ['USDC', 'WETH', 'WBTC'].map((a) => holding(a, 1, chain)),
      ),
    }),
    want: null,
  },
  // magnitudes in 1e-8 units
  {
    name: '|net quantity| just below 2^64 * 1e-8',
    portfolio: portfolio({ positions: [position(perp('TINY'), -BELOW_2_64_UNITS, 1e-6)] }),
    want: null,
  },
  {
    name: '|net quantity| of 2^64 * 1e-8',
    portfolio: portfolio({ positions: [position(perp('TINY'), 2 ** 64 / 1e8, 1e-6)] }),
    want: 'quantity',
  },
  {
    name: 'two chains that net past 2^64 * 1e-8',
    portfolio: portfolio({
      positions: [
        position(perp('TINY'), BELOW_2_64_UNITS, 1e-6, 'base'),
        position(perp('TINY'), 1e7, 1e-6, 'arbitrum'),
      ],
    }),
    want: 'quantity',
  },
  {
    name: '8 decimals',
    portfolio: portfolio({ positions: [position(perp('ETH'), 1.00000001, 3000)] }),
    want: null,
  },
  {
    name: 'half a 1e-8 unit (the leaf cannot round it: more than 8 decimals)',
    portfolio: portfolio({ positions: [position(perp('ETH'), 1.5e-8, 3000)] }),
    want: 'decimals',
  },
  {
    name: 'a ninth decimal within the leaf’s tolerance (1e-6 of the quantity) is rounded, not refused',
    portfolio: portfolio({ positions: [position(perp('ETH'), 1.000000001, 3000)] }),
    want: null,
  },
  {
    name: 'float noise of netting: 0.1 + 0.2 - 0.3 is flat',
    portfolio: portfolio({
      positions: [
        position(perp('ETH'), 0.1, 3000, 'base'),
        position(perp('ETH'), 0.2, 3000, 'arbitrum'),
        position(perp('ETH'), -0.3, 3000, 'optimism'),
      ],
    }),
    want: null,
  },
  {
    name: 'collateral just below 2^64 * 1e-8',
    portfolio: portfolio({ collateral: [holding('MICRO', BELOW_2_64_UNITS)] }),
    want: null,
  },
  {
    name: 'collateral of 2^64 * 1e-8',
    portfolio: portfolio({ collateral: [holding('MICRO', 2 ** 64 / 1e8)] }),
    want: 'collateralAmount',
  },
  {
    name: 'collateral summed across chains past 2^64 * 1e-8',
    portfolio: portfolio({
      collateral: [holding('MICRO', BELOW_2_64_UNITS, 'base'), holding('MICRO', 1e7, 'arbitrum')],
    }),
    want: 'collateralAmount',
  },
  // entry price in 1e-6 USD
  {
    name: 'an average entry of (2^48 - 1) * 1e-6 USD',
    portfolio: portfolio({ positions: [position(perp('ETH'), 1, (ENTRY_LIMIT - 1) / 1e6)] }),
    want: null,
  },
  {
    name: 'an average entry below 2^48 * 1e-6 USD that rounds up to it',
    portfolio: portfolio({ positions: [position(perp('ETH'), 1, (ENTRY_LIMIT - 0.25) / 1e6)] }),
    want: 'entryPrice',
  },
  {
    name: 'an average entry past 2^48 * 1e-6 USD: the leaf moves its basis into cash',
    portfolio: portfolio({ positions: [position(perp('ETH'), 1, (2 * ENTRY_LIMIT) / 1e6)] }),
    want: null,
  },
  {
    name: 'a short at an average of 2^48 * 1e-6 USD less a quarter (rounded down)',
    portfolio: portfolio({ positions: [position(perp('ETH'), -1, (ENTRY_LIMIT - 0.25) / 1e6)] }),
    want: null,
  },
  // cash in 1e-6 USD, and the bound on equity and losses
  {
    name: 'cash of -2^64 * 1e-6 USD',
    portfolio: portfolio({ cash: -(2 ** 64) / 1e6 }),
    want: 'cash',
  },
  {
    name: 'cash of 2^64 * 1e-6 USD',
    portfolio: portfolio({ cash: 2 ** 64 / 1e6 }),
    want: 'cash',
  },
  {
    name: 'cash below 2^64 * 1e-6 USD: within its limit, past the tighter magnitude bound',
    portfolio: portfolio({ cash: (2 ** 64 - 4096) / 1e6 }),
    want: 'magnitude',
  },
  {
    name: 'a basis moved into cash that takes cash past 2^64 * 1e-6 USD',
    portfolio: portfolio({
      positions: [
        position(perp('ETH'), 1e7, 3000, 'base'),
        position(perp('ETH'), -1e7, 3000 + 2 ** 65 / 1e13, 'arbitrum'),
      ],
    }),
    want: 'cash',
  },
  {
    name: 'cash just within the magnitude bound',
    portfolio: portfolio({ cash: MAGNITUDE_MAX_USD - 1 }),
    want: null,
  },
  {
    name: 'cash just past the magnitude bound',
    portfolio: portfolio({ cash: -MAGNITUDE_MAX_USD - 0.001 }),
    want: 'magnitude',
  },
  {
    name: 'ETH exposure within the bound: |q| * (2 * spot + entry)',
    portfolio: portfolio({ positions: [position(perp('ETH'), 10_000_000, 3000)] }),
    want: null,
  },
  {
    name: 'ETH exposure past it',
    portfolio: portfolio({ positions: [position(perp('ETH'), 11_000_000, 3000)] }),
    want: 'magnitude',
  },
  {
    name: 'collateral past it',
    portfolio: portfolio({ collateral: [holding('USDC', MAGNITUDE_MAX_USD * 1.01)] }),
    want: 'magnitude',
  },
  // the market table
  {
    name: 'a held underlying priced past the table’s 64-bit marks',
    portfolio: portfolio({ positions: [position(perp('HUGE'), 1e-8, 1)] }),
    market: marketWith([], { ...PRICES, HUGE: 2 ** 64 / 1e6 }),
    params: paramsFor([...UNDERLYINGS, 'HUGE']),
    want: 'mark',
  },
  {
    name: 'an asset priced past the table’s 64-bit marks, even unheld',
    portfolio: portfolio({}),
    market: marketWith([['GOLDBAR', { kind: 'fixed', price: 2 ** 64 / 1e6, haircut: 0 }]]),
    want: 'mark',
  },
  {
    name: '16 market assets',
    portfolio: portfolio({}),
    market: marketWith(stables(MARKET_CAPACITY.assets - 7)),
    want: null,
  },
  {
    name: '17 market assets',
    portfolio: portfolio({}),
    market: marketWith(stables(MARKET_CAPACITY.assets - 6)),
    want: 'marketAssets',
  },
  {
    name: '15 underlyings in the parameters',
    portfolio: portfolio({}),
    params: paramsFor(names(15)),
    market: marketWith([], Object.fromEntries(names(15).map((u) => [u, 1]))),
    want: null,
  },
  {
    name: '16 underlyings in the parameters',
    portfolio: portfolio({}),
    params: paramsFor(names(16)),
    market: marketWith([], Object.fromEntries(names(16).map((u) => [u, 1]))),
    want: 'marketUnderlyings',
  },
]

function stables(n: number): [string, AssetQuote][] {
  return Array.from({ length: n }, (_, i) => [`S${i + 1}`, { kind: 'fixed', price: 1, haircut: 0 }])
}

function names(n: number): string[] {
  return [...UNDERLYINGS, ...Array.from({ length: n - UNDERLYINGS.length }, (_, i) => `U${i}`)]
}

describe('checkCapacity at each boundary', () => {
  it.each(BOUNDARIES.map((b) => [b.name, b] as const))('%s', (_, b) => {
    const market = b.market ?? MARKET
    const params = b.params ?? PARAMS
    const got = checkCapacity(b.portfolio, market, params)
    if (b.want === null) {
      expect(got).toBeNull()
      const { leaf } = prove(b.portfolio, market, params)
      expectCircuitRanges(leaf, prove(b.portfolio, market, params).table)
    } else {
      expect(got?.limit).toBe(b.want)
      // the first figure past the limit: equal to max where doubles cannot tell 2^k - 1 from 2^k
      expect(got!.value).toBeGreaterThanOrEqual(got!.max)
      expect(got!.message.length).toBeGreaterThan(0)
    }
  })

  it('names counts as counts', () => {
    expect(checkCapacity(portfolio({ positions: futures(17) }), MARKET)).toMatchObject({
      limit: 'positions',
      value: 17,
      max: CAPACITY.positions,
    })
  })

  it('the entry that rounds up to 2^48 is one the prover would commit, and the circuit refuse', () => {
    const p = portfolio({ positions: [position(perp('ETH'), 1, (ENTRY_LIMIT - 0.25) / 1e6)] })
    const { leaf } = prove(p)
    // circuits/witness.ts does not range-check the rounded entry; solvency.circom does (48 bits)
    expect(leaf.positions[0]!.entry).toBe(2n ** LIMITS.entryPrice)
  })

  it('without parameters, a short option minimum of the whole spot is assumed', () => {
    const short = (q: number) => portfolio({ positions: [position(call('ETH', 3000), q)] })
    // bound per unit: 2 * 3000 + 3000 (strike), plus 3000 owed as the minimum when short
    const longMax = MAGNITUDE_MAX_USD / 9000
    const shortMax = MAGNITUDE_MAX_USD / 12000
    expect(checkCapacity(short(Math.floor(longMax * 0.999)), MARKET)).toBeNull()
    expect(checkCapacity(short(-Math.floor(shortMax * 1.001)), MARKET)?.limit).toBe('magnitude')
    expect(checkCapacity(short(-Math.floor(shortMax * 0.999)), MARKET)).toBeNull()
  })

  it('a figure that is not finite is a computation error, an unknown name an input error', () => {
    expect(() => checkCapacity(portfolio({ cash: Number.NaN }), MARKET)).toThrow(ComputationError)
    expect(() =>
      checkCapacity(
        portfolio({ positions: [position(perp('ETH'), Number.POSITIVE_INFINITY)] }),
        MARKET,
      ),
    ).toThrow(ComputationError)
    expect(() =>
      checkCapacity(portfolio({ positions: [position(perp('XRP'), 1)] }), MARKET),
    ).toThrow(InputError)
    expect(() => checkCapacity(portfolio({ collateral: [holding('GOLD', 1)] }), MARKET)).toThrow(
      InputError,
    )
  })

  it('exports what one market table holds, for the listing', () => {
    expect(MARKET_CAPACITY).toEqual({ instruments: 64, assets: 16, underlyings: 15 })
  })
})

// ---- the circuit's own range checks, from the leaf and the rows it uses

const TWO_84 = 2n ** 84n

/**
 * Every range solvency.circom checks on the account's figures: holdings
 * (lib/holding.circom), cash, equity and the short option minimum within
 * 2^84 of 1e-14 USD, and each underlying's scenario losses as ScanRisk
 * takes them (L < 2^84, L - loss in [0, 2^85)).
 */
function expectCircuitRanges(leaf: AccountLeaf, table: MarketTable): void {
  const held = [
    ...leaf.positions.map((h) => ({ h, row: table.instruments[h.index]! })),
    ...leaf.collateral.map((h) => ({ h, row: table.assets[h.index]! })),
  ]
  expect(leaf.positions.length).toBeLessThanOrEqual(CAPACITY.positions)
  expect(leaf.collateral.length).toBeLessThanOrEqual(CAPACITY.collateral)
  expect(leaf.cashAbs < 2n ** LIMITS.cash).toBe(true)
  let equity = (leaf.cashNeg ? -leaf.cashAbs : leaf.cashAbs) * 100_000_000n
  let som = 0n
  const losses = new Map<bigint, bigint[]>()
  for (const { h, row } of held) {
    expect(h.qAbs < 2n ** LIMITS.quantity).toBe(true)
    expect(h.entry < 2n ** LIMITS.entryPrice).toBe(true)
    expect(row.mark < 2n ** 64n && row.som < 2n ** 64n).toBe(true)
    const q = h.qNeg ? -h.qAbs : h.qAbs
    const shortUnits = h.qNeg ? h.qAbs : 0n
    equity += q * row.mark - q * h.entry - shortUnits
    som += shortUnits * row.som
    if (row.tag === 15n) continue
    const slot = losses.get(row.tag) ?? Array<bigint>(16).fill(0n)
    row.entries.forEach((e, k) => {
      slot[k] = slot[k]! + shortUnits - q * e
    })
    losses.set(row.tag, slot)
  }
  expect(losses.size).toBeLessThanOrEqual(CAPACITY.underlyings)
  expect(equity > -TWO_84 && equity < TWO_84).toBe(true)
  expect(som < TWO_84).toBe(true)
  for (const slot of losses.values()) {
    const L = slot.reduce((a, b) => (b > a ? b : a), 0n)
    expect(L < TWO_84).toBe(true)
    for (const loss of slot) expect(L - loss < 2n * TWO_84).toBe(true)
  }
}

// ---- the property: what checkCapacity admits, the prover takes

/** log-uniform magnitudes from tiny to past every limit */
const magnitude = (minExp: number, maxExp: number) =>
  fc
    .tuple(fc.double({ min: minExp, max: maxExp, noNaN: true }), fc.integer({ min: 1, max: 9 }))
    .map(([e, d]) => d * 10 ** Math.floor(e))

/** A quantity in whole 1e-8 units, as fills make them. */
const QUANTITY = fc
  .tuple(magnitude(-8, 11.5), fc.boolean())
  .map(([x, long]) => (long ? 1 : -1) * (Math.max(1, Math.round(x * 1e8)) / 1e8))

/** Instruments on a few underlyings, many futures among them, so that counts reach their limits. */
const instrumentOn = (pool: readonly string[]): fc.Arbitrary<Instrument> => {
  const u = fc.constantFrom(...pool)
  return fc.oneof(
    u.map(perp),
    fc.tuple(u, fc.integer({ min: 1, max: 20 })).map(([x, d]) => future(x, d)),
    fc
      .tuple(u, fc.constantFrom(0.5, 1, 2, 3), fc.constantFrom<'call' | 'put'>('call', 'put'))
      .map(([x, m, type]) => ({
        kind: 'option' as const,
        underlying: x,
        type,
        strike: Number(((PRICES[x] ?? 1) * m).toPrecision(6)),
        expiry: T0 + 30 * DAY,
      })),
  )
}
const positionOn = (pool: readonly string[]) =>
  fc
    .record({
      chain: fc.constantFrom('base', 'arbitrum'),
      instrument: instrumentOn(pool),
      quantity: QUANTITY,
      entryPrice: magnitude(-6, 9),
    })
    .map((p) => position(p.instrument, p.quantity, p.entryPrice, p.chain))
const ASSET = fc.constantFrom(
  'USDC',
  'WETH',
  'WBTC',
  'WSOL',
  'WLINK',
  'WDOGE',
  'MICRO',
  'S1',
  'S2',
  'S3',
)
const HOLDING = fc.record({
  chain: fc.constantFrom('base', 'arbitrum'),
  asset: ASSET,
  amount: magnitude(-9, 11.5),
})
const PORTFOLIO: fc.Arbitrary<Portfolio> = fc
  .subarray([...UNDERLYINGS], { minLength: 1, maxLength: 5 })
  .chain((pool) =>
    fc.record({
      cash: fc.oneof(
        magnitude(-6, 11.5),
        magnitude(-6, 11.5).map((x) => -x),
      ),
      collateral: fc.array(HOLDING, { maxLength: 14, size: 'max' }),
      positions: fc.array(positionOn(pool), { maxLength: 24, size: 'max' }),
    }),
  )
const PROPERTY_MARKET = marketWith(stables(3))

describe('checkCapacity against the prover (property)', () => {
  it('an admitted portfolio builds a leaf and circuit input within every range the circuit checks, even with every price doubled', () => {
    let admitted = 0
    fc.assert(
      fc.property(PORTFOLIO, (p) => {
        const breach = checkCapacity(p, PROPERTY_MARKET, PARAMS)
        if (breach !== null) return
        admitted++
        const { leaf, table } = prove(p, PROPERTY_MARKET)
        expectCircuitRanges(leaf, table)
        const doubled = marketWith(
          stables(3),
          Object.fromEntries(Object.entries(PRICES).map(([u, x]) => [u, 2 * x])),
        )
        const later = prove(p, doubled)
        expectCircuitRanges(later.leaf, later.table)
      }),
      { numRuns: 300 },
    )
    // the generators reach both sides of the limits
    expect(admitted).toBeGreaterThan(20)
  })
})
