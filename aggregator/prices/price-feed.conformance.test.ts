/** Both feeds held to the PriceFeed conformance suite: the local walk driven by set(), Hermes by a local server. */
import { HermesServer } from '../../test/helpers/hermes-server.ts'
import { PYTH_BTC_USD, PYTH_ETH_USD } from './defaults.ts'
import { HermesFeed } from './hermes-feed.ts'
import { LocalFeed } from './local-feed.ts'
import { describePriceFeed, type FeedDriver } from './price-feed.conformance.ts'

const START = 1_767_225_600

describePriceFeed('LocalFeed', async (): Promise<FeedDriver> => {
  let clock = START
  const feed = new LocalFeed({
    underlyings: { ETH: { price: 3000, vol: 0.7 }, BTC: { price: 90_000, vol: 0.55 } },
    // The walk's timer never fires within a case: the driver publishes by hand.
    tickMs: 2 ** 31 - 1,
    now: () => clock,
  })
  await feed.start()
  return {
    feed,
    underlyings: ['ETH', 'BTC'],
    restampsOlder: true,
    ownConfidence: true,
    async publish({ underlying, price, publishTime }) {
      clock = publishTime
      feed.set(underlying, price)
    },
    close: () => feed.stop(),
  }
})

const IDS: Readonly<Record<string, string>> = { ETH: PYTH_ETH_USD, BTC: PYTH_BTC_USD }

describePriceFeed('HermesFeed', async (): Promise<FeedDriver> => {
  const server = await HermesServer.start()
  server.publish(PYTH_ETH_USD, { price: 3000, conf: 1, publishTime: START })
  server.publish(PYTH_BTC_USD, { price: 90_000, conf: 30, publishTime: START })
  const feed = new HermesFeed({
    endpoint: server.url,
    feeds: { ETH: { id: PYTH_ETH_USD, vol: 0.7 }, BTC: { id: PYTH_BTC_USD, vol: 0.55 } },
  })
  await feed.start()
  await server.awaitStreams(1)
  return {
    feed,
    underlyings: ['ETH', 'BTC'],
    async publish({ underlying, price, confidence, publishTime }) {
      server.publish(IDS[underlying]!, { price, conf: confidence, publishTime })
    },
    settle: () => server.awaitStreams(0),
    async close() {
      await feed.stop()
      await server.close()
    },
  }
})
