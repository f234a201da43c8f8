/** The flags that size and guard the margin API, shared by `serve` and `up`. */
import { availableParallelism } from 'node:os'
import type { MarginPoolOptions } from '../api/margin-pool.ts'
import { DEFAULT_DEADLINE_MS } from '../api/margin-pool.ts'
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from '../api/rate-limit.ts'
import { wholeNumberFlag } from './command.ts'
import { LIMIT_FLAG_OPTIONS, LIMIT_FLAGS_HELP, readLimitFlags } from './limit-flags.ts'

export const SERVER_FLAG_OPTIONS = {
  threads: { type: 'string' },
  'max-queue': { type: 'string' },
  'deadline-ms': { type: 'string' },
  'rate-limit': { type: 'string' },
  ...LIMIT_FLAG_OPTIONS,
} as const

export const SERVER_FLAGS_HELP = `  --threads N      margin worker threads (default one per core: ${availableParallelism()})
  --max-queue N    margin requests waiting for a thread before 503 (default 64 per thread)
  --deadline-ms N  per margin request, queue included; past it 504 (default ${DEFAULT_DEADLINE_MS})
  --rate-limit N   requests per minute per client address under /v1, 429 past it
                   (default ${DEFAULT_RATE_LIMIT.limit}; 0 turns it off)
${LIMIT_FLAGS_HELP}`

type Values = Partial<Record<keyof typeof SERVER_FLAG_OPTIONS, string | boolean | undefined>>

export function readServerFlags(values: Values): {
  margin: MarginPoolOptions
  rateLimit: RateLimitOptions
} {
  const threads = wholeNumberFlag(values.threads, 'threads', availableParallelism(), 256)
  const margin: MarginPoolOptions = {
    threads: Math.max(1, threads),
    maxQueue: wholeNumberFlag(values['max-queue'], 'max-queue', 64 * Math.max(1, threads), 1e6),
    deadlineMs: Math.max(
      1,
      wholeNumberFlag(values['deadline-ms'], 'deadline-ms', DEFAULT_DEADLINE_MS, 600_000),
    ),
    limits: readLimitFlags(values),
  }
  const limit = wholeNumberFlag(values['rate-limit'], 'rate-limit', DEFAULT_RATE_LIMIT.limit, 1e9)
  return { margin, rateLimit: { limit, windowMs: 60_000 } }
}
