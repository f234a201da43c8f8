/**
 * The relayer: a watcher and a deliverer per chain around one store, plus
 * the operator's HTTP endpoints. Loops run until stop(); each pass is
 * independent, so one chain's stalled RPC never holds up another chain.
 */
import { type ServerType, serve } from '@hono/node-server'
import { Hono } from 'hono'
import { formatEther } from 'viem'
import { errorBody } from '../aggregator/api/errors.ts'
import { chainClients } from '../aggregator/chain/clients.ts'
import { readManifest } from '../aggregator/devnet/manifest.ts'
import type { Logger } from '../aggregator/log.ts'
import type { RelayerConfig } from './config.ts'
import { ChainDeliverer } from './deliverer.ts'
import { renderMetrics } from './metrics.ts'
import { DevnetGuardianSource } from './sources/devnet-guardian.ts'
import type { VaaSource } from './sources/vaa-source.ts'
import { WormholescanSource } from './sources/wormholescan.ts'
import { type Database, openDatabase } from './store/database.ts'
import { migrate } from './store/migrations.ts'
import { RelayStore } from './store/relay-store.ts'
import { topologyFromManifest } from './topology.ts'
import { Wakeup } from './wakeup.ts'
import { ChainWatcher } from './watcher.ts'

/** An idle deliverer waits this many poll intervals, unless new work wakes it first. */
const DELIVERER_IDLE_FACTOR = 4

export interface RunningRelayer {
  readonly url: string
  readonly store: RelayStore
  readonly watchers: readonly ChainWatcher[]
  readonly deliverers: readonly ChainDeliverer[]
  stop(): Promise<void>
}

