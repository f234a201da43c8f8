/**
 * The live batch engine against the reference engine: random sequences of
 * add, set (whole replacements, fills, an account emptied), ticks, time
 * passing and what-ifs; after every step every account's figures equal the
 * reference engine's on that account's current portfolio at the engine's
 * market, status changes are reported exactly, and a what-if changes
 * nothing. Plus what the engine refuses, and its memory under churn.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CHAIN, PORTFOLIO, POSITION, SPREAD_CREDITS } from '../../../test/helpers/arbitraries.ts'
import { DAY, handDocuments, T0 } from '../../../test/helpers/documents.ts'
import { InputError } from '../../errors.ts'
import { netPositions } from '../netting.ts'
import {
  computeMargin,
  marginStatus,
  spreadCredit,
  underlyingExposure,
  underlyingsHeld,
} from '../reference.ts'
import { scenarioDirection, scenarioWeights } from '../scenarios.ts'
import type {
  MarginFigures,
  MarginInputs,
  Market,
  Portfolio,
  RiskParams,
  Status,
  UnderlyingRisk,
} from '../types.ts'
import { validateInputs, validateMarket, validatePortfolio } from '../validate.ts'
import { BatchEngine, blankSummary } from './engine.ts'

/** Spec section 7: 1e-7 relative or 1e-6 USD, whichever is larger. */
const tolerance = (x: number, y: number) =>
  Math.max(1e-6, 1e-7 * Math.max(Math.abs(x), Math.abs(y)))
const close = (x: number, y: number) => Math.abs(x - y) <= tolerance(x, y)

function expectClose(actual: number, expected: number, what: string): void {
  expect(close(actual, expected), `${what}: engine ${actual}, reference ${expected}`).toBe(true)
}

/**
 * The engine's figures are the reference engine's up to float summation
 * order. Where two scenarios tie within tolerance, the engine may pick the
 * other one; its direction then feeds the spread credits, so the credits
 * are checked as the reference walk makes them from the engine's choices.
 */
function expectAgrees(actual: MarginFigures, inputs: MarginInputs, what: string): void {
  const reference = computeMargin(inputs)
  const netted = netPositions(inputs.portfolio.positions)
  const weights = scenarioWeights(inputs.params)
  const held = underlyingsHeld(inputs, netted)
  expect(Object.keys(actual.underlyings).sort(), `${what}: underlyings`).toEqual(held)
  const chosen = new Map<string, UnderlyingRisk>()
  let totalScan = 0
  for (const u of held) {
    const mine = actual.underlyings[u]!
    const theirs = reference.underlyings[u]!
    expectClose(mine.scanRisk, theirs.scanRisk, `${what}: ${u} scanRisk`)
    const profits = underlyingExposure(inputs, netted, u).profits
    if (mine.scenario === null) {
      expect(theirs.scanRisk <= tolerance(0, theirs.scanRisk), `${what}: ${u} scenario`).toBe(true)
      expect(mine.direction).toBe(0)
    } else {
      const k = mine.scenario - 1
      const loss = -weights[k]! * profits[k]!
      expectClose(loss, theirs.scanRisk, `${what}: ${u} loss of scenario ${mine.scenario}`)
      expect(mine.direction).toBe(scenarioDirection(k))
    }
    chosen.set(u, { ...mine, scanRisk: theirs.scanRisk })
    totalScan += theirs.scanRisk
  }
  const credit = spreadCredit(inputs.params, chosen)
  const scanRisk = totalScan - credit
  const mm = Math.max(scanRisk, reference.shortOptionMinimum)
  const im = mm * inputs.params.initialMarginFactor
  expectClose(actual.equity, reference.equity, `${what}: equity`)
  expectClose(actual.spreadCredit, credit, `${what}: spreadCredit`)
  expectClose(actual.scanRisk, scanRisk, `${what}: scanRisk`)
  expectClose(
    actual.shortOptionMinimum,
    reference.shortOptionMinimum,
    `${what}: shortOptionMinimum`,
  )
  expectClose(actual.maintenanceMargin, mm, `${what}: maintenanceMargin`)
  expectClose(actual.initialMargin, im, `${what}: initialMargin`)
  // A status may differ only where the equity sits on a threshold within tolerance.
  const status = marginStatus(reference.equity, mm, im)
  if (actual.status !== status) {
    const onEdge = [0, mm, im].some((edge) => close(reference.equity, edge))
    expect(onEdge, `${what}: status ${actual.status}, reference ${status}`).toBe(true)
  }
}

