/**
 * Margin requests run on a pool of worker threads (piscina), so one costly
 * request never stalls the event loop that answers /health and every other
 * client. The queue is bounded (a full pool is a 503 with a Retry-After from
 * the measured task time; so is one that the queue ahead would keep past its
 * deadline) and each request has a deadline: past it, a queued
 * task leaves the queue and a running one has its worker terminated (and
 * replaced), so no request holds a thread for longer than the deadline.
 */
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import { DeadlineExceededError, UnavailableError } from '../errors.ts'
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '../risk/json-text.ts'
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../risk/limits.ts'
import type { MarginReport } from '../risk/types.ts'
import type { MarginEngine } from './margin-engine.ts'
import { type MarginTask, type MarginTaskResult, taskError } from './margin-task.ts'

export interface MarginPoolOptions {
  /** Worker threads; default one per core. */
  readonly threads?: number
  /** Requests waiting for a thread before new ones get 503; default 64 per thread. */
  readonly maxQueue?: number
  /** Per request, from arrival to answer; default 5 s. */
  readonly deadlineMs?: number
  readonly limits?: InputLimits
  readonly json?: JsonLimits
}

export interface MarginPoolStats {
  readonly threads: number
  readonly queued: number
  readonly completed: number
  readonly deadline: number
}

export const DEFAULT_DEADLINE_MS = 5_000
const QUEUE_PER_THREAD = 64
const WORKER = new URL('./margin-worker.js', import.meta.url)

export class MarginPool implements MarginEngine {
  readonly #pool: Piscina<MarginTask, MarginTaskResult>
  readonly #deadlineMs: number
  readonly #maxQueue: number
  readonly #limits: InputLimits
  readonly #json: JsonLimits
  #closing = false

  constructor(options: MarginPoolOptions = {}) {
    const threads = options.threads ?? Math.max(1, availableParallelism())
    this.#maxQueue = options.maxQueue ?? QUEUE_PER_THREAD * threads
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS
    this.#limits = options.limits ?? DEFAULT_INPUT_LIMITS
    this.#json = options.json ?? DEFAULT_JSON_LIMITS
    this.#pool = new Piscina({
      filename: WORKER.href,
      minThreads: threads,
      maxThreads: threads,
      maxQueue: this.#maxQueue,
      // A worker is a thread with the engine loaded: keep them warm.
      idleTimeout: Number.POSITIVE_INFINITY,
    })
  }

  get stats(): MarginPoolStats {
    return {
      threads: this.#pool.threads.length,
      queued: this.#pool.queueSize,
      completed: this.#pool.completed,
      deadline: this.#deadlineMs,
    }
  }

  /** The margin report for a request body; throws InputError, UnavailableError or DeadlineExceededError. */
  async margin(body: string): Promise<MarginReport> {
    if (this.#closing) throw shuttingDown()
    if (this.#pool.queueSize >= this.#maxQueue || this.#expectedWaitMs() > this.#deadlineMs) {
      throw this.#overloaded()
    }
    const signal = AbortSignal.timeout(this.#deadlineMs)
    let result: MarginTaskResult
    try {
      result = await this.#pool.run({ body, limits: this.#limits, json: this.#json }, { signal })
    } catch (err) {
      throw this.#poolError(err, signal)
    }
    if (!result.ok) throw taskError(result)
    return result.report
  }

  /** Stops every worker at once, even mid-computation; waiting requests get 503. */
  async close(): Promise<void> {
    this.#closing = true
    await this.#pool.destroy()
  }

  #poolError(err: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return new DeadlineExceededError(this.#deadlineMs)
    if (this.#closing) return shuttingDown()
    if (err instanceof Error && /queue is at limit/i.test(err.message)) return this.#overloaded()
    return err
  }

  /** How long the queue ahead should take to drain, by the measured mean task time. */
  #expectedWaitMs(): number {
    const meanMs = this.#pool.histogram.runTime.mean || 0
    return (this.#pool.queueSize * meanMs) / Math.max(1, this.#pool.threads.length)
  }

  /** Retry when the queue ahead should have drained; a request that could not finish in time is shed now. */
  #overloaded(): UnavailableError {
    const seconds = Math.max(1, Math.ceil(this.#expectedWaitMs() / 1000))
    return new UnavailableError(
      'overloaded',
      'the margin engine is at capacity; retry later',
      seconds,
    )
  }
}

function shuttingDown(): UnavailableError {
  return new UnavailableError('shutting_down', 'the server is shutting down', 1)
}
