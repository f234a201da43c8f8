/**
 * The booking rule: hand-computed fills, and the invariants that make it
 * the right rule (a fill at the mark moves no equity, a full close leaves
 * nothing, adding is order-free, a reduction keeps the average entry).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import type { Instrument } from '../risk/types.ts'
import { applyFill, type BookedFill, entryPrice, type Position } from './fill-accounting.ts'
import type { Side } from './typed-data.ts'

const PERP: Instrument = { kind: 'perp', underlying: 'ETH' }
const FUTURE: Instrument = { kind: 'future', underlying: 'ETH', expiry: 1_769_904_000 }
const CALL: Instrument = {
  kind: 'option',
  underlying: 'ETH',
  type: 'call',
  strike: 3500,
  expiry: 1_769_904_000,
}

/** Whole units of the underlying and USD, in the signed messages' units. */
const units = (x: number) => BigInt(Math.round(x * 1e8))
const usd = (x: number) => BigInt(Math.round(x * 1e6))
const pos = (quantity: number, basis: number): Position => ({ quantity: units(quantity), basis })

interface Case {
  readonly name: string
  readonly instrument: Instrument
  readonly before: Position | undefined
  readonly side: Side
  readonly size: number
  readonly price: number
  readonly fee?: number
  readonly want: {
    readonly position: Position | undefined
    readonly cashDelta: number
    readonly realisedPnl?: number
    readonly premium?: number
  }
}

const CASES: Case[] = [
  {
    name: 'open long, fee out of cash',
    instrument: PERP,
    before: undefined,
    side: 'buy',
    size: 2,
    price: 3000,
    fee: 1.5,
    want: { position: pos(2, 6000), cashDelta: -1.5 },
  },
  {
    name: 'open short',
    instrument: PERP,
    before: undefined,
    side: 'sell',
    size: 2,
    price: 3000,
    want: { position: pos(-2, -6000), cashDelta: 0 },
  },
  {
    name: 'add to a long: the average entry moves (3100)',
    instrument: PERP,
    before: pos(2, 6000),
    side: 'buy',
    size: 1,
    price: 3300,
    want: { position: pos(3, 9300), cashDelta: 0 },
  },
  {
    name: 'partial close of a long with profit',
    instrument: PERP,
    before: pos(3, 9300),
    side: 'sell',
    size: 1,
    price: 3400,
    want: { position: pos(2, 6200), cashDelta: 300, realisedPnl: 300 },
  },
  {
    name: 'partial close of a long with loss',
    instrument: PERP,
    before: pos(3, 9300),
    side: 'sell',
    size: 2,
    price: 3000,
    fee: 0.25,
    want: { position: pos(1, 3100), cashDelta: -200.25, realisedPnl: -200 },
  },
  {
    name: 'partial close of a short with profit',
    instrument: FUTURE,
    before: pos(-2, -6000),
    side: 'buy',
    size: 1,
    price: 2900,
    want: { position: pos(-1, -3000), cashDelta: 100, realisedPnl: 100 },
  },
  {
    name: 'partial close of a short with loss',
    instrument: PERP,
    before: pos(-2, -6000),
    side: 'buy',
    size: 0.5,
    price: 3200,
    want: { position: pos(-1.5, -4500), cashDelta: -100, realisedPnl: -100 },
  },
  {
    name: 'full close of a long',
    instrument: PERP,
    before: pos(2, 6000),
    side: 'sell',
    size: 2,
    price: 2500,
    fee: 1,
    want: { position: undefined, cashDelta: -1001, realisedPnl: -1000 },
  },
  {
    name: 'flip long to short: close all, open the rest at the fill price',
    instrument: PERP,
    before: pos(1, 3000),
    side: 'sell',
    size: 3,
    price: 3200,
    want: { position: pos(-2, -6400), cashDelta: 200, realisedPnl: 200 },
  },
  {
    name: 'flip short to long',
    instrument: FUTURE,
    before: pos(-1, -3000),
    side: 'buy',
    size: 1.5,
    price: 2800,
    want: { position: pos(0.5, 1400), cashDelta: 200, realisedPnl: 200 },
  },
  {
    name: 'the smallest fill: 1e-8 units at 1e-6 USD',
    instrument: PERP,
    before: undefined,
    side: 'buy',
    size: 1e-8,
    price: 1e-6,
    want: { position: pos(1e-8, 1e-14), cashDelta: 0 },
  },
  {
    name: 'buy options: the buyer pays the premium, no basis',
    instrument: CALL,
    before: undefined,
    side: 'buy',
    size: 2,
    price: 150,
    fee: 0.3,
    want: { position: pos(2, 0), cashDelta: -300.3, premium: 300 },
  },
  {
    name: 'sell options: the seller receives it',
    instrument: CALL,
    before: undefined,
    side: 'sell',
    size: 2,
    price: 150,
    want: { position: pos(-2, 0), cashDelta: 300, premium: -300 },
  },
  {
    name: 'sell options held: closes, premium received, nothing realised',
    instrument: CALL,
    before: pos(2, 0),
    side: 'sell',
    size: 2,
    price: 200,
    fee: 0.1,
    want: { position: undefined, cashDelta: 399.9, premium: -400 },
  },
  {
    name: 'buy more options than are short: flips, still no basis',
    instrument: CALL,
    before: pos(-1, 0),
    side: 'buy',
    size: 3,
    price: 10,
    want: { position: pos(2, 0), cashDelta: -30, premium: 30 },
  },
]