const docs = handDocuments({})

function inputsFor(credits: unknown): { market: Market; params: RiskParams } {
  const { market, params } = validateInputs(
    docs.market,
    { ...docs.params, spreadCredits: credits },
    docs.portfolio,
  )
  return { market, params }
}

const portfolio = (market: Market, params: RiskParams, doc: unknown): Portfolio =>
  validatePortfolio(doc, market, params)

/** Every figure of every account, exactly. */
const snapshot = (engine: BatchEngine) =>
  Array.from({ length: engine.accountCount }, (_, a) => engine.figures(a))

/** The earliest expiry of anything in a portfolio (Infinity: none). */
const earliestExpiry = (p: Portfolio) =>
  Math.min(
    Number.POSITIVE_INFINITY,
    ...p.positions.flatMap((x) => (x.instrument.kind === 'perp' ? [] : [x.instrument.expiry])),
  )

const exposedTo = (p: Portfolio, u: string) =>
  p.positions.some((x) => x.instrument.underlying === u) ||
  (u === 'X' && p.collateral.some((c) => c.asset === 'WX'))

/**
 * A portfolio and, mostly, how near its margin to put it: its cash is then
 * set so that equity = maintenanceMargin * (1 + near) at the engine's
 * market, so that small ticks and time move statuses across thresholds.
 */
const TIGHT = fc.record({
  doc: PORTFOLIO,
  near: fc.option(fc.double({ min: -0.3, max: 0.6, noNaN: true }), { freq: 4 }),
})

const STEP = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), tight: TIGHT }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), tight: TIGHT }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      pick: fc.nat(),
      position: POSITION,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('credit' as const),
      pick: fc.nat(),
      chain: CHAIN,
      asset: fc.constantFrom('USDC', 'WX'),
      amount: fc.integer({ min: 0, max: 5_000_000 }).map((n) => n / 1000),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('empty' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      underlying: fc.constantFrom('X', 'Y'),
      move: fc.oneof(
        { weight: 3, arbitrary: fc.double({ min: -0.04, max: 0.04, noNaN: true }) },
        { weight: 1, arbitrary: fc.double({ min: -0.4, max: 0.4, noNaN: true }) },
      ),
      vol: fc.oneof(fc.constant(undefined), fc.double({ min: 0.1, max: 1.5, noNaN: true })),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('time' as const),
      // Mostly hours (an expiry one day out would block most longer steps), sometimes days.
      seconds: fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: -3 * 3600, max: 12 * 3600 }) },
        { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 * DAY }) },
      ),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('whatIf' as const), tight: TIGHT }) },
)

