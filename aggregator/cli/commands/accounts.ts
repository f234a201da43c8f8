import { startServer } from '../../api/server.ts'
import { readManifest } from '../../devnet/manifest.ts'
import { createLogger } from '../../log.ts'
import {
  type Command,
  EXIT_OK,
  parseFlags,
  portFlag,
  requireFlag,
  wholeNumberFlag,
} from '../command.ts'
import { readServerFlags, SERVER_FLAG_OPTIONS, SERVER_FLAGS_HELP } from '../server-flags.ts'
import { startService } from '../start-service.ts'
import { untilStopped } from '../until-stopped.ts'
import { DEFAULT_PORT } from './serve.ts'

export const accountsCommand: Command = {
  name: 'accounts',
  summary: 'run the accounts service and its API alone, against running chains',
  help: `Usage: xmargin accounts --manifest FILE [--database D] [--confirmations N] [--port N] [--host H]

The accounts service as 'xmargin up' runs it, alone: one adapter per chain of
the manifest (vault deposits and payouts past the confirmation depth, from
the cursor in the store), every account rebuilt from the log on start, and
the API (accounts, withdrawals, margin) on --port. The operator key is the
devnet deployer's.

  --manifest FILE     the devnet manifest (xmargin devnet or up writes one)
  --database D        a PGlite directory, "memory" or postgres://... (default
                      .xmargin/store; $DATABASE_URL wins)
  --confirmations N   blocks a vault event waits before it is credited (default 0)
  --port N, --host H  where the API listens (default ${DEFAULT_PORT}, 127.0.0.1)
${SERVER_FLAGS_HELP}

Stops on SIGINT or SIGTERM, taking a snapshot of the accounts.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      manifest: { type: 'string' },
      database: { type: 'string' },
      confirmations: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      ...SERVER_FLAG_OPTIONS,
    })
    const manifest = await readManifest(requireFlag(values.manifest, 'manifest'))
    const port = portFlag(values.port, 'port', DEFAULT_PORT)
    const confirmations = wholeNumberFlag(values.confirmations, 'confirmations', 0, 1000)
    const { margin, rateLimit } = readServerFlags(values)
    const logger = createLogger('xmargin-accounts')
    const accounts = await startService(manifest, values.database ?? '.xmargin/store', logger, {
      confirmations,
    })
    const server = await startServer({
      port,
      host: values.host ?? '127.0.0.1',
      logger: logger.child({ component: 'api' }),
      margin,
      rateLimit,
      ...accounts.routes,
    })
    io.err(`xmargin accounts on ${server.url} (/v1/accounts/{address}, /v1/withdrawals)\n`)
    await untilStopped()
    await server.close()
    await accounts.stop()
    return EXIT_OK
  },
}
