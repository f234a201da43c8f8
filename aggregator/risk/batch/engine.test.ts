import { describe, expect, it } from 'vitest'
import { figuresDifference, runRiskBench } from '../../bench/risk-bench.ts'
import { BENCH_SHAPE, syntheticBook } from '../../bench/synthetic-book.ts'
import { computeMargin } from '../reference.ts'
import { BatchEngine } from './engine.ts'

const SHAPE = { ...BENCH_SHAPE, accounts: 400, seed: 7 }

describe('batch engine on a synthetic book', () => {
  const book = syntheticBook(SHAPE)

  it('agrees with the reference engine on every account, statuses included', () => {
    const engine = BatchEngine.build(book.market, book.params, book.portfolios)
    book.portfolios.forEach((portfolio, a) => {
      expect(
        figuresDifference(engine.figures(a), computeMargin({ ...book, portfolio })),
      ).toBeLessThanOrEqual(1e-9)
    })
  })

  it('after incremental ticks, equals an engine built from scratch on the new market', () => {
    const engine = BatchEngine.build(book.market, book.params, book.portfolios)
    let market = book.market
    const moves: Array<[string, number]> = [
      ['U03', 1.07],
      ['U00', 0.9],
      ['U03', 0.97],
      ['U07', 1.3],
    ]
    let touched = 0
    for (const [name, factor] of moves) {
      const old = market.underlyings.get(name)!
      const quote = { price: old.price * factor, vol: old.vol * factor }
      market = { ...market, underlyings: new Map(market.underlyings).set(name, quote) }
      touched += engine.updateUnderlying(name, quote)
    }
    expect(touched).toBeGreaterThan(0)
    expect(touched).toBeLessThan(moves.length * SHAPE.accounts)
    const fresh = BatchEngine.build(market, book.params, book.portfolios)
    for (let a = 0; a < SHAPE.accounts; a++) expect(engine.figures(a)).toEqual(fresh.figures(a))
  })

  it('touches only the accounts exposed to the moved underlying', () => {
    const engine = BatchEngine.build(book.market, book.params, book.portfolios)
    const exposed = book.portfolios.filter(
      (p) =>
        p.positions.some((x) => x.instrument.underlying === 'U05') ||
        p.collateral.some((c) => c.asset === 'WU05'),
    ).length
    expect(engine.updateUnderlying('U05', { price: 1, vol: 0.5 })).toBe(exposed)
  })

  it('rejects a tick for an underlying it does not know', () => {
    const engine = BatchEngine.build(book.market, book.params, book.portfolios)
    expect(() => engine.updateUnderlying('NOPE', { price: 1, vol: 1 })).toThrow(
      /unknown underlying NOPE/,
    )
  })
})

describe('bench:risk', () => {
  it('reports every figure the issue names, and the engines agree', () => {
    const result = runRiskBench({ ...SHAPE, accounts: 200 }, 1, 3)
    expect(Object.keys(result)).toEqual(
      expect.arrayContaining([
        'fullPassMs',
        'accountsPerSecond',
        'tickMs',
        'referencePassMs',
        'speedup',
        'peakRssMb',
        'maxRelativeDifference',
        'floorMs',
        'fullPassOverFloor',
        'reducedFloorMs',
        'fullPassOverReducedFloor',
        'whatIfPerSecond',
        'setPerSecond',
      ]),
    )
    expect(result.maxRelativeDifference).toBeLessThanOrEqual(1e-9)
    for (const key of ['floorMs', 'reducedFloorMs', 'whatIfPerSecond', 'setPerSecond'] as const)
      expect(result[key]).toBeGreaterThan(0)
  })
})
