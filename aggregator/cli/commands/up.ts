import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { privateKeyToAccount } from 'viem/accounts'
import { progressBar } from '../../../circuits/progress-bar.ts'
import { type CircuitStatus, describeStatus, STARTING } from '../../../circuits/setup-status.ts'
import { startServer } from '../../api/server.ts'
import { needsBuild } from '../../chain/built.ts'
import { chainClients } from '../../chain/clients.ts'
import { DEVNET_DEPLOYER_KEY, DEVNET_RELAYER_KEY } from '../../devnet/chains.ts'
import { DEFAULT_BASE_PORT, DEFAULT_CHAINS } from '../../devnet/defaults.ts'
import { createLogger } from '../../log.ts'
import { validatePriceConfig } from '../../prices/index.ts'
import { registryPoster } from '../../proofs/index.ts'
import { demoVenuesFor, startDemoVenues } from '../../venue/index.ts'
import {
  type Command,
  EXIT_FAILURE,
  EXIT_OK,
  parseFlags,
  portFlag,
  wholeNumberFlag,
} from '../command.ts'
import { OPERATOR_TOKEN_FILE } from '../operator-token.ts'
import { readJsonFile } from '../read-json.ts'
import { startService } from '../start-service.ts'
import { DEFAULT_MANIFEST } from './devnet.ts'
import { DEFAULT_PORT as DEFAULT_API_PORT } from './serve.ts'

const DEFAULT_GUARDIAN_PORT = 7071
/** Git-ignored, beside the checkout's build/. */
const DEFAULT_DATA_DIR = '.xmargin'
const DEFAULT_RELAYER_PORT = 9090
const DEFAULT_VENUE_PORT = 8788

/** The operator's bearer token for the admin routes: made once per data directory, readable by its owner only. */
async function operatorToken(dataDir: string): Promise<string> {
  const file = join(dataDir, OPERATOR_TOKEN_FILE)
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch {
    const token = randomBytes(32).toString('hex')
    await writeFile(file, `${token}\n`, { mode: 0o600 })
    return token
  }
}

