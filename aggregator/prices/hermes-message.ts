/**
 * Reading Hermes v2 price updates (the body of /v2/updates/price/latest and
 * each event of /v2/updates/price/stream, both asked with parsed=true):
 * per feed id, the price and confidence as integers scaled by 10^expo, and
 * the publish time in unix seconds. The binary (the signed VAA) is not read:
 * the aggregator trusts Hermes for prices (spec trust model) and commits
 * the prices it used per epoch.
 */
import { z } from 'zod'
import { PriceFeedError } from './feed-error.ts'
import { normalizePythId } from './validate.ts'

export interface HermesPrice {
  /** Lower-case hex, no 0x. */
  readonly id: string
  readonly price: number
  readonly confidence: number
  readonly publishTime: number
}

const IntegerText = z.string().regex(/^-?\d+$/)

const RpcPrice = z.looseObject({
  price: IntegerText,
  conf: IntegerText,
  expo: z.number().int().min(-64).max(64),
  publish_time: z.number().int(),
})

const PriceUpdateBody = z.looseObject({
  parsed: z.array(z.looseObject({ id: z.string(), price: RpcPrice })).nullish(),
})

/** The prices in one Hermes body, or the error saying it is not one. */
export function readHermesPrices(body: unknown): HermesPrice[] | PriceFeedError {
  const read = PriceUpdateBody.safeParse(body)
  if (!read.success) {
    return new PriceFeedError(
      'feed_bad_message',
      'Hermes sent a price update this feed cannot read',
      {
        cause: read.error,
      },
    )
  }
  return (read.data.parsed ?? []).map((item) => ({
    id: normalizePythId(item.id),
    price: scaled(item.price.price, item.price.expo),
    confidence: scaled(item.price.conf, item.price.expo),
    publishTime: item.price.publish_time,
  }))
}

/** Divide by an exact power of ten rather than multiply by an inexact 1e-8: 3000.5, not 3000.5000000000005. */
function scaled(integer: string, expo: number): number {
  const n = Number(integer)
  return expo < 0 ? n / 10 ** -expo : n * 10 ** expo
}
