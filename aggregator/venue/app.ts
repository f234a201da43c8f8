/**
 * The demo venues' HTTP app (hono), every venue under /venues/{name}:
 *
 *   GET  /venues                              the venues: name, chain, address, url
 *   GET  /venues/{name}/quotes?instrument=ID  { instrument, mark, bid, ask } (USD per unit)
 *   POST /venues/{name}/orders                a signed Order -> the aggregator's answer
 *
 * An order is filled whole at the venue's own quote (ask for a buy, bid for a
 * sell), or refused here `limit_price` when that is past the order's limit;
 * the venue then signs the Execution and submits both to the aggregator's
 * POST /v1/fills, whose status and body it hands back unchanged: the
 * aggregator, not the venue, decides whether the account may trade. Bad
 * input is a 400 naming the field; no body makes it fail.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type Hex, hashTypedData, type LocalAccount, recoverTypedDataAddress } from 'viem'
import { errorBody } from '../api/errors.ts'
import { orderWire } from '../client/actions/place-order.ts'
import type { Http } from '../client/http.ts'
import type { SigningDomain } from '../client/types.ts'
import { InputError, XmarginError } from '../errors.ts'
import type { Logger } from '../log.ts'
import {
  EXECUTION_TYPES,
  type ExecutionMessage,
  ORDER_TYPES,
  type SignedOrder,
} from '../orders/typed-data.ts'
import { parseInstrumentId } from '../risk/instrument-id.ts'
import { AggregatorView } from './aggregator-view.ts'
import { readSignedOrder } from './order-body.ts'
import { feeFor, quoteAt, toUsd } from './pricing.ts'

export interface VenueAccount {
  readonly name: string
  readonly chain: string
  /** Signs the venue's Executions; its address is what orders name. */
  readonly account: LocalAccount
}

export interface VenueAppOptions {
  readonly venues: readonly VenueAccount[]
  /** The aggregator's base URL. */
  readonly aggregator: string
  /** Half the bid-ask spread around the mark, basis points. */
  readonly spreadBps: number
  /** On the notional, basis points, paid by the account to the venue. */
  readonly feeBps: number
  /** How long a read of GET /v1/markets serves quotes. */
  readonly marksTtlMs: number
  readonly logger: Logger
  /** Default globalThis.fetch; a test passes a stub's. */
  readonly fetch?: typeof fetch
}

/** An order body is a few hundred bytes; anything near this is not one. */
const MAX_BODY_BYTES = 16 * 1024

export function createVenueApp(options: VenueAppOptions): Hono {
  const { logger, spreadBps, feeBps } = options
  const http: Http = {
    api: options.aggregator.replace(/\/+$/, ''),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    what: 'the aggregator',
  }
  const view = new AggregatorView(http, options.marksTtlMs)
  const byName = new Map(options.venues.map((v) => [v.name, v]))
  const app = new Hono()

  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('body_too_large', 'request body is too large'), 413),
    }),
  )

  app.get('/venues', (c) => {
    const origin = new URL(c.req.url).origin
    return c.json({
      venues: options.venues.map((v) => ({
        name: v.name,
        chain: v.chain,
        address: v.account.address,
        url: `${origin}/venues/${v.name}`,
      })),
    })
  })

  app.get('/venues/:name/quotes', async (c) => {
    const venue = byName.get(c.req.param('name'))
    if (!venue) return unknownVenue(c.req.param('name'))
    const instrument = c.req.query('instrument')
    if (!instrument)
      throw new InputError(
        'instrument',
        'missing_field',
        'the instrument query parameter is required',
      )
    parseInstrumentId(instrument, 'instrument')
    const mark = await markOf(view, instrument, 'instrument')
    const q = quoteAt(mark, spreadBps)
    return c.json({ instrument, mark, bid: toUsd(q.bid), ask: toUsd(q.ask) })
  })

  app.post('/venues/:name/orders', async (c) => {
    const venue = byName.get(c.req.param('name'))
    if (!venue) return unknownVenue(c.req.param('name'))
    const order = readSignedOrder(await c.req.text())
    const m = order.message
    if (m.venue !== venue.account.address) {
      throw new Refusal(
        422,
        'wrong_venue',
        `the order names venue ${m.venue}; venue ${venue.name} is ${venue.account.address}`,
        'message.venue',
      )
    }
    const domain = await read(() => view.domain())
    await checkSigner(domain, order)
    const q = quoteAt(await markOf(view, m.instrument, 'message.instrument'), spreadBps)
    const price = m.side === 'buy' ? q.ask : q.bid
    const beyond = m.side === 'buy' ? price > m.limitPrice : price < m.limitPrice
    if (beyond) {
      throw new Refusal(
        422,
        'limit_price',
        `${venue.name} ${m.side === 'buy' ? 'asks' : 'bids'} ${toUsd(price)} USD for ${m.instrument}, ${m.side === 'buy' ? 'above' : 'below'} the limit ${toUsd(m.limitPrice)}`,
        'message.limitPrice',
      )
    }
    const execution: ExecutionMessage = {
      venue: venue.account.address,
      orderHash: hashTypedData({ domain, types: ORDER_TYPES, primaryType: 'Order', message: m }),
      fillId: `${venue.name}-${randomId()}`,
      price,
      size: m.size,
      fee: feeFor(price, m.size, feeBps),
      executedAt: BigInt(Math.floor(Date.now() / 1000)),
    }
    const signature = await venue.account.signTypedData({
      domain,
      types: EXECUTION_TYPES,
      primaryType: 'Execution',
      message: execution,
    })
    const answer = await submit(http, {
      order: { message: orderWire(m), signer: order.signer, signature: order.signature },
      execution: wireExecution(execution, signature),
    })
    logger.info(
      {
        venue: venue.name,
        fillId: execution.fillId,
        instrument: m.instrument,
        status: answer.status,
      },
      'order relayed',
    )
    return answer
  })

  app.notFound((c) =>
    c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404),
  )
  app.onError((err, c) => {
    if (err instanceof Refusal)
      return c.json(errorBody(err.code, err.shortMessage, err.field), err.status)
    if (err instanceof InputError)
      return c.json(errorBody(err.code, err.shortMessage, err.field), 400)
    logger.error({ err }, 'unexpected error')
    return c.json(errorBody('internal', 'internal error'), 500)
  })
  return app
}

