/**
 * The HTTP API (hono). Routes are versioned under /v1; JSON in, JSON out.
 * The app is a plain value so tests drive it with `app.request()` and the
 * server only binds it to a port.
 */
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { Logger } from 'pino'
import { InputError } from '../errors.ts'
import { readObject } from '../risk/fields.ts'
import { marginReport } from '../risk/report.ts'
import { errorBody, toErrorResponse } from './errors.ts'

export interface AppOptions {
  readonly logger: Logger
  /** Largest accepted request body in bytes; larger bodies get 413. */
  readonly maxBodyBytes?: number
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

export function createApp(options: AppOptions): Hono {
  const { logger } = options
  const app = new Hono()

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
    bodyLimit({
      maxSize: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      onError: (c) => c.json(errorBody('body_too_large', 'request body is too large'), 413),
    }),
  )

  app.get('/health', (c) => c.json({ status: 'ok' }))

  app.post('/v1/margin', async (c) => {
    const body = readObject(await readJsonBody(c.req.raw), 'body', [
      'market',
      'params',
      'portfolio',
    ])
    return c.json(marginReport(body['market'], body['params'], body['portfolio']))
  })

  app.notFound((c) =>
    c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404),
  )
  app.onError((err, c) =>
    toErrorResponse(err, c, (e) => logger.error({ err: e }, 'unexpected error')),
  )
  return app
}

async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text()
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new InputError('body', 'invalid_json', 'body is not valid JSON', cause)
  }
}
