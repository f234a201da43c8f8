/** The feed a PriceConfig selects, built from its underlyings: the local walk or Hermes. */
import type { PriceConfig } from './config.ts'
import type { FeedErrorHandler } from './feed-error.ts'
import { HermesFeed } from './hermes-feed.ts'
import { LocalFeed } from './local-feed.ts'

export interface CreateFeedOptions {
  /** Unix seconds. */
  readonly now?: () => number
  readonly onError?: FeedErrorHandler
}

export function createFeed(
  config: PriceConfig,
  options: CreateFeedOptions = {},
): LocalFeed | HermesFeed {
  const entries = Object.entries(config.underlyings)
  const feed = config.feed
  if (feed.kind === 'local') {
    return new LocalFeed({
      ...options,
      seed: feed.seed,
      tickMs: feed.tickMs,
      underlyings: Object.fromEntries(
        entries.map(([name, u]) => [
          name,
          { price: u.localStart, vol: u.vol, fundingRate: u.fundingRate },
        ]),
      ),
    })
  }
  return new HermesFeed({
    ...options,
    endpoint: feed.endpoint,
    ...(feed.accessToken !== undefined && { accessToken: feed.accessToken }),
    feeds: Object.fromEntries(
      entries.map(([name, u]) => [name, { id: u.pythId, vol: u.vol, fundingRate: u.fundingRate }]),
    ),
  })
}