export async function startRelayer(
  config: RelayerConfig,
  logger: Logger,
  options: { source?: VaaSource; db?: Database } = {},
): Promise<RunningRelayer> {
  const topology = topologyFromManifest(await readManifest(config.manifest))
  const db = options.db ?? (await openDatabase(config.database))
  await migrate(db)
  const store = new RelayStore(db)
  const clients = topology.chains.map((c) =>
    chainClients(c.rpcUrl, c.evmChainId, config.privateKey, c.name),
  )
  const source =
    options.source ??
    (config.source.kind === 'wormholescan'
      ? new WormholescanSource({ baseUrl: config.source.baseUrl })
      : new DevnetGuardianSource(
          topology.chains.map((chain, i) => ({ chain, client: clients[i]!.public })),
        ))
  let retries = 0
  const watchers = topology.chains.map(
    (chain, i) =>
      new ChainWatcher(chain, clients[i]!.public, store, topology, {
        confirmations: config.confirmations,
        maxBlockRange: config.maxBlockRange,
      }),
  )
  const deliverers = topology.chains.map(
    (chain, i) =>
      new ChainDeliverer(
        chain,
        clients[i]!.public,
        clients[i]!.wallet,
        store,
        source,
        topology,
        config.delivery,
        logger,
        {
          onRetry: () => {
            retries++
          },
        },
      ),
  )

  let running = true
  const nudges = deliverers.map(() => new Wakeup())
  const loop = async (
    name: string,
    pass: () => Promise<number>,
    idle: (ms: number) => Promise<void>,
    idleMs: number,
  ): Promise<void> => {
    while (running) {
      let busy = false
      try {
        busy = (await pass()) > 0
      } catch (err) {
        logger.warn(
          { loop: name, error: err instanceof Error ? err.message.split('\n')[0] : String(err) },
          'pass failed; will try again',
        )
      }
      if (!busy) await idle(idleMs)
    }
  }
  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
  const loops = [
    ...watchers.map((w) =>
      loop(
        `watch ${w.chain.name}`,
        async () => {
          const added = await w.poll()
          // new messages may be due on any chain: wake the deliverers now
          if (added > 0) for (const n of nudges) n.nudge()
          return added
        },
        sleep,
        config.pollIntervalMs,
      ),
    ),
    // An idle deliverer only polls the store for retries coming due; new work wakes it.
    ...deliverers.map((d, i) =>
      loop(
        `deliver ${d.chain.name}`,
        () => d.runOnce(),
        (ms) => nudges[i]!.sleep(ms),
        config.pollIntervalMs * DELIVERER_IDLE_FACTOR,
      ),
    ),
  ]

  const app = operatorApp(
    store,
    () => {
      for (const n of nudges) n.nudge()
    },
    async () => {
      const counts = await store.counts()
      const cursors = await Promise.all(
        watchers.map(async (w) => ({
          w,
          next: w.next ?? (await store.cursor(w.chain.wormholeChainId)) ?? 0n,
        })),
      )
      const balances = await Promise.all(
        clients.map(async (c, i) => ({
          chain: topology.chains[i]!.name,
          wei: await c.public.getBalance({ address: c.wallet.account.address }).catch(() => -1n),
        })),
      )
      return renderMetrics([
        {
          name: 'xmargin_relayer_messages_observed_total',
          help: 'Messages observed on all chains',
          type: 'counter',
          values: [{ value: counts.observed }],
        },
        {
          name: 'xmargin_relayer_deliveries_delivered_total',
          help: 'Deliveries confirmed on chain (or found already consumed)',
          type: 'counter',
          values: [{ value: counts.delivered }],
        },
        {
          name: 'xmargin_relayer_deliveries_failed',
          help: 'Deliveries parked as failed',
          type: 'gauge',
          values: [{ value: counts.failed }],
        },
        {
          name: 'xmargin_relayer_retries_total',
          help: 'Failed attempts that will be retried (this process)',
          type: 'counter',
          values: [{ value: retries }],
        },
        {
          name: 'xmargin_relayer_queue_depth',
          help: 'Deliveries pending',
          type: 'gauge',
          values: [{ value: counts.pending }],
        },
        {
          name: 'xmargin_relayer_block_lag',
          help: 'Blocks between the chain head and the watcher cursor',
          type: 'gauge',
          values: cursors.map(({ w, next }) => ({
            labels: { chain: w.chain.name },
            value: Number(w.head >= next ? w.head - next + 1n : 0n),
          })),
        },
        {
          name: 'xmargin_relayer_wallet_balance_eth',
          help: 'Native balance of the delivering wallet',
          type: 'gauge',
          values: balances.map((b) => ({
            labels: { chain: b.chain },
            value: Number(formatEther(b.wei)),
          })),
        },
      ])
    },
  )
  const server = await new Promise<{ server: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, (info) =>
      resolve({ server: s, port: info.port }),
    )
  })
  logger.info(
    {
      chains: topology.chains.map((c) => c.name),
      source: source.name,
      store: db.kind,
      port: server.port,
    },
    'relayer started',
  )

  return {
    url: `http://127.0.0.1:${server.port}`,
    store,
    watchers,
    deliverers,
    async stop() {
      running = false
      for (const n of nudges) n.nudge()
      await Promise.all(loops)
      await new Promise<void>((r) => server.server.close(() => r()))
      if (!options.db) await db.close()
    },
  }
}

function operatorApp(store: RelayStore, retried: () => void, metrics: () => Promise<string>): Hono {
  const app = new Hono()
  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/metrics', async (c) =>
    c.text(await metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }),
  )
  app.get('/admin/deliveries', async (c) => {
    const status = c.req.query('status') ?? 'pending'
    if (!['pending', 'delivered', 'failed'].includes(status)) {
      return c.json(
        errorBody('out_of_range', 'status must be pending, delivered or failed', 'status'),
        400,
      )
    }
    const rows = await store.list(status as 'pending', 500)
    return c.json({ deliveries: rows.map((d) => ({ ...d, sequence: String(d.sequence) })) })
  })
  app.post('/admin/deliveries/:id/retry', async (c) => {
    const id = Number(c.req.param('id'))
    if (!Number.isSafeInteger(id))
      return c.json(errorBody('wrong_type', 'id must be a whole number', 'id'), 400)
    if (!(await store.retry(id)))
      return c.json(errorBody('not_found', `no failed delivery ${id}`, 'id'), 404)
    retried()
    return c.json({ id, status: 'pending' })
  })
  return app
}
