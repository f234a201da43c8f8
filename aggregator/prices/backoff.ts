/**
 * How long a feed waits before reconnecting: exponential from initialMs,
 * capped at maxMs, with "equal jitter" (a uniform draw in the upper half of
 * the step) so that many clients cut at once do not come back in step, yet
 * none comes back at once. A 429's Retry-After is honoured when given, up
 * to MAX_RETRY_AFTER_MS: a bogus header must not park the prices for hours.
 */
import { checkNumber, checkRecord } from './validate.ts'

export interface BackoffOptions {
  /** Default 500. */
  readonly initialMs?: number
  /** Default 30000. */
  readonly maxMs?: number
}

export interface Backoff {
  readonly initialMs: number
  readonly maxMs: number
}

export const MAX_RETRY_AFTER_MS = 300_000

export function resolveBackoff(options: BackoffOptions | undefined, field = 'backoff'): Backoff {
  const o = checkRecord(options ?? {}, field, ['initialMs', 'maxMs'])
  const initialMs = checkNumber(o['initialMs'] ?? 500, `${field}.initialMs`, { above: 0 })
  const maxMs = checkNumber(o['maxMs'] ?? 30_000, `${field}.maxMs`, { min: initialMs })
  return { initialMs, maxMs }
}

/** The wait before retry number `attempt` (0 for the first retry after a good stretch). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const step = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt)
  return step / 2 + (random() * step) / 2
}

/** Retry-After in milliseconds when it gives seconds; the HTTP-date form falls back to the backoff. */
export function retryAfterMs(header: string | null | undefined): number | undefined {
  if (header == null || !/^\s*\d+\s*$/.test(header)) return undefined
  return Math.min(Number(header) * 1000, MAX_RETRY_AFTER_MS)
}
