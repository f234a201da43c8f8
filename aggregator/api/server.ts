/** Binds the hono app to a TCP port on the Node.js adapter. */
import { type ServerType, serve } from '@hono/node-server'
import type { Logger } from 'pino'
import { createApp } from './app.ts'

export interface ServerOptions {
  readonly port: number
  readonly host: string
  readonly logger: Logger
}

export interface RunningServer {
  readonly url: string
  close(): Promise<void>
}

export function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = createApp({ logger: options.logger })
  return new Promise((resolve, reject) => {
    const server: ServerType = serve(
      { fetch: app.fetch, port: options.port, hostname: options.host },
      (info) => {
        resolve({
          url: `http://${options.host}:${info.port}`,
          close: () => new Promise((done) => server.close(() => done())),
        })
      },
    )
    server.once('error', reject)
  })
}
