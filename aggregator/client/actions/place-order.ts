/**
 * Place an order through a venue: the venue is looked up by name in
 * GET /v1/status (its signing address, which the Order must name, and its
 * URL), the Order is signed by the client's signer for the client's account,
 * and posted to the venue, which fills it, signs the Execution and submits
 * both to the service's POST /v1/fills. What comes back is the service's
 * answer, relayed: the fill and the account's margin after it, or a refusal
 * as an ApiError (`insufficient_margin` with its `figures`, `limit_price`,
 * `stale_price`, ...).
 *
 * Without a limit the order is capped at 1 % beyond the venue's quote (its
 * ask for a buy, its bid for a sell): the venue fills at its own price, and
 * the cap is what stops a quote that moved in between from filling anywhere.
 */
import { type Address, bytesToBigInt } from 'viem'
import { InputError, XmarginError } from '../../errors.ts'
import { ORDER_TYPES, type OrderMessage, type Side } from '../../orders/typed-data.ts'
import { parseInstrumentId } from '../../risk/instrument-id.ts'
import { parseAmount } from '../amount.ts'
import type { ClientContext } from '../context.ts'
import { signingOf } from '../context.ts'
import { type Http, postJson, sendJson } from '../http.ts'
import type { FillResult, Quote, ServiceStatus, VenueInfo } from '../types.ts'
import { getStatus } from './status.ts'

/** How long a venue has to fill: an order is refused after it, so a late one never fills. */
export const ORDER_LIFETIME_SECONDS = 120

/** Without a limit, how far past the quote an order may fill: 1 %, in basis points. */
export const SLIPPAGE_CAP_BPS = 100n

/** Sizes are 1e-8 units and prices 1e-6 USD (aggregator/orders/typed-data.ts). */
const SIZE_DECIMALS = 8
const PRICE_DECIMALS = 6

export interface PlaceOrderParameters {
  /** The venue's name, as GET /v1/status lists it ("arbitrum"). */
  readonly venue: string
  /** A canonical instrument id: ETH-PERP, ETH-FUT-1769904000, ETH-C-3500-1769904000. */
  readonly instrument: string
  readonly side: Side
  /** Units of the underlying as a decimal string, at most 8 decimals ("2", "0.5"). */
  readonly size: string
  /** USD per unit as a decimal string, at most 6 decimals; default the quote plus the 1 % cap. */
  readonly limit?: string
}

export interface PlaceOrderOptions {
  /** The venue's base URL (…/venues/{name}); default the URL GET /v1/status states for it. */
  readonly venueUrl?: string
}

/** An order's terms in the signed units. `limitPrice` is absent until a quote sets it. */
export interface ParsedOrder {
  readonly instrument: string
  readonly side: Side
  /** 1e-8 units. */
  readonly size: bigint
  /** 1e-6 USD per unit. */
  readonly limitPrice?: bigint
}

/**
 * The order's terms checked and in the signed units, or an InputError naming
 * the parameter (through `name`: the CLI says `--size` where this says `size`).
 */
export function parseOrder(
  params: Omit<PlaceOrderParameters, 'venue'>,
  name: (field: 'instrument' | 'side' | 'size' | 'limit') => string = (f) => f,
): ParsedOrder {
  parseInstrumentId(params.instrument, name('instrument'))
  if (params.side !== 'buy' && params.side !== 'sell') {
    throw new InputError(
      name('side'),
      'out_of_range',
      `${name('side')} must be buy or sell, got ${String(params.side)}`,
    )
  }
  const size = parseAmount(params.size, SIZE_DECIMALS, name('size'))
  return {
    instrument: params.instrument,
    side: params.side,
    size,
    ...(params.limit !== undefined && {
      limitPrice: parseAmount(params.limit, PRICE_DECIMALS, name('limit')),
    }),
  }
}

