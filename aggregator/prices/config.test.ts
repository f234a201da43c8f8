/** The price config: the defaults are valid, every bad field is named, and createFeed builds the feed selected. */
import { describe, expect, it } from 'vitest'
import { limitsOf, type PriceConfig, validatePriceConfig } from './config.ts'
import { createFeed } from './create-feed.ts'
import { DEFAULT_PRICE_CONFIG, PYTH_BTC_USD, PYTH_ETH_USD } from './defaults.ts'
import { HermesFeed } from './hermes-feed.ts'
import { LocalFeed } from './local-feed.ts'

type Json = Record<string, unknown>

/** The defaults with `path` set to `value` (undefined deletes it). */
function withField(path: string, value: unknown): Json {
  const copy = structuredClone(DEFAULT_PRICE_CONFIG) as unknown as Json
  const keys = path.split('.')
  let at = copy
  for (const k of keys.slice(0, -1)) at = at[k] as Json
  if (value === undefined) delete at[keys.at(-1)!]
  else at[keys.at(-1)!] = value
  return copy
}

describe('validatePriceConfig', () => {
  it('takes the defaults, ids as Hermes writes them', () => {
    const config = validatePriceConfig(DEFAULT_PRICE_CONFIG)
    expect(config.underlyings['ETH']).toEqual({
      vol: 0.7,
      maxAgeSeconds: 60,
      maxConfidenceRatio: 0.02,
      fundingRate: 0,
      pythId: PYTH_ETH_USD.slice(2),
      localStart: 3000,
    })
    expect(config.underlyings['BTC']).toMatchObject({
      vol: 0.55,
      localStart: 90_000,
      pythId: PYTH_BTC_USD.slice(2),
    })
    expect(config.fundingIntervalSeconds).toBe(3600)
    expect(config.feed).toEqual({ kind: 'local', seed: 1, tickMs: 1000 })
  })

  it('takes a Hermes feed, with or without a token', () => {
    const hermes = { kind: 'hermes', endpoint: 'https://hermes.example/', accessToken: 't' }
    expect(validatePriceConfig(withField('feed', hermes)).feed).toEqual(hermes)
    const open = { kind: 'hermes', endpoint: 'http://127.0.0.1:1' }
    expect(validatePriceConfig(withField('feed', open)).feed).toEqual(open)
  })

  const refused: readonly [string, unknown, string, string][] = [
    ['underlyings.ETH.maxAgeSeconds', 0, 'prices.underlyings.ETH.maxAgeSeconds', 'out_of_range'],
    ['underlyings.ETH.maxAgeSeconds', '60', 'prices.underlyings.ETH.maxAgeSeconds', 'wrong_type'],
    [
      'underlyings.ETH.maxAgeSeconds',
      undefined,
      'prices.underlyings.ETH.maxAgeSeconds',
      'missing_field',
    ],
    ['underlyings.BTC.vol', Number.NaN, 'prices.underlyings.BTC.vol', 'not_finite'],
    [
      'underlyings.BTC.maxConfidenceRatio',
      0,
      'prices.underlyings.BTC.maxConfidenceRatio',
      'out_of_range',
    ],
    ['underlyings.BTC.fundingRate', 1, 'prices.underlyings.BTC.fundingRate', 'out_of_range'],
    ['underlyings.BTC.pythId', '0x1234', 'prices.underlyings.BTC.pythId', 'out_of_range'],
    [
      'underlyings.BTC.pythId',
      PYTH_ETH_USD.toUpperCase().slice(2),
      'prices.underlyings.BTC.pythId',
      'duplicate_key',
    ],
    ['underlyings.BTC.localStart', -1, 'prices.underlyings.BTC.localStart', 'out_of_range'],
    ['underlyings.BTC.spot', 1, 'prices.underlyings.BTC.spot', 'unknown_field'],
    ['underlyings.BTC', 'btc', 'prices.underlyings.BTC', 'wrong_type'],
    ['underlyings', {}, 'prices.underlyings', 'missing_field'],
    ['fundingIntervalSeconds', 0.5, 'prices.fundingIntervalSeconds', 'out_of_range'],
    ['fundingIntervalSeconds', undefined, 'prices.fundingIntervalSeconds', 'missing_field'],
    ['feed.kind', 'pyth', 'prices.feed.kind', 'out_of_range'],
    ['feed.kind', undefined, 'prices.feed.kind', 'missing_field'],
    ['feed.seed', -1, 'prices.feed.seed', 'out_of_range'],
    ['feed.tickMs', 0, 'prices.feed.tickMs', 'out_of_range'],
    ['feed.endpoint', 'x', 'prices.feed.endpoint', 'unknown_field'],
    ['extra', true, 'prices.extra', 'unknown_field'],
  ]
  it.each(refused)('refuses %s = %s, naming %s', (path, value, field, rule) => {
    expect(() => validatePriceConfig(withField(path, value))).toThrow(
      expect.objectContaining({ name: 'InputError', field, rule }),
    )
  })

  it('refuses a Hermes feed without an http(s) endpoint or with an empty token', () => {
    const bad: readonly [unknown, string][] = [
      [{ kind: 'hermes' }, 'prices.feed.endpoint'],
      [{ kind: 'hermes', endpoint: 'not a url' }, 'prices.feed.endpoint'],
      [{ kind: 'hermes', endpoint: 'ws://h' }, 'prices.feed.endpoint'],
      [{ kind: 'hermes', endpoint: 'https://h', accessToken: '' }, 'prices.feed.accessToken'],
      [{ kind: 'hermes', endpoint: 'https://h', seed: 1 }, 'prices.feed.seed'],
    ]
    for (const [feed, field] of bad) {
      expect(() => validatePriceConfig(withField('feed', feed)), field).toThrow(
        expect.objectContaining({ field }),
      )
    }
  })

  it('names fields under the prefix it is given', () => {
    expect(() => validatePriceConfig(withField('underlyings.ETH.vol', 0), 'config.prices')).toThrow(
      expect.objectContaining({ field: 'config.prices.underlyings.ETH.vol' }),
    )
  })
})

describe('createFeed and limitsOf', () => {
  const config: PriceConfig = {
    ...DEFAULT_PRICE_CONFIG,
    underlyings: {
      ...DEFAULT_PRICE_CONFIG.underlyings,
      ETH: { ...DEFAULT_PRICE_CONFIG.underlyings['ETH']!, fundingRate: 0.0002 },
    },
  }

  it('the local feed starts at localStart, with the vol and funding rate', async () => {
    const feed = createFeed(config, { now: () => 10 })
    expect(feed).toBeInstanceOf(LocalFeed)
    await feed.start()
    expect(feed.latest('ETH')).toMatchObject({ price: 3000, vol: 0.7, publishTime: 10 })
    expect(feed.latest('BTC')).toMatchObject({ price: 90_000, vol: 0.55 })
    expect(feed.fundingRate('ETH')).toBe(0.0002)
    await feed.stop()
  })

  it('the Hermes feed prices the same underlyings', () => {
    const feed = createFeed({ ...config, feed: { kind: 'hermes', endpoint: 'http://127.0.0.1:1' } })
    expect(feed).toBeInstanceOf(HermesFeed)
    expect(feed.underlyings).toEqual(['ETH', 'BTC'])
    expect(feed.fundingRate('ETH')).toBe(0.0002)
  })

  it('limitsOf gives each underlying its limits', () => {
    expect(limitsOf(config)).toEqual({
      ETH: { maxAgeSeconds: 60, maxConfidenceRatio: 0.02 },
      BTC: { maxAgeSeconds: 60, maxConfidenceRatio: 0.02 },
    })
  })
})
