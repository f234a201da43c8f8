/**
 * What a price feed reports when its source fails it: refused credentials,
 * rate limiting, an unreachable or closed stream, a message it could not
 * read, or a subscriber that threw. Reported, never thrown into the source's
 * event loop: a feed keeps running and retries what can be retried.
 */
import { XmarginError } from '../errors.ts'

export type PriceFeedErrorCode =
  | 'feed_unauthorized'
  | 'feed_rate_limited'
  | 'feed_unavailable'
  | 'feed_bad_message'
  | 'listener_failed'

export interface PriceFeedErrorOptions {
  readonly status?: number
  readonly retryAfterSeconds?: number
  readonly cause?: unknown
}

export class PriceFeedError extends XmarginError {
  override name = 'PriceFeedError'
  override readonly code: PriceFeedErrorCode
  /** The HTTP status the source answered with, when it answered. */
  readonly status: number | undefined
  /** The source's Retry-After, when it gave one. */
  readonly retryAfterSeconds: number | undefined

  constructor(code: PriceFeedErrorCode, shortMessage: string, options: PriceFeedErrorOptions = {}) {
    super(shortMessage, options.cause === undefined ? { code } : { code, cause: options.cause })
    this.code = code
    this.status = options.status
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

/** Where a feed sends what went wrong; the default drops it (HermesFeed.state() keeps the last). */
export type FeedErrorHandler = (error: PriceFeedError) => void