/** The venue called `venue` in the service's list, or an InputError naming the ones there are. */
export function resolveVenue(status: ServiceStatus, venue: string, field = 'venue'): VenueInfo {
  const venues = status.venues ?? []
  const found = venues.find((v) => v.name === venue)
  if (found) return found
  const known = venues.length === 0 ? 'none listed' : venues.map((v) => v.name).join(', ')
  throw new InputError(
    field,
    'unknown_reference',
    `${field} must be a venue the service accepts fills from (${known}), got ${venue}`,
  )
}

export async function placeOrder(
  ctx: ClientContext,
  params: PlaceOrderParameters,
  options: PlaceOrderOptions = {},
): Promise<FillResult> {
  const order = parseOrder(params)
  const status = await getStatus(ctx)
  const { domain } = signingOf(status, ctx.api)
  const venue = resolveVenue(status, params.venue)
  const http: Http = {
    api: venueBase(venue, options),
    fetch: ctx.fetch,
    what: `venue ${venue.name}`,
  }
  const limitPrice = order.limitPrice ?? capFromQuote(await quote(http, order), order.side)
  const message: OrderMessage = {
    account: ctx.address,
    venue: venue.address,
    instrument: order.instrument,
    side: order.side,
    size: order.size,
    limitPrice,
    nonce: randomNonce64(),
    expiry: BigInt(Math.floor(Date.now() / 1000) + ORDER_LIFETIME_SECONDS),
  }
  const signature = await ctx.signer.signTypedData({
    domain: { ...domain },
    types: ORDER_TYPES,
    primaryType: 'Order',
    message: { ...message },
  })
  return sendJson<FillResult>(
    http,
    '/orders',
    postJson({ message: orderWire(message), signer: ctx.signer.address, signature }),
  )
}

/** The Order as JSON: every uint as a decimal string, addresses as they are. */
export function orderWire(m: OrderMessage): Record<string, string | Address> {
  return {
    account: m.account,
    venue: m.venue,
    instrument: m.instrument,
    side: m.side,
    size: m.size.toString(),
    limitPrice: m.limitPrice.toString(),
    nonce: m.nonce.toString(),
    expiry: m.expiry.toString(),
  }
}

function venueBase(venue: VenueInfo, options: PlaceOrderOptions): string {
  const url = options.venueUrl ?? venue.url
  if (url === null) {
    throw new XmarginError(
      `the service states no URL for venue ${venue.name}; pass venueUrl (the venue's …/venues/${venue.name})`,
      { code: 'no_venue_url' },
    )
  }
  return url.replace(/\/+$/, '')
}

async function quote(http: Http, order: ParsedOrder): Promise<Quote> {
  const q = await sendJson<Quote>(
    http,
    `/quotes?instrument=${encodeURIComponent(order.instrument)}`,
  )
  const price = order.side === 'buy' ? q?.ask : q?.bid
  if (q?.instrument !== order.instrument || typeof price !== 'number' || !(price > 0)) {
    throw new XmarginError(
      `${http.what} quoted ${JSON.stringify(q).slice(0, 200)} for ${order.instrument}: no usable ${order.side === 'buy' ? 'ask' : 'bid'}`,
      { code: 'bad_quote' },
    )
  }
  return q
}

/** The quote's side moved by the cap, in whole 1e-6 USD, rounded away from a fill (never tighter). */
function capFromQuote(q: Quote, side: Side): bigint {
  const BPS = 10_000n
  if (side === 'buy') {
    const ask = BigInt(Math.round(q.ask * 1e6))
    return (ask * (BPS + SLIPPAGE_CAP_BPS) + BPS - 1n) / BPS
  }
  const bid = BigInt(Math.round(q.bid * 1e6))
  const capped = (bid * (BPS - SLIPPAGE_CAP_BPS)) / BPS
  // A limit is > 0; a sell capped at the smallest price still sells at the bid.
  return capped > 0n ? capped : 1n
}

/** A nonce this account will not have used: 64 random bits. */
function randomNonce64(): bigint {
  return bytesToBigInt(crypto.getRandomValues(new Uint8Array(8)))
}
