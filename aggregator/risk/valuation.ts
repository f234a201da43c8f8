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
  const sd = vol * Math.sqrt(tau)
  // A subnormal vol (or a tiny tau) can underflow sd to 0, where d1 would be 0/0: its value is
  // then the limit as vol -> 0, the intrinsic value. A vol near float64's largest can overflow sd;
  // the limit as vol -> infinity is s for a call and k for a put.
  if (tau <= 0 || !(sd > 0)) return type === 'call' ? Math.max(s - k, 0) : Math.max(k - s, 0)
  if (sd === Number.POSITIVE_INFINITY) return type === 'call' ? s : k
  // Past 1e150, sd * sd would overflow to Infinity and d2 = Infinity - sd lose the put side.
  const d1 = sd < 1e150 ? (Math.log(s / k) + (sd * sd) / 2) / sd : Math.log(s / k) / sd + sd / 2
  const d2 = d1 - sd
  return type === 'call'
    ? s * normalCdf(d1) - k * normalCdf(d2)
    : k * normalCdf(-d2) - s * normalCdf(-d1)
}