describe('live batch engine', () => {
  it('equals the reference engine after every step of random add / set / tick / time / whatIf', () => {
    fc.assert(
      fc.property(
        SPREAD_CREDITS,
        fc.array(STEP, { minLength: 1, maxLength: 40, size: 'medium' }),
        (credits, steps) => {
          const { market, params } = inputsFor(credits)
          const engine = BatchEngine.empty(market, params)
          const book: Portfolio[] = []
          const into = blankSummary()
          const check = (what: string) => {
            book.forEach((p, a) => {
              expectAgrees(
                engine.figures(a),
                { market: engine.market, params, portfolio: p },
                `${what}, account ${a}`,
              )
            })
          }
          const tuned = ({ doc, near }: { doc: unknown; near: number | null }): Portfolio => {
            const p = portfolio(market, params, doc)
            if (near === null || earliestExpiry(p) <= engine.market.timestamp) return p
            const f = computeMargin({ market: engine.market, params, portfolio: p })
            return { ...p, cash: p.cash - f.equity + f.maintenanceMargin * (1 + near) }
          }
          /** A portfolio the engine must take, or refuse (expired at its timestamp) changing nothing. */
          const apply = (next: Portfolio, change: () => void): boolean => {
            if (earliestExpiry(next) > engine.market.timestamp) {
              change()
              return true
            }
            const before = snapshot(engine)
            expect(change).toThrow(InputError)
            expect(snapshot(engine)).toEqual(before)
            return false
          }
          steps.forEach((step, i) => {
            const what = `step ${i} (${step.kind})`
            const a = book.length === 0 ? -1 : ('pick' in step ? step.pick : 0) % book.length
            switch (step.kind) {
              case 'add': {
                const p = tuned(step.tight)
                apply(p, () => {
                  expect(engine.add(p)).toBe(book.length)
                  book.push(p)
                })
                break
              }
              case 'set':
              case 'fill':
              case 'credit':
              case 'empty': {
                if (a < 0) return
                const old = book[a]!
                const p: Portfolio =
                  step.kind === 'set'
                    ? tuned(step.tight)
                    : step.kind === 'fill'
                      ? {
                          ...old,
                          positions: [
                            ...old.positions,
                            portfolio(market, params, {
                              cash: 0,
                              collateral: [],
                              positions: [step.position],
                            }).positions[0]!,
                          ],
                        }
                      : step.kind === 'credit'
                        ? {
                            ...old,
                            collateral: [
                              ...old.collateral,
                              { chain: step.chain, asset: step.asset, amount: step.amount },
                            ],
                          }
                        : { cash: 0, collateral: [], positions: [] }
                apply(p, () => {
                  expect(engine.set(a, p)).toBe(engine.status(a))
                  book[a] = p
                })
                break
              }
              case 'tick': {
                const old = engine.market.underlyings.get(step.underlying)!
                const quote = { price: old.price * (1 + step.move), vol: step.vol ?? old.vol }
                const before = book.map((_, b) => engine.status(b))
                const told: [number, Status, Status][] = []
                const touched = engine.updateUnderlying(step.underlying, quote, (b, from, to) =>
                  told.push([b, from, to]),
                )
                expect(touched).toBe(book.filter((p) => exposedTo(p, step.underlying)).length)
                expect(engine.market.underlyings.get(step.underlying)).toEqual(quote)
                expectChanges(told, before, engine)
                break
              }
              case 'time': {
                const t = engine.market.timestamp + step.seconds
                const blocked = book.some((p) => earliestExpiry(p) <= t)
                const before = book.map((_, b) => engine.status(b))
                const told: [number, Status, Status][] = []
                const onChange = (b: number, from: Status, to: Status) => told.push([b, from, to])
                if (blocked || t < 0) {
                  const figures = snapshot(engine)
                  expect(() => engine.setTimestamp(t, onChange)).toThrow(InputError)
                  expect(snapshot(engine)).toEqual(figures)
                  expect(told).toEqual([])
                } else {
                  engine.setTimestamp(t, onChange)
                  expect(engine.market.timestamp).toBe(t)
                  expectChanges(told, before, engine)
                }
                break
              }
              case 'whatIf': {
                const p = tuned(step.tight)
                const before = snapshot(engine)
                if (earliestExpiry(p) <= engine.market.timestamp) {
                  expect(() => engine.whatIf(p)).toThrow(InputError)
                } else {
                  const full = engine.whatIf(p)
                  expectAgrees(
                    full,
                    { market: engine.market, params, portfolio: p },
                    `${what}: whatIf`,
                  )
                  const light = engine.whatIf(p, into)
                  expect(light).toBe(into)
                  for (const k of [
                    'equity',
                    'scanRisk',
                    'spreadCredit',
                    'shortOptionMinimum',
                    'maintenanceMargin',
                    'initialMargin',
                    'status',
                  ] as const)
                    expect(light[k]).toBe(full[k])
                }
                expect(snapshot(engine)).toEqual(before)
                break
              }
            }
            expect(engine.accountCount).toBe(book.length)
            check(what)
          })
        },
      ),
      { numRuns: 150 },
    )
  })

  it('a book built at once equals one grown account by account and churned back', () => {
    fc.assert(
      fc.property(
        fc.array(PORTFOLIO, { minLength: 1, maxLength: 6 }),
        fc.array(PORTFOLIO, { minLength: 1, maxLength: 6 }),
        (first, second) => {
          const { market, params } = inputsFor([{ legs: ['X', 'Y'], rate: 0.4 }])
          const ps = first.map((d) => portfolio(market, params, d))
          const qs = second.map((d) => portfolio(market, params, d))
          const built = BatchEngine.build(market, params, ps)
          const churned = BatchEngine.empty(market, params)
          for (const q of qs) churned.add(q)
          ps.forEach((p, a) => {
            if (a < churned.accountCount) churned.set(a, p)
            else churned.add(p)
          })
          for (let a = ps.length; a < churned.accountCount; a++)
            churned.set(a, { cash: 0, collateral: [], positions: [] })
          ps.forEach((_, a) => {
            expect(churned.figures(a)).toEqual(built.figures(a))
          })
        },
      ),
      { numRuns: 100 },
    )
  })
})

