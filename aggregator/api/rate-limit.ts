/**
 * Per-client rate limiting (hono-rate-limiter, in memory): a 429 with
 * Retry-After in the API's error shape. A client is its socket's address;
 * X-Forwarded-For is not trusted, since any client can write it.
 */
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context, MiddlewareHandler } from 'hono'
import { rateLimiter } from 'hono-rate-limiter'
import { errorBody } from './errors.ts'

export interface RateLimitOptions {
  /** Requests per client per window; 0 turns limiting off. */
  readonly limit: number
  readonly windowMs: number
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 1200, windowMs: 60_000 }

/** The socket's remote address; 'local' for requests that never crossed one (app.request in tests). */
export function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'local'
  } catch {
    return 'local'
  }
}

export function rateLimit(
  options: RateLimitOptions,
  clientKey: (c: Context) => string = socketAddress,
): MiddlewareHandler {
  if (options.limit === 0) return (_, next) => next()
  return rateLimiter({
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: 'draft-6',
    keyGenerator: clientKey,
    handler: (c) =>
      c.json(
        errorBody(
          'rate_limited',
          `at most ${options.limit} requests per ${options.windowMs / 1000} s from one client`,
        ),
        429,
      ),
  })
}
