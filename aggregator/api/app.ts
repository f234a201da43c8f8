/**
 * The HTTP API (hono). Routes are versioned under /v1; JSON in, JSON out.
 * The app is a plain value so tests drive it with `app.request()` and the
 * server only binds it to a port. Margin requests go to a MarginEngine (the
 * worker pool in the server), so nothing a client sends runs on this thread
 * beyond reading its bounded body.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { Logger } from 'pino'
import type { CircuitStatus } from '../../circuits/setup-status.ts'
import { bodyLimit } from './body-limit.ts'
import { errorBody, toErrorResponse } from './errors.ts'
import type { MarginEngine } from './margin-engine.ts'
import {
  DEFAULT_RATE_LIMIT,
  type RateLimitOptions,
  rateLimit,
  socketAddress,
} from './rate-limit.ts'
import { type AccountRoutesOptions, accountRoutes } from './routes/accounts.ts'
import { type EpochRoutesOptions, epochRoutes } from './routes/epochs.ts'
import { type OperatorRoutesOptions, operatorRoutes } from './routes/operator.ts'
import { type OrderRoutesOptions, orderRoutes } from './routes/orders.ts'
import { type ProofRoutesOptions, proofRoutes } from './routes/proofs.ts'
import { ErrorBody, MarginRequest } from './schemas.ts'
import { zodInputError } from './signed.ts'

export interface AppOptions {
  readonly logger: Logger
  readonly margin: MarginEngine
  /** Largest accepted request body in bytes; larger bodies get 413. */
  readonly maxBodyBytes?: number
  readonly rateLimit?: RateLimitOptions
  /** Who a client is, for rate limiting; default the socket's address. */
  readonly clientKey?: (c: import('hono').Context) => string
  /** The proving setup's state, for /v1/status; absent where nothing proves. */
  readonly circuitStatus?: () => CircuitStatus
  /** The account service's routes; absent in the stand-alone margin API (`xmargin serve`). */
  readonly accounts?: AccountRoutesOptions
  /** Fills and markets; absent in the stand-alone margin API. */
  readonly orders?: OrderRoutesOptions
  /** Proofs on demand; absent in the stand-alone margin API. */
  readonly proofs?: ProofRoutesOptions
  /** The committed epochs (public); absent in the stand-alone margin API. */
  readonly epochs?: EpochRoutesOptions
  /** /metrics and the admin routes; absent in the stand-alone margin API. */
  readonly operator?: OperatorRoutesOptions
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export function createApp(options: AppOptions): OpenAPIHono {
  const { logger, margin } = options
  const app = new OpenAPIHono({
    // A request the schemas refuse is a 400 in the API's one error shape, naming the field.
    defaultHook: (result) => {
      if (!result.success) throw zodInputError(result.error)
    },
  })

  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    logger.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    )
  })
  app.use(
    '/v1/*',
    rateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT, options.clientKey ?? socketAddress),
  )
  app.use(
    '/v1/*',
    bodyLimit(options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, (c) =>
      c.json(errorBody('body_too_large', 'request body is too large'), 413),
    ),
  )

  app.get('/health', (c) => c.json({ status: 'ok' }))

  app.get('/v1/status', (c) =>
    c.json({
      circuit: options.circuitStatus?.() ?? { state: 'absent' },
      ...(options.accounts && {
        signing: {
          domain: options.accounts.signing.domain,
          chains: options.accounts.accounts.directory.describe(),
        },
      }),
      ...(options.orders && { venues: options.orders.orders.venues.list() }),
    }),
  )

  app.post('/v1/margin', async (c) => c.json(await margin.margin(await c.req.text())))
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/v1/margin',
    summary: 'Margin one account from its XM-1 documents (what `xmargin margin --json` prints)',
    request: { body: { content: { 'application/json': { schema: MarginRequest } } } },
    responses: {
      200: { description: 'the XM-1 report' },
      400: {
        description: 'bad input, naming the field',
        content: { 'application/json': { schema: ErrorBody } },
      },
      503: { description: 'at capacity; Retry-After says when to retry' },
      504: { description: 'past the per-request deadline' },
    },
  })
  if (options.accounts) accountRoutes(app, options.accounts)
  if (options.orders) orderRoutes(app, options.orders)
  if (options.epochs) epochRoutes(app, options.epochs)
  if (options.proofs) proofRoutes(app, options.proofs)
  if (options.operator) operatorRoutes(app, options.operator)
  app.doc31('/v1/openapi.json', {
    openapi: '3.1.0',
    info: { title: 'xmargin', version: '1', description: 'One margin account across EVM chains' },
  })

  app.notFound((c) =>
    c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404),
  )
  app.onError((err, c) =>
    toErrorResponse(err, c, (e) => logger.error({ err: e }, 'unexpected error')),
  )
  return app
}
