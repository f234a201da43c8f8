/**
 * The PriceFeed delivery rule, in one place for every feed: the newest
 * update per underlying, and delivery of only those strictly newer than it,
 * to each subscriber in turn. A subscriber that throws is reported, not
 * allowed to stop the others or the feed's source.
 */
import { type FeedErrorHandler, PriceFeedError } from './feed-error.ts'
import type { PriceListener, PriceUpdate } from './price-feed.ts'

export class Publisher {
  readonly #latest = new Map<string, PriceUpdate>()
  readonly #listeners = new Set<PriceListener>()
  readonly #onError: FeedErrorHandler

  constructor(onError: FeedErrorHandler = () => {}) {
    this.#onError = onError
  }

  latest(underlying: string): PriceUpdate | undefined {
    return this.#latest.get(underlying)
  }

  subscribe(listener: PriceListener): () => void {
    // Wrapped so that subscribing one function twice gives two subscriptions, each its own unsubscribe.
    const own: PriceListener = (u) => listener(u)
    this.#listeners.add(own)
    return () => {
      this.#listeners.delete(own)
    }
  }

  /** Deliver `update` if it is newer than the last one for its underlying; whether it was. */
  offer(update: PriceUpdate): boolean {
    const last = this.#latest.get(update.underlying)
    if (last !== undefined && update.publishTime <= last.publishTime) return false
    this.#latest.set(update.underlying, update)
    for (const listener of [...this.#listeners]) this.#call(listener, update)
    return true
  }

  #call(listener: PriceListener, update: PriceUpdate): void {
    try {
      listener(update)
    } catch (cause) {
      this.#onError(
        new PriceFeedError('listener_failed', `a price subscriber threw on ${update.underlying}`, {
          cause,
        }),
      )
    }
  }
}
