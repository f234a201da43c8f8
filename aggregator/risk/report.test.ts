/**
 * Liquidation prices and withdrawable amounts: hand-derived cases, plus the
 * defining property checked on random portfolios.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { PORTFOLIO } from '../../test/helpers/arbitraries.ts'
import { handDocuments } from '../../test/helpers/documents.ts'
import { computeMargin, withPrice } from './reference.ts'
import { marginReportFor } from './report.ts'
import type { MarginInputs } from './types.ts'
import { validateInputs } from './validate.ts'

const perpX = (quantity: number) => ({
  chain: 'a',
  instrument: { kind: 'perp', underlying: 'X' },
  quantity,
  entryPrice: 100,
})

function inputs(portfolio: Record<string, unknown>): MarginInputs {
  const d = handDocuments(portfolio)
  return validateInputs(d.market, d.params, d.portfolio)
}

describe('liquidation price', () => {
  it.each([
    // Long 1 X, cash 20: equity 20 + (S - 100), MM 0.1 S (k = 13) => 0.9 S = 80.
    { name: 'long perp', cash: 20, quantity: 1, expected: 80 / 0.9 },
    // Short 1 X, cash 20: equity 120 - S, MM 0.1 S (k = 11) => 1.1 S = 120.
    { name: 'short perp', cash: 20, quantity: -1, expected: 120 / 1.1 },
  ])('$name: where equity = maintenance margin', ({ cash, quantity, expected }) => {
    const report = marginReportFor(inputs({ cash, positions: [perpX(quantity)] }))
    expect(report.liquidationPrices['X']).toBeCloseTo(expected, 8)
  })

  it('is null when no price in (0, 10 x price) brings equity to maintenance margin', () => {
    // A long call with positive cash can never lose more than its value.
    const option = {
      kind: 'option',
      underlying: 'X',
      type: 'call',
      strike: 100,
      expiry: 1_767_225_600 + 30 * 86_400,
    }
    const report = marginReportFor(
      inputs({ cash: 10, positions: [{ chain: 'a', instrument: option, quantity: 1 }] }),
    )
    expect(report.liquidationPrices).toEqual({ X: null })
  })

  it('marks a change of side on random portfolios', () => {
    fc.assert(
      fc.property(PORTFOLIO, (p) => {
        const i = inputs(p)
        for (const [u, price] of Object.entries(marginReportFor(i).liquidationPrices)) {
          if (price === null) continue
          const covered = (s: number) => {
            const f = computeMargin({ ...i, market: withPrice(i.market, u, s) })
            return f.equity >= f.maintenanceMargin
          }
          expect(covered(price * (1 - 1e-7)), `${u} at ${price}`).not.toBe(
            covered(price * (1 + 1e-7)),
          )
        }
      }),
      { numRuns: 40 },
    )
  })
})

describe('withdrawable', () => {
  it('a stablecoin: equity less initial margin, in whole micro-units', () => {
    // Cash 0, 1000 USDC, long 1 X at 100: equity 1000, IM 1.5 * 10 = 15 => 985.
    const report = marginReportFor(
      inputs({
        cash: 0,
        collateral: [{ chain: 'a', asset: 'USDC', amount: 1000 }],
        positions: [perpX(1)],
      }),
    )
    expect(report.withdrawable).toEqual([
      { chain: 'a', asset: 'USDC', amount: 985, resolution: 1e-6 },
    ])
  })

  it('all of a holding when the rest covers initial margin', () => {
    const report = marginReportFor(
      inputs({ cash: 500, collateral: [{ chain: 'b', asset: 'WX', amount: 2 }] }),
    )
    expect(report.withdrawable).toEqual([{ chain: 'b', asset: 'WX', amount: 2, resolution: 1e-6 }])
  })

  it('nothing from an account below initial margin', () => {
    const report = marginReportFor(
      inputs({
        cash: 12,
        collateral: [{ chain: 'a', asset: 'USDC', amount: 0.5 }],
        positions: [perpX(1)],
      }),
    )
    expect(report.status).toBe('restricted')
    expect(report.withdrawable[0]!.amount).toBe(0)
  })

  it('leaves initial margin covered, and no more than 1e-6 of the asset could still go', () => {
    fc.assert(
      fc.property(PORTFOLIO, (p) => {
        const i = inputs(p)
        marginReportFor(i).withdrawable.forEach(({ amount: w }, index) => {
          const holding = i.portfolio.collateral[index]!
          const passesAfter = (x: number) => {
            const collateral = i.portfolio.collateral.map((c, j) =>
              j === index ? { ...c, amount: holding.amount - x } : c,
            )
            const f = computeMargin({ ...i, portfolio: { ...i.portfolio, collateral } })
            return f.equity >= f.initialMargin
          }
          expect(w).toBeGreaterThanOrEqual(0)
          expect(w).toBeLessThanOrEqual(holding.amount)
          if (w > 0) expect(passesAfter(w)).toBe(true)
          if (w + 2e-6 < holding.amount && w > 0) expect(passesAfter(w + 2e-6)).toBe(false)
        })
      }),
      { numRuns: 40 },
    )
  })
})

describe('searches at the edge of float64 (issue 12 regressions)', () => {
  // 1e12 WETH against a short ETH perp of 1e12 once made the withdrawal search spin forever.
  it.each([
    { amount: 1e12, quantity: -1e12 },
    { amount: 8e11, quantity: -8e11 },
    { amount: 1e12, quantity: 1e12 },
    { amount: 3e9, quantity: -2.9e9 },
  ])(
    'WX $amount against a perp of $quantity ends with a stated resolution',
    ({ amount, quantity }) => {
      const i = inputs({
        cash: 0,
        collateral: [{ chain: 'b', asset: 'WX', amount }],
        positions: [perpX(quantity)],
      })
      const [w] = marginReportFor(i).withdrawable
      expect(w!.resolution).toBeGreaterThanOrEqual(1e-6)
      expect(w!.amount).toBeGreaterThanOrEqual(0)
      expect(w!.amount).toBeLessThanOrEqual(amount)
      const after = computeMargin({
        ...i,
        portfolio: {
          ...i.portfolio,
          collateral: [{ chain: 'b', asset: 'WX', amount: amount - w!.amount }],
        },
      })
      expect(after.equity).toBeGreaterThanOrEqual(after.initialMargin)
    },
  )
})

describe('withdrawals near the top of float64 (fuzz regression)', () => {
  it('a holding of 5.8e306 of a near-worthless asset is margined: the withdrawal grid does not overflow', () => {
    const d = handDocuments({
      cash: 0,
      collateral: [{ chain: 'b', asset: 'WX', amount: 5.799010112459083e306 }],
    })
    const market = d.market as { underlyings: Record<string, { price: number }> }
    market.underlyings['X']!.price = 5e-324
    const report = marginReportFor(validateInputs(d.market, d.params, d.portfolio))
    expect(report.withdrawable[0]!.amount).toBe(5.799010112459083e306)
  })
})
