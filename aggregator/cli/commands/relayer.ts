import { needsBuild } from '../../chain/built.ts'
import { createLogger } from '../../log.ts'
import { type Command, EXIT_OK, parseFlags, requireFlag } from '../command.ts'

export const relayerCommand: Command = {
  name: 'relayer',
  summary: 'carry Wormhole messages between the chains',
  help: `Usage: xmargin relayer --config relayer.json

Watches every chain's Wormhole core for messages from the xmargin contracts
(past the confirmation depth), fetches their signed VAAs, checks them, and
delivers each to its target exactly once: collateral updates to the hub,
epoch roots to every registry, payouts to the vault they name. Progress is
kept in the store, so a restart resumes where it stopped.

Config file (JSON):
  manifest        devnet manifest with the chains and contracts (required)
  privateKey      0x... or "env:NAME" (required)
  database        "memory", a PGlite directory, or postgres://... ($DATABASE_URL wins)
  source          { "kind": "devnet-guardian" } or { "kind": "wormholescan", "baseUrl": "https://..." }
  confirmations   blocks to wait before reading a message (default 0)
  pollIntervalMs  idle wait between passes (default 250)
  maxBlockRange   blocks per getLogs call (default 1000)
  delivery        { maxAttempts, baseDelayMs, maxDelayMs, gasCap, receiptTimeoutMs, maxReplacements }
  port            operator HTTP port: /health, /metrics, /admin/deliveries (default 9090)

Logs are JSON lines. Stops on SIGINT or SIGTERM.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { config: { type: 'string' } })
    const { readConfig } = await import('../../../relayer/config.ts')
    const config = await readConfig(requireFlag(values.config, 'config'))
    const { startRelayer } = await needsBuild(() => import('../../../relayer/relayer.ts'))
    const relayer = await startRelayer(config, createLogger('xmargin-relayer'))
    io.err(
      `relayer running; operator endpoints on ${relayer.url} (/health, /metrics, /admin/deliveries)\n`,
    )
    await new Promise<void>((resolve) => {
      const stop = () => {
        void relayer.stop().then(resolve)
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    return EXIT_OK
  },
}