export const upCommand: Command = {
  name: 'up',
  summary: 'the whole local stack: devnet, devnet guardian, relayer and margin API (npm start)',
  help: `Usage: xmargin up [--chains N] [--port P] [--guardian-port P] [--relayer-port P] [--api-port P]
                  [--venue-port P] [--epoch-seconds N] [--prices FILE] [--manifest FILE] [--data DIR] [--fresh] [--json]

Starts, on 127.0.0.1:
  the devnet        one anvil per chain with the genuine Wormhole core (--port, default ${DEFAULT_BASE_PORT})
  the guardian      signs observed messages with the devnet key, served at
                    Wormholescan's API path (--guardian-port, default ${DEFAULT_GUARDIAN_PORT})
  the relayer       fetches VAAs from the guardian as it would from Wormholescan,
                    store in memory (--relayer-port for /metrics, default ${DEFAULT_RELAYER_PORT})
  the accounts      one account per trader from every chain's vault, withdrawals
  the prices        a deterministic local feed (seeded walk with jumps); move a
                    price with 'xmargin price' (operator token in DIR/operator-token)
  the margin book   every account re-margined on each tick; status changes on the streams
  the epochs        every minute (--epoch-seconds; 0: only when asked, POST
                    /v1/admin/epochs), each account's leaf at the hub's index and the
                    market table committed and posted to the hub, new accounts' indices
                    published for the registries (GET /v1/epochs; each table also in
                    DIR/epochs/<n>.market.json)
  the prover        one proof worker on the store (more: 'xmargin prover'), from when
                    the proving key is ready
  the API           accounts, fills, markets, withdrawals, proofs, POST /v1/margin, GET /v1/status,
                    /metrics (--api-port, default ${DEFAULT_API_PORT})
  the venues        a demo venue per spoke chain, named after it, quoting mark +- spread
                    (--venue-port, default ${DEFAULT_VENUE_PORT}); trade with 'xmargin order'
The chains' state, the accounts' store and the relayer's live in one data
directory (--data, default ${DEFAULT_DATA_DIR}): stopping and starting again resumes
the same world; --fresh starts anew.
Everything but proving answers at once. If the circuit is not built (a fresh
clone), its setup runs in a child process with a progress bar on stderr; then
the verifier is deployed and bound on every chain, and proofs work. Until then
the status is setting_up (phase, percent, time left).
--prices FILE: the price configuration (JSON: per underlying vol, maxAgeSeconds,
maxConfidenceRatio, fundingRate, pythId, localStart; fundingIntervalSeconds; feed
{kind: local, seed, tickMs} or {kind: hermes, endpoint, accessToken}); default the
local feed on ETH and BTC.
Port 0 picks a free port. --manifest FILE: where the devnet manifest goes
(default build/devnet.json).
--json prints where each part is as one JSON object. Ctrl-C stops everything.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      chains: { type: 'string' },
      port: { type: 'string' },
      'guardian-port': { type: 'string' },
      'relayer-port': { type: 'string' },
      'api-port': { type: 'string' },
      'venue-port': { type: 'string' },
      'epoch-seconds': { type: 'string' },
      manifest: { type: 'string' },
      prices: { type: 'string' },
      data: { type: 'string' },
      fresh: { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const dataDir = resolve(values.data ?? DEFAULT_DATA_DIR)
    if (values.fresh) await rm(dataDir, { recursive: true, force: true })
    await mkdir(dataDir, { recursive: true })
    const chains = wholeNumberFlag(values.chains, 'chains', DEFAULT_CHAINS)
    const ports = {
      devnet: portFlag(values.port, 'port', DEFAULT_BASE_PORT),
      guardian: portFlag(values['guardian-port'], 'guardian-port', DEFAULT_GUARDIAN_PORT),
      relayer: portFlag(values['relayer-port'], 'relayer-port', DEFAULT_RELAYER_PORT),
      api: portFlag(values['api-port'], 'api-port', DEFAULT_API_PORT),
      venues: portFlag(values['venue-port'], 'venue-port', DEFAULT_VENUE_PORT),
    }
    const [
      { startDevnet },
      { startGuardianServer },
      { startRelayer },
      { validateConfig },
      { topologyFromManifest },
      { bindWhenReady },
    ] = await needsBuild(() =>
      Promise.all([
        import('../../devnet/devnet.ts'),
        import('../../../relayer/guardian-server.ts'),
        import('../../../relayer/relayer.ts'),
        import('../../../relayer/config.ts'),
        import('../../../relayer/topology.ts'),
        import('../../devnet/bind-when-ready.ts'),
      ]),
    )
    const logger = createLogger('xmargin')
    const started = performance.now()
    const manifestPath = values.manifest ?? DEFAULT_MANIFEST
    const devnet = await startDevnet({ chains, basePort: ports.devnet, manifestPath, dataDir })
    const stops: (() => Promise<void>)[] = [() => devnet.stop()]
    try {
      const topology = topologyFromManifest(devnet.manifest)
      const observers = topology.chains.map((chain) => ({
        chain,
        client: chainClients(chain.rpcUrl, chain.evmChainId, DEVNET_DEPLOYER_KEY).public,
      }))
      const guardian = await startGuardianServer(observers, ports.guardian)
      stops.unshift(() => guardian.close())
      const relayer = await startRelayer(
        validateConfig(
          {
            manifest: manifestPath,
            privateKey: DEVNET_RELAYER_KEY,
            database: join(dataDir, 'relayer'),
            port: ports.relayer,
            source: { kind: 'wormholescan', baseUrl: guardian.url },
            pollIntervalMs: 100,
          },
          {},
        ),
        logger.child({ component: 'relayer' }),
      )
      stops.unshift(() => relayer.stop())
      let circuitStatus = (): CircuitStatus =>
        devnet.verifierBound ? { state: 'ready' } : STARTING
      const venueSpecs = demoVenuesFor(
        devnet.manifest.chains.filter((c) => c.role === 'spoke').map((c) => c.name),
      )
      // The in-process prover takes jobs once the proving key is ready and bound.
      let keyReady = () => {}
      const proverReady = new Promise<void>((resolve) => {
        keyReady = resolve
      })
      if (devnet.verifierBound) keyReady()
      const service = await startService(devnet.manifest, join(dataDir, 'store'), logger, {
        prover: {
          ready: () => proverReady,
          post: registryPoster(devnet.manifest, DEVNET_DEPLOYER_KEY),
        },
        venues: venueSpecs.map((v) => ({
          name: v.name,
          chain: v.chain,
          address: privateKeyToAccount(v.privateKey).address,
          url: null,
        })),
        operatorToken: await operatorToken(dataDir),
        epochs: {
          dataDir,
          epochSeconds: wholeNumberFlag(values['epoch-seconds'], 'epoch-seconds', 60, 86_400),
        },
        ...(values.prices !== undefined && {
          pricesConfig: validatePriceConfig(await readJsonFile(values.prices, '--prices')),
        }),
      })
      stops.unshift(() => service.stop())
      const apiOptions = {
        port: ports.api,
        host: '127.0.0.1',
        logger: logger.child({ component: 'api' }),
        circuitStatus: () => circuitStatus(),
        ...service.routes,
      }
      const api = await startServer(apiOptions)
      stops.unshift(() => api.close())
      const venues = await startDemoVenues({
        venues: venueSpecs,
        aggregator: api.url,
        port: ports.venues,
        host: '127.0.0.1',
        logger: logger.child({ component: 'venue' }),
      })
      stops.unshift(() => venues.close())
      for (const v of venues.venues) service.venues.locate(v.name, v.url)
      const where = {
        manifest: manifestPath,
        data: dataDir,
        chains: devnet.manifest.chains.map((c) => ({
          name: c.name,
          role: c.role,
          rpcUrl: c.rpcUrl,
        })),
        guardian: guardian.url,
        relayer: relayer.url,
        api: api.url,
        venues: venues.venues.map((v) => ({
          name: v.name,
          chain: v.chain,
          address: v.address,
          url: v.url,
        })),
        circuit: devnet.verifierBound ? 'ready' : 'setting_up',
      }
      if (values.json) io.out(`${JSON.stringify(where)}\n`)
      io.err(
        [
          `xmargin is up in ${Math.round(performance.now() - started)} ms`,
          ...where.chains.map(
            (c) => `  chain     ${c.name.padEnd(9)} ${c.role.padEnd(5)} ${c.rpcUrl}`,
          ),
          `  guardian  ${guardian.url}/api/v1/vaas/{chain}/{emitter}/{sequence}`,
          `  relayer   ${relayer.url}/metrics  ${relayer.url}/admin/deliveries`,
          `  api       ${api.url}/v1/accounts/{address}  ${api.url}/v1/markets  ${api.url}/v1/status  ${api.url}/v1/openapi.json  ${api.url}/metrics`,
          ...venues.venues.map((v) => `  venue     ${v.name.padEnd(9)} ${v.url}  (${v.address})`),
          `  prices    local seeded walk; move one: npm run -s xmargin -- price --underlying ETH --move -0.1`,
          `  circuit   ${devnet.verifierBound ? 'ready: proofs are on' : 'setting_up: the proving key builds in the background (minutes); proofs wait for it'}`,
          `  manifest  ${manifestPath}`,
          `  data      ${dataDir}`,
          'Try: npm run -s xmargin -- deposit --chain arbitrum --token USDC --amount 10000 --mint --key <anvil key>',
          '     npm run -s xmargin -- order --perp ETH --side buy --size 1 --key <anvil key>',
          'Ctrl-C stops everything.',
        ].join('\n') + '\n',
      )
      if (!devnet.verifierBound) {
        const setup = bindWhenReady(devnet, progressBar())
        circuitStatus = () => setup.status()
        stops.unshift(() => setup.stop())
        void setup.done.then(() => {
          const s = setup.status()
          if (s.state === 'ready') keyReady()
          logger.info({ circuit: s }, `circuit ${describeStatus(s)}`)
        })
      }
    } catch (err) {
      for (const stop of stops) await stop()
      throw err
    }
    let failed = false
    await new Promise<void>((resolve) => {
      const stop = () => {
        void (async () => {
          // Every part is stopped, even after one fails to: a failure is logged and makes the exit 1.
          for (const s of stops) {
            try {
              await s()
            } catch (err) {
              failed = true
              logger.error({ err }, 'stopping a part failed')
            }
          }
          resolve()
        })()
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    return failed ? EXIT_FAILURE : EXIT_OK
  },
}
