/**
 * Worked examples, each derived by hand in its comment, on the market of
 * handDocuments(): X = 100 (vol 0.5), Y = 50 (vol 0.4), price scan range 10%,
 * extreme move 2 scan ranges covered at 35%, short option minimum 1%,
 * IM factor 1.5, cash 1000 unless stated.
 *
 * Options expire one day after the snapshot: with a one-day look-ahead their
 * scenario values are intrinsic (tau' = 0), and their value now is Black-76
 * with tau = 1/365: sd = 0.5 * sqrt(1/365) = 0.0261711961, d1 = sd / 2,
 * d2 = -d1, so an at-the-money call (= put) is 100 * (2 N(d1) - 1) = 1.0440498704.
 */
import { describe, expect, it } from 'vitest'
import { DAY, handDocuments, T0 } from '../../test/helpers/documents.ts'
import { computeMargin } from './reference.ts'
import type { MarginFigures } from './types.ts'
import { validateInputs } from './validate.ts'

const ATM = 1.0440498704451926
const perp = (underlying: string) => ({ kind: 'perp', underlying })
const option = (type: 'call' | 'put', strike: number) => ({
  kind: 'option',
  underlying: 'X',
  type,
  strike,
  expiry: T0 + DAY,
})

interface Example {
  name: string
  portfolio: Record<string, unknown>
  params?: Record<string, unknown>
  expected: Partial<MarginFigures>
}