function expectBooked(got: BookedFill, c: Case): void {
  if (c.want.position === undefined) expect(got.position).toBeUndefined()
  else {
    expect(got.position?.quantity).toBe(c.want.position.quantity)
    expect(got.position?.basis).toBeCloseTo(c.want.position.basis, 9)
  }
  expect(got.cashDelta).toBeCloseTo(c.want.cashDelta, 9)
  expect(got.realisedPnl).toBeCloseTo(c.want.realisedPnl ?? 0, 9)
  expect(got.premium).toBeCloseTo(c.want.premium ?? 0, 9)
  expect(got.fee).toBeCloseTo(c.fee ?? 0, 12)
  expect(got.cashDelta).toBeCloseTo(got.realisedPnl - got.premium - got.fee, 9)
}

describe('applyFill', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    expectBooked(
      applyFill(c.before, c.instrument, c.side, units(c.size), usd(c.price), usd(c.fee ?? 0)),
      c,
    )
  })

  it.each([
    ['size 0', { size: 0n }, 'size'],
    ['negative size', { size: -1n }, 'size'],
    ['negative price', { price: -1n }, 'price'],
    ['negative fee', { fee: -1n }, 'fee'],
    ['a side that is neither', { side: 'hold' }, 'side'],
    ['a size that is not a bigint', { size: 1 }, 'size'],
  ] as const)('refuses %s', (_, change, field) => {
    const args = { side: 'buy', size: 1n, price: 1n, fee: 0n, ...change }
    const run = () =>
      applyFill(undefined, PERP, args.side as Side, args.size as bigint, args.price, args.fee)
    expect(run).toThrow(InputError)
    try {
      run()
    } catch (err) {
      expect((err as InputError).field).toBe(field)
    }
  })
})

describe('entryPrice', () => {
  it.each([
    ['a long', pos(3, 9300), 3100],
    ['a short', pos(-2, -6400), 3200],
    ['a fraction of a unit', pos(0.5, 1400), 2800],
    ['a short option (no basis): 0, not -0', pos(-2, 0), 0],
  ])('%s', (_, p, want) => {
    expect(entryPrice(p)).toBeCloseTo(want, 9)
    expect(Object.is(entryPrice(p), -0)).toBe(false)
  })
})

// ---- invariants

const SIDE = fc.constantFrom<Side>('buy', 'sell')
/** up to a million units, in 1e-8 */
const SIZE = fc.bigInt({ min: 1n, max: 100_000_000_000_000n })
/** 1e-6 USD up to a million USD a unit */
const PRICE = fc.bigInt({ min: 1n, max: 1_000_000_000_000n })
const LINEAR = fc.constantFrom(PERP, FUTURE)
/** An open linear position: a signed quantity at a positive average entry. */
const LINEAR_POSITION: fc.Arbitrary<Position> = fc
  .tuple(SIZE, fc.boolean(), PRICE)
  .map(([q, long, entry]) => {
    const quantity = long ? q : -q
    return { quantity, basis: (Number(quantity) / 1e8) * (Number(entry) / 1e6) }
  })
const MAYBE_POSITION = fc.option(LINEAR_POSITION, { nil: undefined })

const qty = (p: Position | undefined) => Number(p?.quantity ?? 0n) / 1e8
/** Equal to float rounding of figures as large as `scale`. */
const expectNear = (a: number, b: number, scale: number) =>
  expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * (Math.abs(scale) + 1))

