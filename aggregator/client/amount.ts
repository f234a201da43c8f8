/**
 * Token amounts between people and the wire: a decimal string in token units
 * ("2500.5") to base units, exactly (no float ever touches it), and back.
 */
import { formatUnits } from 'viem'
import { InputError } from '../errors.ts'

const DECIMAL = /^(\d+)(?:\.(\d+))?$/
const MAX_UINT256 = 2n ** 256n - 1n

/**
 * `text` in token units as base units of a token with `decimals`. Refuses
 * anything but plain digits with an optional fraction (no sign, exponent or
 * spaces), a fraction finer than the token's decimals, zero, and past uint256.
 */
export function parseAmount(text: string, decimals: number, field = 'amount'): bigint {
  const { whole, fraction } = decimalParts(text, field)
  // Zeros past the token's decimals change nothing; any other digit there cannot be paid.
  const significant = fraction.replace(/0+$/, '')
  if (significant.length > decimals) {
    throw new InputError(
      field,
      'out_of_range',
      `${field} has ${significant.length} decimals; the token has ${decimals}, got ${text}`,
    )
  }
  const base = BigInt(whole + significant.padEnd(decimals, '0'))
  if (base === 0n) throw new InputError(field, 'out_of_range', `${field} must be more than 0`)
  if (base > MAX_UINT256)
    throw new InputError(field, 'out_of_range', `${field} is too large: past uint256 base units`)
  return base
}

/** The form alone, before the token (and so its decimals) is known: digits, an optional fraction. */
export function decimalParts(text: string, field = 'amount'): { whole: string; fraction: string } {
  const m = DECIMAL.exec(text)
  if (!m) {
    throw new InputError(
      field,
      'wrong_type',
      `${field} must be a decimal number of token units such as 2500.5, got ${JSON.stringify(text)}`,
    )
  }
  return { whole: m[1]!, fraction: m[2] ?? '' }
}

/** Base units in token units, with no trailing zeros ("2500.5"). */
export function formatAmount(base: bigint | string, decimals: number): string {
  return formatUnits(BigInt(base), decimals)
}
