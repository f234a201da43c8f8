/** Invariants of XM-1 that any correct implementation keeps, checked with fast-check. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { figuresDifference, relativeDifference } from '../aggregator/bench/risk-bench.ts'
import { BatchEngine } from '../aggregator/risk/batch/engine.ts'
import { computeMargin } from '../aggregator/risk/reference.ts'
import type { MarginFigures } from '../aggregator/risk/types.ts'
import { validateInputs } from '../aggregator/risk/validate.ts'
import { CHAIN, PORTFOLIO, POSITION, SPREAD_CREDITS } from './helpers/arbitraries.ts'
import { handDocuments } from './helpers/documents.ts'

const RUNS = { numRuns: 150 }

function margin(portfolio: unknown, params: Record<string, unknown> = {}): MarginFigures {
  const docs = handDocuments(portfolio as Record<string, unknown>, params)
  return computeMargin(validateInputs(docs.market, docs.params, docs.portfolio))
}

/** Same figures up to float summation order. */
function expectSame(a: MarginFigures, b: MarginFigures): void {
  expect(figuresDifference(a, b)).toBeLessThanOrEqual(1e-9)
}

describe('XM-1 properties', () => {
  it('chain labels never change a figure', () => {
    fc.assert(
      fc.property(PORTFOLIO, CHAIN, (p, chain) => {
        const relabelled = {
          ...p,
          collateral: p.collateral.map((c) => ({ ...c, chain })),
          positions: p.positions.map((x) => ({ ...x, chain })),
        }
        expect(margin(relabelled)).toEqual(margin(p))
      }),
      RUNS,
    )
  })

  it('moving one position or holding to another chain changes nothing', () => {
    fc.assert(
      fc.property(PORTFOLIO, fc.nat(), CHAIN, (p, pick, chain) => {
        const items = p.positions.length + p.collateral.length
        fc.pre(items > 0)
        const i = pick % items
        const moved =
          i < p.positions.length
            ? { ...p, positions: p.positions.map((x, j) => (j === i ? { ...x, chain } : x)) }
            : {
                ...p,
                collateral: p.collateral.map((c, j) =>
                  j === i - p.positions.length ? { ...c, chain } : c,
                ),
              }
        expect(margin(moved)).toEqual(margin(p))
      }),
      RUNS,
    )
  })

  it('an equal long and short of one instrument on two chains require the same as neither', () => {
    fc.assert(
      fc.property(PORTFOLIO, POSITION, CHAIN, fc.nat(), (p, pos, otherChain, at) => {
        const short = { ...pos, chain: otherChain, quantity: -pos.quantity }
        const positions = [...p.positions]
        positions.splice(at % (positions.length + 1), 0, pos)
        positions.push(short)
        const a = margin({ ...p, positions })
        const b = margin(p)
        for (const key of ['equity', 'maintenanceMargin', 'initialMargin'] as const) {
          expect(relativeDifference(a[key], b[key]), key).toBeLessThanOrEqual(1e-9)
        }
      }),
      RUNS,
    )
  })

  it('scaling every quantity, amount and cash by k scales equity, MM and IM by k', () => {
    fc.assert(
      fc.property(PORTFOLIO, fc.double({ min: 0.01, max: 100, noNaN: true }), (p, k) => {
        const scaled = {
          cash: p.cash * k,
          collateral: p.collateral.map((c) => ({ ...c, amount: c.amount * k })),
          positions: p.positions.map((x) => ({ ...x, quantity: x.quantity * k })),
        }
        const a = margin(scaled)
        const b = margin(p)
        for (const key of ['equity', 'maintenanceMargin', 'initialMargin'] as const) {
          expect(relativeDifference(a[key], b[key] * k), key).toBeLessThanOrEqual(1e-9)
        }
      }),
      RUNS,
    )
  })

  // Spec section 5 read literally: a credit consumes min(avail(a), avail(b))
  // whatever its rate, so a rate-0 credit placed before another one on the same
  // legs blocks it. Skipping rate 0 would make margin jump between rate 1e-300
  // and 0, so we keep the literal, conservative reading: appended, a rate-0
  // credit changes nothing; placed anywhere, it never lowers margin.
  it('adding a spread credit of rate 0 (after the others) changes nothing', () => {
    fc.assert(
      fc.property(PORTFOLIO, SPREAD_CREDITS, (p, credits) => {
        const withZero = [...credits, { legs: ['X', 'Y'], rate: 0 }]
        expect(margin(p, { spreadCredits: withZero })).toEqual(
          margin(p, { spreadCredits: credits }),
        )
      }),
      RUNS,
    )
  })

  it('adding a spread credit of rate 0 anywhere never lowers maintenance margin', () => {
    fc.assert(
      fc.property(PORTFOLIO, SPREAD_CREDITS, fc.nat(), (p, credits, at) => {
        const withZero = [...credits]
        withZero.splice(at % (credits.length + 1), 0, { legs: ['Y', 'X'], rate: 0 })
        const before = margin(p, { spreadCredits: credits }).maintenanceMargin
        expect(margin(p, { spreadCredits: withZero }).maintenanceMargin).toBeGreaterThanOrEqual(
          before,
        )
      }),
      RUNS,
    )
  })

  it('with one spread credit, a higher rate never raises maintenance margin', () => {
    fc.assert(
      fc.property(
        PORTFOLIO,
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, r1, r2) => {
          const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1]
          const mmLow = margin(p, {
            spreadCredits: [{ legs: ['X', 'Y'], rate: low }],
          }).maintenanceMargin
          const mmHigh = margin(p, {
            spreadCredits: [{ legs: ['X', 'Y'], rate: high }],
          }).maintenanceMargin
          expect(mmHigh).toBeLessThanOrEqual(mmLow * (1 + 1e-12) + 1e-12)
        },
      ),
      RUNS,
    )
  })

  it('the batch engine equals the reference engine, also after price ticks', () => {
    const tick = fc.record({
      underlying: fc.constantFrom('X', 'Y'),
      move: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
      vol: fc.double({ min: 0.1, max: 1.5, noNaN: true }),
    })
    fc.assert(
      fc.property(
        fc.array(PORTFOLIO, { minLength: 1, maxLength: 8 }),
        SPREAD_CREDITS,
        fc.array(tick, { maxLength: 4 }),
        (books, credits, ticks) => {
          const docs = handDocuments({}, { spreadCredits: credits })
          const inputs = books.map((p) => validateInputs(docs.market, docs.params, p))
          const { params } = inputs[0]!
          let market = inputs[0]!.market
          const engine = BatchEngine.build(
            market,
            params,
            inputs.map((i) => i.portfolio),
          )
          for (const t of ticks) {
            const quote = {
              price: market.underlyings.get(t.underlying)!.price * (1 + t.move),
              vol: t.vol,
            }
            market = {
              ...market,
              underlyings: new Map(market.underlyings).set(t.underlying, quote),
            }
            engine.updateUnderlying(t.underlying, quote)
          }
          inputs.forEach(({ portfolio }, a) => {
            const reference = computeMargin({ market, params, portfolio })
            const batch = engine.figures(a)
            expectSame(batch, reference)
            expect(batch.underlyings).toEqual(
              Object.fromEntries(
                Object.entries(reference.underlyings).map(([u, r]) => [
                  u,
                  { ...r, scanRisk: batch.underlyings[u]!.scanRisk },
                ]),
              ),
            )
          })
        },
      ),
      { numRuns: 100 },
    )
  })
})
