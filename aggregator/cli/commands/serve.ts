import { startServer } from '../../api/server.ts'
import { createLogger } from '../../log.ts'
import { type Command, EXIT_OK, parseFlags, portFlag } from '../command.ts'
import { readServerFlags, SERVER_FLAG_OPTIONS, SERVER_FLAGS_HELP } from '../server-flags.ts'
import { untilStopped } from '../until-stopped.ts'

export const DEFAULT_PORT = 8080

export const serveCommand: Command = {
  name: 'serve',
  summary: 'run the HTTP API',
  help: `Usage: xmargin serve [--port N] [--host H] [--threads N] [--max-queue N] [--deadline-ms N]
                     [--rate-limit N] [--max-* N]

Starts the HTTP API: POST /v1/margin, GET /v1/status, GET /health. Margin
requests are computed on a pool of worker threads, so /health answers while
the pool is busy; a full pool answers 503 with Retry-After.

  --port N  TCP port (default ${DEFAULT_PORT}, or $PORT)
  --host H  address to bind (default 127.0.0.1)
${SERVER_FLAGS_HELP}

Logs are JSON lines on stdout. SIGINT or SIGTERM stops it within a second,
even mid-computation.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      ...SERVER_FLAG_OPTIONS,
    })
    const port = portFlag(values.port ?? process.env['PORT'], 'port', DEFAULT_PORT)
    const { margin, rateLimit } = readServerFlags(values)
    const logger = createLogger('xmargin-api')
    const server = await startServer({
      port,
      host: values.host ?? '127.0.0.1',
      logger,
      margin,
      rateLimit,
    })
    logger.info({ url: server.url, threads: margin.threads }, 'margin API listening')
    io.err(`xmargin API on ${server.url} (POST /v1/margin, GET /health)\n`)
    const signal = await untilStopped()
    await server.close()
    logger.info({ signal }, 'stopped')
    return EXIT_OK
  },
}
