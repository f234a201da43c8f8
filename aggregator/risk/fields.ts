/**
 * Readers for untrusted JSON that report the exact field path and rule of the
 * first thing wrong. They never coerce: "100" is not a number.
 */
import { InputError } from '../errors.ts'

export type JsonObject = { readonly [key: string]: unknown }

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`
  return typeof value === 'object' ? 'an object' : String(value)
}

export function wrongType(path: string, expected: string, value: unknown): InputError {
  return new InputError(path, 'wrong_type', `${path} must be ${expected}, got ${describe(value)}`)
}

export function outOfRange(path: string, rule: string, value: number): InputError {
  return new InputError(path, 'out_of_range', `${path} must be ${rule}, got ${value}`)
}

/**
 * An object with exactly the allowed keys: every required key present, no
 * key outside `required` and `optional`.
 */
export function readObject(
  value: unknown,
  path: string,
  required: readonly string[],
  optional: readonly string[] = [],
): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw wrongType(path, 'an object', value)
  }
  const obj = value as JsonObject
  for (const key of required) {
    if (!Object.hasOwn(obj, key)) {
      throw new InputError(`${path}.${key}`, 'missing_field', `${path}.${key} is required`)
    }
  }
  for (const key of Object.keys(obj)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw new InputError(`${path}.${key}`, 'unknown_field', `${path}.${key} is not a known field`)
    }
  }
  return obj
}

/** An object used as a map from user-chosen names to entries. */
export function readRecord(value: unknown, path: string): [string, unknown][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw wrongType(path, 'an object', value)
  }
  return Object.entries(value)
}

export function readArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw wrongType(path, 'an array', value)
  return value
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw wrongType(path, 'a non-empty string', value)
  return value
}

export function readNumber(value: unknown, path: string): number {
  if (typeof value !== 'number') throw wrongType(path, 'a number', value)
  if (!Number.isFinite(value)) {
    throw new InputError(path, 'not_finite', `${path} must be a finite number, got ${value}`)
  }
  return value
}

export function readPositive(value: unknown, path: string): number {
  const n = readNumber(value, path)
  if (!(n > 0)) throw outOfRange(path, '> 0', n)
  return n
}

/** A number in [min, max) or the other bracket forms, named in the message. */
export function readInRange(
  value: unknown,
  path: string,
  min: number,
  max: number,
  bounds: '[]' | '[)' | '()' | '(]',
): number {
  const n = readNumber(value, path)
  const lowOk = bounds[0] === '[' ? n >= min : n > min
  const highOk = bounds[1] === ']' ? n <= max : n < max
  if (!lowOk || !highOk) throw outOfRange(path, `in ${bounds[0]}${min}, ${max}${bounds[1]}`, n)
  return n
}

export function readAtLeast(value: unknown, path: string, min: number): number {
  const n = readNumber(value, path)
  if (n < min) throw outOfRange(path, `>= ${min}`, n)
  return n
}

/** Unix seconds: a non-negative whole number. */
export function readUnixSeconds(value: unknown, path: string): number {
  const n = readNumber(value, path)
  if (!Number.isSafeInteger(n) || n < 0) throw outOfRange(path, 'whole unix seconds >= 0', n)
  return n
}

export function readOneOf<T extends string>(
  value: unknown,
  path: string,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InputError(
      path,
      typeof value === 'string' ? 'out_of_range' : 'wrong_type',
      `${path} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`,
    )
  }
  return value as T
}