/** A refusal the venue gives itself, before the aggregator is asked. */
class Refusal extends XmarginError {
  override name = 'Refusal'
  constructor(
    readonly status: 401 | 404 | 422 | 502,
    code: string,
    message: string,
    readonly field: string | null,
  ) {
    super(message, { code })
  }
}

function unknownVenue(name: string): Response {
  return Response.json(errorBody('unknown_venue', `no venue ${name} here`), { status: 404 })
}

/** A read of the aggregator; its failure is the aggregator's, said as such (502). */
async function read<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f()
  } catch (err) {
    const why = err instanceof XmarginError ? err.shortMessage : String(err)
    throw new Refusal(502, 'aggregator_unavailable', `could not read the aggregator: ${why}`, null)
  }
}

async function markOf(view: AggregatorView, instrument: string, field: string): Promise<number> {
  const mark = (await read(() => view.marks())).get(instrument)
  // The service's own code for an instrument it does not list, so a client handles one.
  if (mark === undefined) throw new Refusal(422, 'not_listed', `${instrument} is not listed`, field)
  return mark
}

/**
 * The order's signature is its signer's: checked here so the venue never
 * signs an Execution of a forgery. Whether the signer may trade for the
 * account (itself, or a key it delegated) is the aggregator's to say.
 */
async function checkSigner(domain: SigningDomain, order: SignedOrder): Promise<void> {
  const recovered = await recoverTypedDataAddress({
    domain,
    types: ORDER_TYPES,
    primaryType: 'Order',
    message: order.message,
    signature: order.signature,
  }).catch(() => undefined)
  if (recovered !== order.signer)
    throw new Refusal(
      401,
      'bad_signature',
      "the signature is not the signer's over this order",
      'signature',
    )
}

/**
 * POST /v1/fills, the answer passed on as it came. A fill is idempotent by
 * its id, so a request that got no answer is sent once more: either the first
 * was never booked, or the aggregator answers it again the same.
 */
async function submit(http: Http, body: unknown): Promise<Response> {
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  }
  let last: unknown
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await http.fetch(`${http.api}/v1/fills`, init)
      return new Response(await res.text(), {
        status: res.status,
        headers: { 'content-type': res.headers.get('content-type') ?? 'application/json' },
      })
    } catch (err) {
      last = err
    }
  }
  const why =
    last instanceof Error
      ? last.cause instanceof Error
        ? last.cause.message
        : last.message
      : String(last)
  throw new Refusal(
    502,
    'aggregator_unavailable',
    `POST ${http.api}/v1/fills got no answer: ${why}`,
    null,
  )
}

function wireExecution(e: ExecutionMessage, signature: Hex) {
  return {
    message: {
      venue: e.venue,
      orderHash: e.orderHash,
      fillId: e.fillId,
      price: e.price.toString(),
      size: e.size.toString(),
      fee: e.fee.toString(),
      executedAt: e.executedAt.toString(),
    },
    signature,
  }
}

/** 96 random bits: a fill id no other fill of this venue has. */
function randomId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
}