function expectChanges(
  told: [number, Status, Status][],
  before: Status[],
  engine: BatchEngine,
): void {
  const expected = before.flatMap((from, a): [number, Status, Status][] => {
    const to = engine.status(a)
    return to === from ? [] : [[a, from, to]]
  })
  expect([...told].sort((x, y) => x[0] - y[0])).toEqual(expected)
}

describe('live batch engine: refusals', () => {
  const { market, params } = inputsFor([])
  const wide = validateMarket({
    ...docs.market,
    underlyings: { ...(docs.market['underlyings'] as object), Z: { price: 10, vol: 0.3 } },
    assets: {
      ...(docs.market['assets'] as object),
      WZ: { underlying: 'Z', haircut: 0 },
      EUR: { price: 1.1, haircut: 0 },
    },
  })
  const zParams: RiskParams = {
    ...params,
    underlyings: new Map([...params.underlyings, ['Z', params.underlyings.get('X')!]]),
  }
  const onZ = validatePortfolio(
    {
      cash: 0,
      collateral: [],
      positions: [
        {
          chain: 'base',
          instrument: { kind: 'perp', underlying: 'Z' },
          quantity: 1,
          entryPrice: 10,
        },
      ],
    },
    wide,
    zParams,
  )
  const option = (expiry: number) =>
    validatePortfolio(
      {
        cash: 0,
        collateral: [],
        positions: [
          {
            chain: 'base',
            instrument: { kind: 'option', underlying: 'X', type: 'call', strike: 100, expiry },
            quantity: -1,
          },
        ],
      },
      market,
      params,
    )

  const refusal = (f: () => unknown): InputError => {
    try {
      f()
    } catch (err) {
      expect(err).toBeInstanceOf(InputError)
      return err as InputError
    }
    throw new Error('expected a refusal')
  }

  it('an underlying or asset the market lacks, or one without risk parameters', () => {
    const engine = BatchEngine.empty(market, params)
    expect(refusal(() => engine.add(onZ)).field).toBe(
      'portfolio.positions[0].instrument.underlying',
    )
    const eur: Portfolio = {
      cash: 0,
      collateral: [{ chain: 'base', asset: 'EUR', amount: 1 }],
      positions: [],
    }
    expect(refusal(() => engine.whatIf(eur)).field).toBe('portfolio.collateral[0].asset')
    const noParams = BatchEngine.empty(wide, params)
    const e = refusal(() => noParams.add(onZ))
    expect(e.rule).toBe('missing_risk_params')
    const wz: Portfolio = {
      cash: 0,
      collateral: [{ chain: 'base', asset: 'WZ', amount: 1 }],
      positions: [],
    }
    expect(refusal(() => noParams.add(wz)).rule).toBe('missing_risk_params')
    expect(refusal(() => noParams.updateUnderlying('Z', { price: 1, vol: 1 })).field).toBe(
      'underlying',
    )
    expect(noParams.accountCount).toBe(0)
  })

  it('an option or future at or past the engine timestamp, and time past what an account holds', () => {
    const engine = BatchEngine.empty(market, params)
    const a = engine.add(option(T0 + 2 * DAY))
    const before = engine.figures(a)
    const e = refusal(() => engine.setTimestamp(T0 + 2 * DAY))
    expect([e.field, e.rule]).toEqual(['timestamp', 'expired'])
    expect(engine.figures(a)).toEqual(before)
    expect(engine.market.timestamp).toBe(T0)
    engine.setTimestamp(T0 + DAY)
    expect(engine.figures(a)).not.toEqual(before)
    const expired = refusal(() => engine.set(a, option(T0 + DAY)))
    expect([expired.field, expired.rule]).toEqual([
      'portfolio.positions[0].instrument.expiry',
      'expired',
    ])
    // Settled first (the position gone), time may move on.
    engine.set(a, { cash: 5, collateral: [], positions: [] })
    engine.setTimestamp(T0 + 3 * DAY)
    expect(engine.figures(a).equity).toBe(5)
  })

  it('a quote that is not a price, a timestamp that is not unix seconds, an account not in the book', () => {
    const engine = BatchEngine.build(market, params, [option(T0 + 9 * DAY)])
    expect(refusal(() => engine.updateUnderlying('X', { price: 0, vol: 1 })).field).toBe(
      'quote.price',
    )
    expect(refusal(() => engine.updateUnderlying('X', { price: 1, vol: Number.NaN })).field).toBe(
      'quote.vol',
    )
    expect(refusal(() => engine.setTimestamp(T0 + 0.5)).field).toBe('timestamp')
    expect(refusal(() => engine.figures(1)).field).toBe('account')
    expect(refusal(() => engine.set(-1, option(T0 + 9 * DAY))).field).toBe('account')
    expect(engine.market).toBe(market)
  })
})

