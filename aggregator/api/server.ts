/**
 * Binds the hono app to a TCP port on the Node.js adapter, with the margin
 * worker pool behind it. Closing is prompt even mid-computation: the pool's
 * workers are terminated (their requests answer 503), then every connection
 * still open is cut after a short grace, so SIGTERM never waits on a client.
 */
import type { Server } from 'node:http'
import { serve } from '@hono/node-server'
import type { Logger } from 'pino'
import type { CircuitStatus } from '../../circuits/setup-status.ts'
import { createApp } from './app.ts'
import { MarginPool, type MarginPoolOptions } from './margin-pool.ts'
import type { RateLimitOptions } from './rate-limit.ts'
import type { AccountRoutesOptions } from './routes/accounts.ts'
import type { EpochRoutesOptions } from './routes/epochs.ts'
import type { OperatorRoutesOptions } from './routes/operator.ts'
import type { OrderRoutesOptions } from './routes/orders.ts'
import type { ProofRoutesOptions } from './routes/proofs.ts'

export interface ServerOptions {
  readonly port: number
  readonly host: string
  readonly logger: Logger
  readonly margin?: MarginPoolOptions
  readonly rateLimit?: RateLimitOptions
  readonly circuitStatus?: () => CircuitStatus
  /** The account service's routes (xmargin up); absent for the stand-alone margin API. */
  readonly accounts?: AccountRoutesOptions
  readonly orders?: OrderRoutesOptions
  readonly proofs?: ProofRoutesOptions
  readonly epochs?: EpochRoutesOptions
  readonly operator?: OperatorRoutesOptions
}

export interface RunningServer {
  readonly url: string
  close(): Promise<void>
}

/** Time for answers already computed to leave before their connections are cut. */
const CLOSE_GRACE_MS = 200

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const pool = new MarginPool(options.margin)
  const app = createApp({
    logger: options.logger,
    margin: pool,
    ...(options.rateLimit && { rateLimit: options.rateLimit }),
    ...(options.circuitStatus && { circuitStatus: options.circuitStatus }),
    ...(options.accounts && { accounts: options.accounts }),
    ...(options.orders && { orders: options.orders }),
    ...(options.proofs && { proofs: options.proofs }),
    ...(options.epochs && { epochs: options.epochs }),
    ...(options.operator && { operator: options.operator }),
  })
  try {
    const { server, port } = await listen(app.fetch, options.port, options.host)
    return { url: `http://${options.host}:${port}`, close: () => shutDown(server, pool) }
  } catch (err) {
    await pool.close()
    throw err
  }
}

/** Bind a fetch handler on the Node.js adapter; resolves with the port it got (0 picks one). */
export function listen(
  fetch: Parameters<typeof serve>[0]['fetch'],
  port: number,
  hostname: string,
): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (info) =>
      resolve({ server: server as Server, port: info.port }),
    ) as Server
    server.once('error', reject)
  })
}

async function shutDown(server: Server, pool: MarginPool): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()))
  server.closeIdleConnections()
  await pool.close()
  await new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())
  server.closeAllConnections()
  await closed
}
