/**
 * The checks the prices capability runs on its options and config: each
 * names the dotted field it refused, so a bad config points at its line.
 */
import { InputError } from '../errors.ts'

export interface NumberRule {
  /** Inclusive lower bound. */
  readonly min?: number
  /** Exclusive lower bound. */
  readonly above?: number
  /** Inclusive upper bound. */
  readonly max?: number
  /** Exclusive upper bound. */
  readonly below?: number
  readonly integer?: boolean
}

export function checkNumber(value: unknown, field: string, rule: NumberRule = {}): number {
  if (typeof value !== 'number')
    throw new InputError(field, 'wrong_type', `${field} must be a number`)
  if (!Number.isFinite(value)) throw new InputError(field, 'not_finite', `${field} must be finite`)
  if (rule.integer && !Number.isInteger(value)) {
    throw new InputError(field, 'out_of_range', `${field} must be a whole number`)
  }
  const broken = brokenBound(value, rule)
  if (broken) throw new InputError(field, 'out_of_range', `${field} must be ${broken}`)
  return value
}

function brokenBound(value: number, rule: NumberRule): string | undefined {
  if (rule.min !== undefined && value < rule.min) return `>= ${rule.min}`
  if (rule.above !== undefined && value <= rule.above) return `> ${rule.above}`
  if (rule.max !== undefined && value > rule.max) return `<= ${rule.max}`
  if (rule.below !== undefined && value >= rule.below) return `< ${rule.below}`
  return undefined
}

export function checkString(value: unknown, field: string): string {
  if (typeof value !== 'string')
    throw new InputError(field, 'wrong_type', `${field} must be a string`)
  if (value.length === 0) throw new InputError(field, 'out_of_range', `${field} must not be empty`)
  return value
}

/** A plain object holding only `allowed` keys. */
export function checkRecord(
  value: unknown,
  field: string,
  allowed?: readonly string[],
): Readonly<Record<string, unknown>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(field, 'wrong_type', `${field} must be an object`)
  }
  const record = value as Record<string, unknown>
  const unknown = allowed && Object.keys(record).find((k) => !allowed.includes(k))
  if (unknown !== undefined) {
    throw new InputError(`${field}.${unknown}`, 'unknown_field', `${field} has no field ${unknown}`)
  }
  return record
}

/** A record with at least one entry (the underlyings of a feed). */
export function checkNonEmpty(value: unknown, field: string): Readonly<Record<string, unknown>> {
  const record = checkRecord(value, field)
  if (Object.keys(record).length === 0) {
    throw new InputError(field, 'missing_field', `${field} must name at least one underlying`)
  }
  return record
}

export function required(
  record: Readonly<Record<string, unknown>>,
  key: string,
  field: string,
): unknown {
  const value = record[key]
  if (value === undefined)
    throw new InputError(`${field}.${key}`, 'missing_field', `${field}.${key} is required`)
  return value
}

const PYTH_ID = /^(0x)?[0-9a-fA-F]{64}$/

/** A Pyth feed id (32 bytes of hex, 0x optional), as the lower-case hex Hermes answers with. */
export function checkPythId(value: unknown, field: string): string {
  const id = checkString(value, field)
  if (!PYTH_ID.test(id)) {
    throw new InputError(field, 'out_of_range', `${field} must be 32 bytes of hex (a Pyth feed id)`)
  }
  return normalizePythId(id)
}

/** Hermes answers ids without 0x and in lower case; configs may write either. */
export function normalizePythId(id: string): string {
  return id.replace(/^0x/i, '').toLowerCase()
}

export function checkHttpUrl(value: unknown, field: string): string {
  const text = checkString(value, field)
  let url: URL
  try {
    url = new URL(text)
  } catch (cause) {
    throw new InputError(field, 'wrong_type', `${field} must be a URL`, cause)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InputError(field, 'out_of_range', `${field} must be an http(s) URL`)
  }
  return text
}