describe('live batch engine: status changes', () => {
  it('are told once the book is consistent, so a callback may read and change it', () => {
    const { market, params } = inputsFor([])
    const short = (q: number): Portfolio =>
      portfolio(market, params, {
        cash: 40,
        collateral: [],
        positions: [
          {
            chain: 'base',
            instrument: { kind: 'perp', underlying: 'X' },
            quantity: q,
            entryPrice: 100,
          },
        ],
      })
    const engine = BatchEngine.build(market, params, [short(-1), short(-1), short(-3)])
    // Cash 40; a short X perp needs 10 per unit at 100 (scan range 10%), times 1.5 initially.
    expect([0, 1, 2].map((a) => engine.status(a))).toEqual(['healthy', 'healthy', 'restricted'])
    const told: string[] = []
    const nested: string[] = []
    let first = true
    engine.updateUnderlying('X', { price: 130, vol: 0.5 }, (a, from, to) => {
      told.push(`${a}:${from}->${to}`)
      if (!first) return
      first = false
      // Every account is already re-margined at the new price when the first is told.
      expect([0, 1, 2].map((b) => engine.status(b))).toEqual([
        'liquidatable',
        'liquidatable',
        'bankrupt',
      ])
      // A callback that changes the book: its own pass is told its own changes.
      engine.set(0, short(0))
      engine.updateUnderlying('X', { price: 100, vol: 0.5 }, (b, from2, to2) => {
        nested.push(`${b}:${from2}->${to2}`)
      })
    })
    expect(told.sort()).toEqual([
      '0:healthy->liquidatable',
      '1:healthy->liquidatable',
      '2:restricted->bankrupt',
    ])
    expect(nested.sort()).toEqual(['1:liquidatable->healthy', '2:bankrupt->restricted'])
    expect(engine.status(0)).toBe('healthy')
  })
})

