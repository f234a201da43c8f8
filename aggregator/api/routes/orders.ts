/**
 * Trading routes: POST /v1/fills (from an allow-listed venue: the account's
 * signed order and the venue's signed execution) and GET /v1/markets (public:
 * the listed instruments with their marks, the underlyings' prices and their
 * quality, the risk parameters).
 */
import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi'
import type { Address, Hex } from 'viem'
import { InputError } from '../../errors.ts'
import type { OrderService, FillSubmission as Submission } from '../../orders/index.ts'
import type { MarketsView } from '../../orders/markets-view.ts'
import { parseJsonText } from '../../risk/json-text.ts'
import { errorBody } from '../errors.ts'
import { ErrorBody, FillAccepted, FillSubmission } from '../schemas.ts'
import { zodInputError } from '../signed.ts'

export interface OrderRoutesOptions {
  readonly orders: OrderService
  readonly markets: () => MarketsView
}

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const fillsRoute = createRoute({
  method: 'post',
  path: '/v1/fills',
  summary:
    "Submit a fill (venues): the account's signed order and the venue's signed execution, checked against the whole account",
  request: {
    body: { content: { 'application/json': { schema: FillSubmission } }, required: true },
  },
  responses: {
    200: json(FillAccepted, 'accepted (a resubmission of the fill id gets the same answer)'),
    400: json(ErrorBody, 'bad input, naming the field'),
    401: json(
      ErrorBody,
      'a signature does not verify, the venue is not allow-listed, or the order expired',
    ),
    403: json(ErrorBody, 'the signer or the venue has no authority for this'),
    409: json(ErrorBody, 'the fill id or the order nonce was used for something else'),
    422: json(
      ErrorBody,
      'refused by the pre-trade check: insufficient_margin, capacity, stale_price, limit_price, overfilled, not_listed, order_expired (error.figures)',
    ),
  },
})

const marketsRoute = createRoute({
  method: 'get',
  path: '/v1/markets',
  summary:
    'The listed instruments with their marks, the prices and their quality, the risk parameters',
  responses: { 200: { description: 'the markets' } },
})

export function orderRoutes(app: OpenAPIHono, options: OrderRoutesOptions): void {
  // Documented from the schema but read by readSubmission alone: the openapi
  // route's validator would parse and check every fill a second time.
  app.openAPIRegistry.registerPath(fillsRoute)
  app.post(fillsRoute.path, async (c) => {
    const answer = await options.orders.submit(readSubmission(await c.req.text()))
    if (answer.accepted) return c.json({ fill: answer.fill, margin: answer.margin }, 200)
    const r = answer.refusal
    const body = errorBody(r.code, r.shortMessage, r.field)
    return c.json({ error: { ...body.error, figures: r.figures } }, 422)
  })
  app.openapi(marketsRoute, (c) => c.json(options.markets() as never, 200))
}

/** The body as the typed submission, or an InputError naming the field. */
export function readSubmission(text: string): Submission {
  const parsed = FillSubmission.safeParse(parseJsonText(text, { root: '', label: 'body' }))
  if (!parsed.success) throw zodInputError(parsed.error)
  const { order, execution } = parsed.data
  const o = order.message
  const x = execution.message
  for (const [field, v] of [
    ['order.message.size', o.size],
    ['order.message.limitPrice', o.limitPrice],
    ['execution.message.size', x.size],
    ['execution.message.price', x.price],
  ] as const) {
    if (BigInt(v) === 0n) throw new InputError(field, 'out_of_range', `${field} must be > 0`)
  }
  return {
    order: {
      message: {
        account: o.account as Address,
        venue: o.venue as Address,
        instrument: o.instrument,
        side: o.side,
        size: BigInt(o.size),
        limitPrice: BigInt(o.limitPrice),
        nonce: BigInt(o.nonce),
        expiry: BigInt(o.expiry),
      },
      signer: order.signer as Address,
      signature: order.signature as Hex,
    },
    execution: {
      message: {
        venue: x.venue as Address,
        orderHash: x.orderHash as Hex,
        fillId: x.fillId,
        price: BigInt(x.price),
        size: BigInt(x.size),
        fee: BigInt(x.fee),
        executedAt: BigInt(x.executedAt),
      },
      signature: execution.signature as Hex,
    },
  }
}