describe('applyFill invariants (properties)', () => {
  it('(a) a linear fill at the mark with no fee leaves equity = cash + q * mark - basis unchanged', () => {
    fc.assert(
      fc.property(
        MAYBE_POSITION,
        LINEAR,
        SIDE,
        SIZE,
        PRICE,
        (before, instrument, side, size, mark) => {
          const m = Number(mark) / 1e6
          const booked = applyFill(before, instrument, side, size, mark, 0n)
          const equityBefore = qty(before) * m - (before?.basis ?? 0)
          const equityAfter =
            booked.cashDelta + qty(booked.position) * m - (booked.position?.basis ?? 0)
          const scale =
            (Math.abs(qty(before)) + Number(size) / 1e8) * m + Math.abs(before?.basis ?? 0) + 1
          expect(Math.abs(equityAfter - equityBefore)).toBeLessThanOrEqual(1e-12 * scale)
        },
      ),
    )
  })

  it('(a) an option fill at its value with no fee leaves equity = cash + q * value unchanged', () => {
    const OPTION_POSITION = fc.option(
      fc.tuple(SIZE, fc.boolean()).map(([q, long]) => ({ quantity: long ? q : -q, basis: 0 })),
      { nil: undefined },
    )
    fc.assert(
      fc.property(OPTION_POSITION, SIDE, SIZE, PRICE, (before, side, size, value) => {
        const v = Number(value) / 1e6
        const booked = applyFill(before, CALL, side, size, value, 0n)
        const change = booked.cashDelta + (qty(booked.position) - qty(before)) * v
        const scale =
          (Math.abs(qty(before)) + Math.abs(qty(booked.position)) + Number(size) / 1e8) * v
        expectNear(change, 0, scale)
        expect(booked.position?.basis ?? 0).toBe(0)
        expect(booked.realisedPnl).toBe(0)
      }),
    )
  })

  it('(b) closing fully leaves no position, whatever the price and fee; the pnl is q * price - basis', () => {
    fc.assert(
      fc.property(
        LINEAR_POSITION,
        LINEAR,
        PRICE,
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        (before, instrument, price, fee) => {
          const side: Side = before.quantity > 0n ? 'sell' : 'buy'
          const size = before.quantity > 0n ? before.quantity : -before.quantity
          const booked = applyFill(before, instrument, side, size, price, fee)
          expect(booked.position).toBeUndefined()
          const value = qty(before) * (Number(price) / 1e6)
          const pnl = value - before.basis
          const scale = Math.abs(value) + Math.abs(before.basis) + Number(fee) / 1e6
          expectNear(booked.realisedPnl, pnl, scale)
          expectNear(booked.cashDelta, pnl - Number(fee) / 1e6, scale)
        },
      ),
    )
  })

  it('(b) any fills, then closing what is left, end with no position and no basis', () => {
    const FILL = fc.tuple(SIDE, SIZE, PRICE)
    fc.assert(
      fc.property(
        LINEAR,
        fc.array(FILL, { minLength: 1, maxLength: 8 }),
        PRICE,
        (instrument, fills, last) => {
          let p: Position | undefined
          for (const [side, size, price] of fills)
            p = applyFill(p, instrument, side, size, price, 0n).position
          if (p !== undefined) {
            const side: Side = p.quantity > 0n ? 'sell' : 'buy'
            p = applyFill(
              p,
              instrument,
              side,
              p.quantity > 0n ? p.quantity : -p.quantity,
              last,
              0n,
            ).position
          }
          expect(p).toBeUndefined()
        },
      ),
    )
  })

  it('(c) two fills on one side give the same quantity and basis in either order', () => {
    fc.assert(
      fc.property(
        MAYBE_POSITION,
        LINEAR,
        SIDE,
        fc.tuple(SIZE, PRICE),
        fc.tuple(SIZE, PRICE),
        (start, instrument, side, [s1, p1], [s2, p2]) => {
          // the same side as the position, or from flat: both fills add
          const before =
            start && start.quantity > 0n !== (side === 'buy')
              ? { quantity: -start.quantity, basis: -start.basis }
              : start
          const run = (a: [bigint, bigint], b: [bigint, bigint]) => {
            const first = applyFill(before, instrument, side, a[0], a[1], 0n).position
            return applyFill(first, instrument, side, b[0], b[1], 0n).position!
          }
          const one = run([s1, p1], [s2, p2])
          const other = run([s2, p2], [s1, p1])
          expect(one.quantity).toBe(other.quantity)
          // float addition commutes exactly for two terms (from flat); with a third, to rounding
          if (before === undefined) expect(one.basis).toBe(other.basis)
          else
            expect(Math.abs(one.basis - other.basis)).toBeLessThanOrEqual(
              1e-15 * Math.abs(one.basis),
            )
        },
      ),
    )
  })

  it('a reduction that does not flip keeps the average entry of what is left', () => {
    fc.assert(
      fc.property(
        LINEAR_POSITION,
        PRICE,
        fc.double({ min: 0.01, max: 0.99, noNaN: true }),
        (before, price, f) => {
          const open = before.quantity > 0n ? before.quantity : -before.quantity
          const size = BigInt(Math.max(1, Math.floor(Number(open) * f)))
          fc.pre(size < open)
          const booked = applyFill(
            before,
            PERP,
            before.quantity > 0n ? 'sell' : 'buy',
            size,
            price,
            0n,
          )
          expectNear(entryPrice(booked.position!), entryPrice(before), entryPrice(before))
        },
      ),
    )
  })
})
