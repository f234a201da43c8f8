/** Spec section 3: option values (Black-76 on spot, zero rate) and time to expiry. */
import { normalCdf } from './normal.ts'
import type { OptionType } from './types.ts'

export const SECONDS_PER_YEAR = 31_536_000
export const DAYS_PER_YEAR = 365

/** Years from `timestamp` to `expiry`, never negative. */
export function yearsToExpiry(expiry: number, timestamp: number): number {
  return Math.max(0, (expiry - timestamp) / SECONDS_PER_YEAR)
}

/** Value of one option on spot `s`, strike `k`, vol `vol`, time `tau` years. */
export function optionValue(
  type: OptionType,
  s: number,
  k: number,
  vol: number,
  tau: number,
): number {
  if (tau <= 0) return type === 'call' ? Math.max(s - k, 0) : Math.max(k - s, 0)
  const sd = vol * Math.sqrt(tau)
  const d1 = (Math.log(s / k) + (sd * sd) / 2) / sd
  const d2 = d1 - sd
  return type === 'call'
    ? s * normalCdf(d1) - k * normalCdf(d2)
    : k * normalCdf(-d2) - s * normalCdf(-d1)
}
