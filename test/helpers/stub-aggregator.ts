/**
 * A stand-in for the aggregator's trading routes, on 127.0.0.1 port 0, for
 * the venue, client and CLI tests: GET /v1/status (domain and venues),
 * GET /v1/markets (settable marks), POST /v1/fills and POST /v1/admin/prices,
 * answering as the service's contract says. It checks what matters about a
 * fill (the order signed by its account, the execution signed by a listed
 * venue over that order's hash) and otherwise gives canned answers: a fill
 * whose notional needs more initial margin than the stub's fixed equity is
 * refused `insufficient_margin` with figures. Every submission is kept.
 */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { type Address, type Hex, hashTypedData, recoverTypedDataAddress } from 'viem'
import type { MarketsView, VenueInfo } from '../../aggregator/client/index.ts'
import { EXECUTION_TYPES, ORDER_TYPES } from '../../aggregator/orders/typed-data.ts'
import { demoVenuesFor, type RunningVenues, startDemoVenues } from '../../aggregator/venue/index.ts'

export const STUB_DOMAIN = {
  name: 'xmargin',
  version: '1',
  chainId: 31_001,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
} as const

/** The stub account's equity before any fill, USD. */
export const STUB_EQUITY = 10_000
/** Initial margin per USD of notional the stub asks for. */
export const STUB_IM_RATE = 0.1

export const OPERATOR_TOKEN = 'stub-operator-token'

export interface WireOrder {
  message: Record<string, string>
  signer: Address
  signature: Hex
}

export interface WireExecution {
  message: Record<string, string>
  signature: Hex
}

export interface StubAggregator {
  readonly url: string
  /** What GET /v1/status lists; set it once the venues run. */
  venues: VenueInfo[]
  /** Instrument id -> mark (USD). */
  readonly marks: Map<string, number>
  /** Underlying -> price (USD), what the operator route moves. */
  readonly prices: Map<string, number>
  /** Whether the price feed is the local one (else the operator route answers 409 not_local). */
  localFeed: boolean
  /** Every POST /v1/fills body that passed the signature checks, in order. */
  readonly fills: { order: WireOrder; execution: WireExecution }[]
  /** Fill id -> the status and exact text POST /v1/fills answered. */
  readonly answers: Map<string, { status: number; body: string }>
  /** GET /v1/markets served so far. */
  marketsReads: number
  close(): Promise<void>
}

