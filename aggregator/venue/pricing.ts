/**
 * How the demo venue prices: a bid and an ask at the mark minus and plus a
 * spread, and a fee on the notional, all in the signed units (prices and fees
 * whole 1e-6 USD, sizes 1e-8 units). Every rounding is in the venue's favour
 * by at most 1e-6 USD, so the figures it signs are whole and never better for
 * the taker than the stated spread and fee.
 */
import { PRICE_SCALE, SIZE_SCALE } from '../orders/typed-data.ts'

const BPS = 10_000n

export interface QuoteUnits {
  /** 1e-6 USD per unit. */
  readonly mark: bigint
  readonly bid: bigint
  readonly ask: bigint
}

/** A USD figure from the API (a float) in whole 1e-6 USD. */
export function toMicros(usd: number): bigint {
  return BigInt(Math.round(usd * Number(PRICE_SCALE)))
}

/** Whole 1e-6 USD as a USD number for JSON, as GET /v1/markets writes prices. */
export function toUsd(micros: bigint): number {
  return Number(micros) / Number(PRICE_SCALE)
}

/** Bid rounded down, ask rounded up; a bid never below 0. */
export function quoteAt(markUsd: number, spreadBps: number): QuoteUnits {
  const mark = toMicros(markUsd)
  const spread = BigInt(spreadBps)
  const ask = ceilDiv(mark * (BPS + spread), BPS)
  const bid = (mark * (BPS - spread)) / BPS
  return { mark, bid: bid > 0n ? bid : 0n, ask }
}

/** `feeBps` of price x size, in 1e-6 USD rounded up. */
export function feeFor(price: bigint, size: bigint, feeBps: number): bigint {
  return ceilDiv(price * size * BigInt(feeBps), SIZE_SCALE * BPS)
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b
}
