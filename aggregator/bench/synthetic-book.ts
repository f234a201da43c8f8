/**
 * A deterministic synthetic book for benchmarks and tests: a market with
 * several underlyings, an instrument universe (half options), and accounts
 * with positions spread over a few underlyings plus collateral on several
 * chains. The same seed gives the same book.
 */
import type {
  AssetQuote,
  CollateralHolding,
  Instrument,
  Market,
  Portfolio,
  Position,
  RiskParams,
  UnderlyingParams,
  UnderlyingQuote,
} from '../risk/types.ts'

export interface BookShape {
  readonly accounts: number
  readonly underlyings: number
  readonly instruments: number
  readonly positionsPerAccount: number
  readonly underlyingsPerAccount: number
  readonly collateralPerAccount: number
  readonly seed: number
}

export const BENCH_SHAPE: BookShape = {
  accounts: 100_000,
  underlyings: 10,
  instruments: 200,
  positionsPerAccount: 16,
  underlyingsPerAccount: 4,
  collateralPerAccount: 4,
  seed: 42,
}

export interface SyntheticBook {
  readonly market: Market
  readonly params: RiskParams
  readonly portfolios: Portfolio[]
  readonly underlyingNames: readonly string[]
}

/** A small, fast, seedable PRNG (xorshift32); quality is ample for test data. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x1_0000_0000
  }
}

const CHAINS = ['ethereum', 'arbitrum', 'base', 'optimism'] as const
const DAY = 86_400
const TIMESTAMP = 1_767_225_600

export function syntheticBook(shape: BookShape): SyntheticBook {
  const rand = rng(shape.seed)
  const between = (lo: number, hi: number): number => lo + (hi - lo) * rand()
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!

  const names = Array.from(
    { length: shape.underlyings },
    (_, i) => `U${String(i).padStart(2, '0')}`,
  )
  const quotes = new Map<string, UnderlyingQuote>(
    names.map((u) => [u, { price: Math.exp(between(0, 11)), vol: between(0.35, 1.1) }]),
  )
  const assets = new Map<string, AssetQuote>([
    ['USDC', { kind: 'fixed', price: 1, haircut: 0 }],
    ['USDT', { kind: 'fixed', price: 0.998, haircut: 0.02 }],
    ...names.map((u): [string, AssetQuote] => [
      `W${u}`,
      { kind: 'underlying', underlying: u, haircut: between(0.03, 0.15) },
    ]),
  ])
  const market: Market = { timestamp: TIMESTAMP, underlyings: quotes, assets }
  const params: RiskParams = {
    underlyings: new Map<string, UnderlyingParams>(
      names.map((u) => [
        u,
        {
          priceScanRange: between(0.08, 0.2),
          volScanRange: between(0.2, 0.4),
          shortOptionMinimum: between(0.005, 0.01),
        },
      ]),
    ),
    extremeMove: 2,
    extremeCoverFraction: 0.35,
    lookaheadDays: 1,
    initialMarginFactor: 1.25,
    spreadCredits: names
      .slice(1)
      .map((u, i) => ({ legs: [names[i]!, u] as const, rate: between(0.2, 0.7) })),
  }

  const perUnderlying = Math.max(2, Math.floor(shape.instruments / shape.underlyings))
  const universe = new Map<string, Instrument[]>(
    names.map((u) => [
      u,
      Array.from({ length: perUnderlying }, (_, j) =>
        instrumentFor(u, j, quotes.get(u)!.price, between),
      ),
    ]),
  )

  const portfolios: Portfolio[] = []
  for (let a = 0; a < shape.accounts; a++) {
    const own = pickDistinct(names, shape.underlyingsPerAccount, rand)
    const positions: Position[] = []
    for (let i = 0; i < shape.positionsPerAccount; i++) {
      const u = own[i % own.length]!
      const instrument = pick(universe.get(u)!)
      const price = quotes.get(u)!.price
      const quantity = ((rand() < 0.5 ? -1 : 1) * between(500, 20_000)) / price
      const chain = pick(CHAINS)
      positions.push(
        instrument.kind === 'option'
          ? { chain, instrument, quantity }
          : { chain, instrument, quantity, entryPrice: price * between(0.9, 1.1) },
      )
    }
    const collateral: CollateralHolding[] = Array.from(
      { length: shape.collateralPerAccount },
      (_, i) => {
        const asset = i % 2 === 0 ? pick(['USDC', 'USDT']) : `W${pick(own)}`
        const price = asset.startsWith('W') ? quotes.get(asset.slice(1))!.price : 1
        return { chain: pick(CHAINS), asset, amount: between(5_000, 80_000) / price }
      },
    )
    portfolios.push({ cash: between(-20_000, 40_000), collateral, positions })
  }
  return { market, params, portfolios, underlyingNames: names }
}

/** Instrument j of an underlying: even j options (calls and puts), odd j a perp or futures. */
function instrumentFor(
  u: string,
  j: number,
  price: number,
  between: (lo: number, hi: number) => number,
): Instrument {
  const expiry = TIMESTAMP + Math.round(between(2, 365)) * DAY
  if (j % 2 === 0) {
    const type = j % 4 === 0 ? 'call' : 'put'
    return { kind: 'option', underlying: u, type, strike: price * between(0.6, 1.5), expiry }
  }
  return j === 1 ? { kind: 'perp', underlying: u } : { kind: 'future', underlying: u, expiry }
}

function pickDistinct<T>(items: readonly T[], count: number, rand: () => number): T[] {
  const pool = [...items]
  const out: T[] = []
  while (out.length < Math.min(count, items.length))
    out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]!)
  return out
}
