/**
 * Operator routes: GET /metrics (Prometheus text: prices and their quality,
 * fills, the book) and POST /v1/admin/prices, which moves the local feed's
 * price on purpose (demos, tests). The admin route needs the operator's
 * bearer token (written to the data directory by `xmargin up`, 0600); with
 * no token configured it does not exist.
 */
import { timingSafeEqual } from 'node:crypto'
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { MetricSample } from '../../../relayer/metrics.ts'
import { renderMetrics } from '../../../relayer/metrics.ts'
import type { EpochRecord } from '../../epochs/index.ts'
import { InputError, UnauthenticatedError } from '../../errors.ts'
import { parseJsonText } from '../../risk/json-text.ts'
import { errorBody } from '../errors.ts'
import { OperatorPrice } from '../schemas.ts'
import { zodInputError } from '../signed.ts'
import { summary } from './epochs.ts'

export interface PriceOperator {
  set(underlying: string, price: number): { price: number; previous: number; publishTime: number }
  move(
    underlying: string,
    fraction: number,
  ): { price: number; previous: number; publishTime: number }
}

export interface OperatorRoutesOptions {
  readonly metrics: () => readonly MetricSample[]
  /** The operator's bearer token; absent: no admin routes. */
  readonly token?: string
  /** The local feed's controls; null when prices come from elsewhere (Hermes). */
  readonly prices?: PriceOperator | null
  /** Commit and post an epoch now, rather than at the next tick (demos, tests, after an outage). */
  readonly commitEpoch?: () => Promise<EpochRecord>
}

export function operatorRoutes(app: OpenAPIHono, options: OperatorRoutesOptions): void {
  app.get('/metrics', (c) =>
    c.text(renderMetrics(options.metrics()), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  )
  const token = options.token
  if (!token) return
  app.post('/v1/admin/prices', async (c) => {
    checkToken(c.req.header('authorization'), token)
    const parsed = OperatorPrice.safeParse(
      parseJsonText(await c.req.text(), { root: '', label: 'body' }),
    )
    if (!parsed.success) throw zodInputError(parsed.error)
    const { underlying, move, set } = parsed.data
    if ((move === undefined) === (set === undefined)) {
      throw new InputError('move', 'exactly_one', 'give exactly one of move and set')
    }
    if (!options.prices)
      return c.json(
        errorBody('not_local', 'prices come from an external feed; they cannot be moved here'),
        409,
      )
    const result =
      set !== undefined
        ? options.prices.set(underlying, set)
        : options.prices.move(underlying, move!)
    return c.json({ underlying, ...result }, 200)
  })
  app.post('/v1/admin/epochs', async (c) => {
    checkToken(c.req.header('authorization'), token)
    if (!options.commitEpoch)
      return c.json(errorBody('no_epochs', 'this service commits no epochs'), 409)
    return c.json(summary(await options.commitEpoch()), 200)
  })
}

function checkToken(header: string | undefined, token: string): void {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '')
  const expected = Buffer.from(token)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new UnauthenticatedError(
      'bad_signature',
      'the operator token is missing or wrong (Authorization: Bearer <token>)',
    )
  }
}