describe('live batch engine: memory', () => {
  const { market, params } = inputsFor([{ legs: ['X', 'Y'], rate: 0.5 }])
  const sample = (seed: number, n: number) =>
    fc.sample(PORTFOLIO, { seed, numRuns: n }).map((d) => portfolio(market, params, d))

  it('stays bounded under churn, and compaction keeps every figure', () => {
    const start = sample(1, 300)
    const engine = BatchEngine.build(market, params, start)
    const live = [...start]
    const churn = sample(2, 4000)
    churn.forEach((p, i) => {
      const a = (i * 7919) % live.length
      // Every fifth replacement empties the account: an account that leaves.
      const next = i % 5 === 0 ? { cash: 0, collateral: [], positions: [] } : p
      engine.set(a, next)
      live[a] = next
    })
    const used = live.reduce((n, p) => n + p.positions.length + p.collateral.length, 0)
    const { slots, holdings } = engine.storage
    expect(holdings).toBeLessThanOrEqual(4 * used + 16 * live.length + 4096)
    expect(slots).toBeLessThanOrEqual(4 * 2 * live.length + 4096)
    live.forEach((p, a) => {
      expectAgrees(engine.figures(a), { market, params, portfolio: p }, `account ${a}`)
    })
    // The tick lists were rebuilt by compaction: a tick still reaches exactly the exposed accounts.
    expect(engine.updateUnderlying('X', { price: 93, vol: 0.6 })).toBe(
      live.filter((p) => exposedTo(p, 'X')).length,
    )
    live.forEach((p, a) => {
      expectAgrees(
        engine.figures(a),
        { market: engine.market, params, portfolio: p },
        `account ${a}`,
      )
    })
  })

  it('a fill in an instrument the account holds is rewritten in place', () => {
    const ps = sample(4, 50).filter((p) => p.positions.length > 0)
    const engine = BatchEngine.build(market, params, ps)
    const before = engine.storage
    ps.forEach((p, a) => {
      const again = { ...p.positions[0]!, quantity: p.positions[0]!.quantity / 2 }
      engine.set(a, { ...p, cash: p.cash - 1, positions: [...p.positions, again] })
    })
    expect(engine.storage).toEqual(before)
  })

  it('what-ifs in instruments nobody holds do not grow the table without bound', () => {
    const ps = sample(3, 20)
    const engine = BatchEngine.build(market, params, ps)
    const before = snapshot(engine)
    const put = (strike: number): Portfolio => ({
      cash: 0,
      collateral: [],
      positions: [
        {
          chain: 'base',
          instrument: {
            kind: 'option',
            underlying: 'Y',
            type: 'put',
            strike,
            expiry: T0 + 30 * DAY,
          },
          quantity: -1,
        },
      ],
    })
    for (let i = 0; i < 20_000; i++) engine.whatIf(put(50 + i / 100), blankSummary())
    expect(engine.storage.rows).toBeLessThan(2_000)
    expect(snapshot(engine)).toEqual(before)
    // Freed rows are reused: the book and new what-ifs still price as the reference does.
    engine.updateUnderlying('Y', { price: 47, vol: 0.45 })
    ps.forEach((p, a) => {
      expectAgrees(
        engine.figures(a),
        { market: engine.market, params, portfolio: p },
        `account ${a}`,
      )
    })
    for (const strike of [50.5, 123.45, 40]) {
      const p = put(strike)
      expectAgrees(
        engine.whatIf(p),
        { market: engine.market, params, portfolio: p },
        `put ${strike}`,
      )
    }
  })
})