export async function startStubAggregator(): Promise<StubAggregator> {
  const answers = new Map<string, { status: number; body: string }>()
  const stub: Omit<StubAggregator, 'url' | 'close'> = {
    answers,
    venues: [],
    marks: new Map([
      ['ETH-PERP', 3000],
      ['BTC-PERP', 60_000],
      ['ETH-FUT-1798761600', 3010.25],
      ['ETH-C-3500-1798761600', 120.123457],
      ['ETH-P-2750.5-1798761600', 0.000001],
    ]),
    prices: new Map([
      ['ETH', 3000],
      ['BTC', 60_000],
    ]),
    localFeed: true,
    fills: [],
    marketsReads: 0,
  }
  let seq = 0
  const app = new Hono()
  const refuse = (
    status: 400 | 401 | 403 | 409 | 422,
    code: string,
    field: string | null,
    extra = {},
  ) => Response.json({ error: { code, message: `stub: ${code}`, field, ...extra } }, { status })

  app.get('/v1/status', (c) =>
    c.json({
      circuit: { state: 'ready' },
      signing: { domain: STUB_DOMAIN, chains: [] },
      venues: stub.venues,
    }),
  )

  app.get('/v1/markets', (c) => {
    stub.marketsReads++
    const view: MarketsView = {
      timestamp: Math.floor(Date.now() / 1000),
      underlyings: [],
      instruments: [...stub.marks].map(([id, mark]) => ({
        id,
        kind: id.endsWith('-PERP') ? 'perp' : id.includes('-FUT-') ? 'future' : 'option',
        underlying: id.split('-')[0]!,
        mark,
      })),
      assets: [],
      params: {
        extremeMove: 3,
        extremeCoverFraction: 0.3,
        lookaheadDays: 1,
        initialMarginFactor: 1.5,
        spreadCredits: [],
      },
    }
    return c.json(view)
  })

  app.post('/v1/fills', async (c) => {
    const body = (await c.req.json().catch(() => null)) as {
      order: WireOrder
      execution: WireExecution
    } | null
    if (!body?.order?.message || !body.execution?.message) return refuse(400, 'wrong_type', 'body')
    const o = body.order.message
    const e = body.execution.message
    const order = {
      account: o['account'] as Address,
      venue: o['venue'] as Address,
      instrument: o['instrument']!,
      side: o['side']!,
      size: BigInt(o['size']!),
      limitPrice: BigInt(o['limitPrice']!),
      nonce: BigInt(o['nonce']!),
      expiry: BigInt(o['expiry']!),
    }
    const signer = await recoverTypedDataAddress({
      domain: STUB_DOMAIN,
      types: ORDER_TYPES,
      primaryType: 'Order',
      message: order,
      signature: body.order.signature,
    })
    if (signer !== body.order.signer || signer !== order.account)
      return refuse(401, 'bad_signature', 'order.signature')
    const orderHash = hashTypedData({
      domain: STUB_DOMAIN,
      types: ORDER_TYPES,
      primaryType: 'Order',
      message: order,
    })
    if (e['orderHash'] !== orderHash)
      return refuse(401, 'bad_signature', 'execution.message.orderHash')
    const execution = {
      venue: e['venue'] as Address,
      orderHash: e['orderHash'] as Hex,
      fillId: e['fillId']!,
      price: BigInt(e['price']!),
      size: BigInt(e['size']!),
      fee: BigInt(e['fee']!),
      executedAt: BigInt(e['executedAt']!),
    }
    const venueSigner = await recoverTypedDataAddress({
      domain: STUB_DOMAIN,
      types: EXECUTION_TYPES,
      primaryType: 'Execution',
      message: execution,
      signature: body.execution.signature,
    })
    const venue = stub.venues.find((v) => v.address === venueSigner)
    if (!venue || venue.address !== execution.venue || venue.address !== order.venue)
      return refuse(401, 'unknown_venue', 'execution.signature')
    const replay = answers.get(execution.fillId)
    if (replay)
      return new Response(replay.body, {
        status: replay.status,
        headers: { 'content-type': 'application/json' },
      })
    stub.fills.push(body)
    const notional = (Number(execution.price) / 1e6) * (Number(execution.size) / 1e8)
    const im = notional * STUB_IM_RATE
    const fee = Number(execution.fee) / 1e6
    let status = 200
    let answer: unknown
    if (im > STUB_EQUITY - fee) {
      status = 422
      answer = {
        error: {
          code: 'insufficient_margin',
          message: `initial margin after the fill would be ${im} USD; equity ${STUB_EQUITY - fee}`,
          field: 'order.message.size',
          figures: {
            initialMarginRequired: im,
            equityAfter: STUB_EQUITY - fee,
            maintenanceMarginBefore: 0,
            maintenanceMarginAfter: im / 1.5,
          },
        },
      }
    } else {
      answer = {
        fill: {
          fillId: execution.fillId,
          venue: venue.name,
          chain: venue.chain,
          account: order.account,
          instrument: order.instrument,
          side: order.side,
          size: execution.size.toString(),
          price: execution.price.toString(),
          fee: execution.fee.toString(),
          executedAt: Number(execution.executedAt),
          seq: String(++seq),
        },
        margin: {
          equity: STUB_EQUITY - fee,
          initialMargin: im,
          maintenanceMargin: im / 1.5,
          status: 'healthy',
        },
      }
    }
    const text = JSON.stringify(answer)
    answers.set(execution.fillId, { status, body: text })
    return new Response(text, { status, headers: { 'content-type': 'application/json' } })
  })

  app.post('/v1/admin/prices', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${OPERATOR_TOKEN}`)
      return refuse(401, 'bad_token', null)
    if (!stub.localFeed) return refuse(409, 'not_local', null)
    const body = (await c.req.json().catch(() => null)) as {
      underlying?: string
      move?: number
      set?: number
    } | null
    const previous = stub.prices.get(body?.underlying ?? '')
    if (previous === undefined) return refuse(400, 'unknown_reference', 'underlying')
    const price = body!.set ?? previous * (1 + body!.move!)
    stub.prices.set(body!.underlying!, price)
    return c.json({ underlying: body!.underlying, price, previous, publishTime: 1_798_000_000 })
  })

  const { server, port } = await new Promise<{ server: Server; port: number }>((resolve) => {
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
      resolve({ server: server as Server, port: info.port }),
    ) as Server
  })
  return Object.assign(stub, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done())
        server.closeAllConnections()
      }),
  })
}

/** The stub with the demo venues of two spokes in front of it, each quote reading its marks afresh. */
export async function startStubWithVenues(): Promise<{
  stub: StubAggregator
  demo: RunningVenues
  close(): Promise<void>
}> {
  const stub = await startStubAggregator()
  const demo = await startDemoVenues({
    venues: demoVenuesFor(['arbitrum', 'base']),
    aggregator: stub.url,
    // Every quote reads the stub's marks afresh: tests change them.
    marksTtlMs: 0,
    port: 0,
    host: '127.0.0.1',
  })
  stub.venues = [...demo.venues]
  return {
    stub,
    demo,
    close: async () => {
      await demo.close()
      await stub.close()
    },
  }
}
