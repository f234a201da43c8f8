import { startServer } from '../../api/server.ts'
import { createLogger } from '../../log.ts'
import { type Command, EXIT_OK, parseFlags, portFlag } from '../command.ts'

export const DEFAULT_PORT = 8080

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the HTTP API',
  help: `Usage: xmargin serve [--port N] [--host H]

Starts the HTTP API: POST /v1/margin, GET /health.

  --port N  TCP port (default ${DEFAULT_PORT}, or $PORT)
  --host H  address to bind (default 127.0.0.1)

Logs are JSON lines on stdout. Stops on SIGINT or SIGTERM.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { port: { type: 'string' }, host: { type: 'string' } })
    const port = portFlag(values.port ?? process.env['PORT'], 'port', DEFAULT_PORT)
    const logger = createLogger('xmargin-api')
    const server = await startServer({ port, host: values.host ?? '127.0.0.1', logger })
    logger.info({ url: server.url }, 'margin API listening')
    io.err(`xmargin API on ${server.url} (POST /v1/margin, GET /health)\n`)
    const stop = (): void => {
      void server.close().then(() => logger.info('stopped'))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return EXIT_OK
  },
}