const EXAMPLES: Example[] = [
  {
    // equity = 1000 + 2 (100 - 90) = 1020. Entry(k) = 100 m_k 0.1 = 10 m_k.
    // Worst: k = 13 (m = -1): loss 2 * 10 = 20; k = 16: 0.35 * 2 * 20 = 14. MM 20, IM 30.
    name: 'long perp',
    portfolio: { positions: [{ chain: 'a', instrument: perp('X'), quantity: 2, entryPrice: 90 }] },
    expected: {
      equity: 1020,
      underlyings: { X: { scanRisk: 20, scenario: 13, direction: -1 } },
      maintenanceMargin: 20,
      initialMargin: 30,
      marginRatio: 51,
      status: 'healthy',
    },
  },
  {
    // equity = 1000 - 3 (100 - 110) = 1030. Short loses on the way up:
    // k = 11 (m = +1): 3 * 10 = 30 beats k = 15: 0.35 * 3 * 20 = 21.
    name: 'short future',
    portfolio: {
      positions: [
        {
          chain: 'a',
          instrument: { kind: 'future', underlying: 'X', expiry: T0 + 90 * DAY },
          quantity: -3,
          entryPrice: 110,
        },
      ],
    },
    expected: {
      equity: 1030,
      underlyings: { X: { scanRisk: 30, scenario: 11, direction: 1 } },
      maintenanceMargin: 30,
    },
  },
  {
    // A long ATM call can lose at most its value: every scenario with S' <= 100
    // loses ATM; k = 1 (m = 0) is the first, so direction 0. equity = 1000 + ATM.
    name: 'long call',
    portfolio: { positions: [{ chain: 'a', instrument: option('call', 100), quantity: 1 }] },
    expected: {
      equity: 1000 + ATM,
      underlyings: { X: { scanRisk: ATM, scenario: 1, direction: 0 } },
      shortOptionMinimum: 0,
      maintenanceMargin: ATM,
    },
  },
  {
    // Short ATM call: k = 11 (S' = 110) loses 10 - ATM = 8.9559501; k = 15
    // (S' = 120) loses 0.35 (20 - ATM) = 6.6345825. Short option minimum
    // 1 * 1% * 100 = 1. equity = 1000 - ATM.
    name: 'short call',
    portfolio: { positions: [{ chain: 'a', instrument: option('call', 100), quantity: -1 }] },
    expected: {
      equity: 1000 - ATM,
      underlyings: { X: { scanRisk: 10 - ATM, scenario: 11, direction: 1 } },
      shortOptionMinimum: 1,
      maintenanceMargin: 10 - ATM,
    },
  },
  {
    // Long ATM put: k = 13 (S' = 90) gains 10 - ATM; its worst is any S' >= 100,
    // first k = 1: loss ATM, direction 0. Put = call at the money with zero rate.
    name: 'long put',
    portfolio: { positions: [{ chain: 'a', instrument: option('put', 100), quantity: 1 }] },
    expected: {
      equity: 1000 + ATM,
      underlyings: { X: { scanRisk: ATM, scenario: 1, direction: 0 } },
    },
  },
  {
    // Ten short puts struck at 50: the lowest scenario price is 80, so every
    // entry is 0 minus a value of ~1e-150: no scan risk. The short option
    // minimum 10 * 1% * 100 = 10 is the requirement; IM 15.
    name: 'short option minimum binds',
    portfolio: { positions: [{ chain: 'a', instrument: option('put', 50), quantity: -10 }] },
    expected: {
      equity: 1000,
      underlyings: { X: { scanRisk: 0, scenario: null, direction: 0 } },
      scanRisk: 0,
      shortOptionMinimum: 10,
      maintenanceMargin: 10,
      initialMargin: 15,
      status: 'healthy',
    },
  },
  {
    // 10 WX (tracks X, haircut 10%): worth 10 * 100 * 0.9 = 900, cash 0.
    // Entry(k) = 10 m_k * 0.9 = 9 m_k: k = 13 loses 90; k = 16 loses 0.35 * 180 = 63.
    name: 'collateral that tracks an underlying',
    portfolio: { cash: 0, collateral: [{ chain: 'b', asset: 'WX', amount: 10 }] },
    expected: {
      equity: 900,
      underlyings: { X: { scanRisk: 90, scenario: 13, direction: -1 } },
      maintenanceMargin: 90,
      initialMargin: 135,
      marginRatio: 10,
    },
  },
  {
    // Long 2 X (loses 20 at k = 13, down) and short 4 Y at 50 (loses 4 * 5 = 20
    // at k = 11, up): opposite directions, credit 0.5 * min(20, 20) = 10.
    // The second credit, (Y, X) at 0.9, finds both legs consumed: min(0, 0) = 0.
    name: 'spread credit, consumed once',
    portfolio: {
      positions: [
        { chain: 'a', instrument: perp('X'), quantity: 2, entryPrice: 100 },
        { chain: 'b', instrument: perp('Y'), quantity: -4, entryPrice: 50 },
      ],
    },
    params: {
      spreadCredits: [
        { legs: ['X', 'Y'], rate: 0.5 },
        { legs: ['Y', 'X'], rate: 0.9 },
      ],
    },
    expected: {
      equity: 1000,
      underlyings: {
        X: { scanRisk: 20, scenario: 13, direction: -1 },
        Y: { scanRisk: 20, scenario: 11, direction: 1 },
      },
      spreadCredit: 10,
      scanRisk: 30,
      maintenanceMargin: 30,
    },
  },
  {
    // Long X and long Y both lose on the way down: same direction, no credit.
    name: 'no spread credit for the same direction',
    portfolio: {
      positions: [
        { chain: 'a', instrument: perp('X'), quantity: 2, entryPrice: 100 },
        { chain: 'b', instrument: perp('Y'), quantity: 4, entryPrice: 50 },
      ],
    },
    params: { spreadCredits: [{ legs: ['X', 'Y'], rate: 0.5 }] },
    expected: { spreadCredit: 0, scanRisk: 40 },
  },
  {
    // Cash -10, long 1 X at 100: equity -10 < 0.
    name: 'bankrupt',
    portfolio: {
      cash: -10,
      positions: [{ chain: 'a', instrument: perp('X'), quantity: 1, entryPrice: 100 }],
    },
    expected: { equity: -10, maintenanceMargin: 10, status: 'bankrupt' },
  },
  {
    // Cash 12, long 1 X: MM 10 <= 12 < IM 15.
    name: 'restricted',
    portfolio: {
      cash: 12,
      positions: [{ chain: 'a', instrument: perp('X'), quantity: 1, entryPrice: 100 }],
    },
    expected: { equity: 12, maintenanceMargin: 10, initialMargin: 15, status: 'restricted' },
  },
  {
    // Cash 9.5, long 1 X: 0 <= 9.5 < MM 10.
    name: 'liquidatable',
    portfolio: {
      cash: 9.5,
      positions: [{ chain: 'a', instrument: perp('X'), quantity: 1, entryPrice: 100 }],
    },
    expected: { status: 'liquidatable', marginRatio: 0.95 },
  },
  {
    // Only USDC: no underlying, no requirement, ratio undefined.
    name: 'cash and stablecoins only',
    portfolio: { cash: 5, collateral: [{ chain: 'a', asset: 'USDC', amount: 100 }] },
    expected: {
      equity: 105,
      underlyings: {},
      maintenanceMargin: 0,
      marginRatio: null,
      status: 'healthy',
    },
  },
]

describe('XM-1 worked examples', () => {
  it.each(EXAMPLES)('$name', ({ portfolio, params, expected }) => {
    const docs = handDocuments(portfolio, params)
    const figures = computeMargin(validateInputs(docs.market, docs.params, docs.portfolio))
    for (const [key, want] of Object.entries(expected)) {
      const got = figures[key as keyof MarginFigures]
      if (typeof want === 'number') expect(got, key).toBeCloseTo(want, 9)
      else if (key === 'underlyings') {
        const us = got as MarginFigures['underlyings']
        expect(Object.keys(us).sort()).toEqual(Object.keys(want as object).sort())
        for (const [u, w] of Object.entries(want as MarginFigures['underlyings'])) {
          expect(us[u]!.scanRisk, `${u}.scanRisk`).toBeCloseTo(w.scanRisk, 9)
          expect([us[u]!.scenario, us[u]!.direction], u).toEqual([w.scenario, w.direction])
        }
      } else expect(got, key).toEqual(want)
    }
  })
})
