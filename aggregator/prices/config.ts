/**
 * What the prices run on: per underlying its vol, quality limits, funding
 * rate, Pyth feed id and local starting price; the funding interval; and
 * which feed (the local walk or Hermes). validatePriceConfig checks a config
 * read from outside and names the field it refuses, e.g.
 * `prices.underlyings.ETH.maxAgeSeconds`.
 */
import { InputError } from '../errors.ts'
import type { QualityLimits } from './quality.ts'
import {
  checkHttpUrl,
  checkNonEmpty,
  checkNumber,
  checkPythId,
  checkRecord,
  checkString,
  required,
} from './validate.ts'

export interface UnderlyingPriceConfig extends QualityLimits {
  /** Annualised implied vol, > 0 (XM-1 values options at it). */
  readonly vol: number
  /** Perp funding rate per funding interval, fraction of notional, + longs pay. */
  readonly fundingRate: number
  /** The Pyth feed id (hex) Hermes prices this underlying under. */
  readonly pythId: string
  /** The local feed's starting price, USD. */
  readonly localStart: number
}

export type FeedSelection =
  | { readonly kind: 'local'; readonly seed: number; readonly tickMs: number }
  | { readonly kind: 'hermes'; readonly endpoint: string; readonly accessToken?: string }

export interface PriceConfig {
  readonly underlyings: Readonly<Record<string, UnderlyingPriceConfig>>
  /** Seconds between funding payments. */
  readonly fundingIntervalSeconds: number
  readonly feed: FeedSelection
}

const UNDERLYING_FIELDS = [
  'vol',
  'maxAgeSeconds',
  'maxConfidenceRatio',
  'fundingRate',
  'pythId',
  'localStart',
]

/** `input` as a PriceConfig, or an InputError naming the first field that is not right. */
export function validatePriceConfig(input: unknown, field = 'prices'): PriceConfig {
  const config = checkRecord(input, field, ['underlyings', 'fundingIntervalSeconds', 'feed'])
  const underlyings = checkNonEmpty(required(config, 'underlyings', field), `${field}.underlyings`)
  const checked: Record<string, UnderlyingPriceConfig> = {}
  const owners = new Map<string, string>()
  for (const [name, value] of Object.entries(underlyings)) {
    const at = `${field}.underlyings.${name}`
    const u = underlying(value, at)
    const owner = owners.get(u.pythId)
    if (owner !== undefined) {
      throw new InputError(`${at}.pythId`, 'duplicate_key', `${at}.pythId is ${owner}'s feed too`)
    }
    owners.set(u.pythId, name)
    checked[name] = u
  }
  return {
    underlyings: checked,
    fundingIntervalSeconds: checkNumber(
      required(config, 'fundingIntervalSeconds', field),
      `${field}.fundingIntervalSeconds`,
      { min: 1, integer: true },
    ),
    feed: feedSelection(required(config, 'feed', field), `${field}.feed`),
  }
}

/** The quality limits of every underlying, as the price service takes them. */
export function limitsOf(config: PriceConfig): Record<string, QualityLimits> {
  return Object.fromEntries(
    Object.entries(config.underlyings).map(([name, u]) => [
      name,
      { maxAgeSeconds: u.maxAgeSeconds, maxConfidenceRatio: u.maxConfidenceRatio },
    ]),
  )
}

function underlying(value: unknown, at: string): UnderlyingPriceConfig {
  const u = checkRecord(value, at, UNDERLYING_FIELDS)
  const num = (key: string, rule: Parameters<typeof checkNumber>[2]) =>
    checkNumber(required(u, key, at), `${at}.${key}`, rule)
  return {
    vol: num('vol', { above: 0 }),
    maxAgeSeconds: num('maxAgeSeconds', { above: 0 }),
    maxConfidenceRatio: num('maxConfidenceRatio', { above: 0 }),
    fundingRate: num('fundingRate', { above: -1, below: 1 }),
    pythId: checkPythId(required(u, 'pythId', at), `${at}.pythId`),
    localStart: num('localStart', { above: 0 }),
  }
}

function feedSelection(value: unknown, at: string): FeedSelection {
  const kind = checkRecord(value, at)['kind']
  if (kind === 'local') {
    const f = checkRecord(value, at, ['kind', 'seed', 'tickMs'])
    return {
      kind,
      seed: checkNumber(required(f, 'seed', at), `${at}.seed`, {
        min: 0,
        below: 2 ** 32,
        integer: true,
      }),
      tickMs: checkNumber(required(f, 'tickMs', at), `${at}.tickMs`, { min: 1, max: 2 ** 31 - 1 }),
    }
  }
  if (kind === 'hermes') {
    const f = checkRecord(value, at, ['kind', 'endpoint', 'accessToken'])
    const endpoint = checkHttpUrl(required(f, 'endpoint', at), `${at}.endpoint`)
    return f['accessToken'] === undefined
      ? { kind, endpoint }
      : { kind, endpoint, accessToken: checkString(f['accessToken'], `${at}.accessToken`) }
  }
  throw new InputError(
    `${at}.kind`,
    kind === undefined ? 'missing_field' : 'out_of_range',
    `${at}.kind must be 'local' or 'hermes'`,
  )
}
