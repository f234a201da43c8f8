/**
 * The instruments listed for trading: per underlying a perp, futures at the
 * next weekly expiries (Fridays 08:00 UTC) and calls and puts around the
 * spot at the nearest expiry. A listed instrument stays listed until it
 * expires, so every open position is always in the market table; the whole
 * listing stays within the circuit's market table (E9: 64 instruments).
 */
import { InputError } from '../errors.ts'
import { formatInstrumentId } from '../risk/instrument-id.ts'
import type { Instrument } from '../risk/types.ts'

export interface ListingConfig {
  /** Weekly future expiries listed ahead. */
  readonly futureExpiries: number
  /** Option strikes as moves from the spot at listing time (0.1 = 10% above). */
  readonly strikeMoves: readonly number[]
}

export const DEFAULT_LISTING: ListingConfig = {
  futureExpiries: 2,
  strikeMoves: [-0.2, -0.1, 0, 0.1, 0.2],
}

/** Instruments one market table holds (circuits/market-table.ts: 6 index bits). */
export const MAX_LISTED = 64

const WEEK = 7 * 86_400
/** 1970-01-02 08:00 UTC was a Friday. */
const FIRST_FRIDAY_0800 = 86_400 + 8 * 3_600

export interface Listed {
  readonly id: string
  readonly instrument: Instrument
}

export class Listing {
  readonly #listed = new Map<string, Listed>()

  constructor(
    private readonly underlyings: readonly string[],
    private readonly config: ListingConfig = DEFAULT_LISTING,
  ) {}

  /** Drop what expired, list what is due; `spot` prices the new strikes. */
  refresh(now: number, spot: (underlying: string) => number | undefined): void {
    for (const [id, l] of this.#listed)
      if (l.instrument.kind !== 'perp' && l.instrument.expiry <= now) this.#listed.delete(id)
    const expiries = nextFridays(now, this.config.futureExpiries)
    for (const underlying of this.underlyings) {
      this.#add({ kind: 'perp', underlying })
      for (const expiry of expiries) this.#add({ kind: 'future', underlying, expiry })
      const s = spot(underlying)
      const nearest = expiries[0]
      if (s === undefined || nearest === undefined) continue
      // Only one option series per expiry: strikes are set the first time it is listed.
      if (
        [...this.#listed.values()].some(
          (l) =>
            l.instrument.kind === 'option' &&
            l.instrument.underlying === underlying &&
            l.instrument.expiry === nearest,
        )
      )
        continue
      for (const move of this.config.strikeMoves) {
        const strike = roundStrike(s * (1 + move))
        for (const type of ['call', 'put'] as const)
          this.#add({ kind: 'option', underlying, type, strike, expiry: nearest })
      }
    }
    if (this.#listed.size > MAX_LISTED) {
      throw new InputError(
        'listing',
        'too_many',
        `the listing has ${this.#listed.size} instruments; one market table holds ${MAX_LISTED}`,
      )
    }
  }

  get(id: string): Listed | undefined {
    return this.#listed.get(id)
  }

  list(): Listed[] {
    return [...this.#listed.values()]
  }

  #add(instrument: Instrument): void {
    const id = formatInstrumentId(instrument)
    if (!this.#listed.has(id)) this.#listed.set(id, { id, instrument })
  }
}

function nextFridays(now: number, n: number): number[] {
  const first = FIRST_FRIDAY_0800 + Math.ceil((now + 1 - FIRST_FRIDAY_0800) / WEEK) * WEEK
  return Array.from({ length: n }, (_, i) => first + i * WEEK)
}

/** Two significant figures below 10,000 and round hundreds above: strikes people trade. */
function roundStrike(x: number): number {
  const step = x >= 10_000 ? 1_000 : x >= 1_000 ? 100 : x >= 100 ? 10 : x >= 10 ? 1 : 0.1
  return Number(Math.max(step, Math.round(x / step) * step).toFixed(6))
}
