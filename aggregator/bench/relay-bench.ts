/**
 * `npm run bench:relay`: 1,000 messages (collateral updates from two spokes,
 * published by two trader processes at a steady 60 per second in all, above
 * the 50 per second target) through the in-process relayer on local chains at
 * confirmation depth 0. deliveriesPerSecond is messages over the time from
 * the first publish to the last delivery, so it falls below the offered load
 * whenever the relayer falls behind.
 * Latency runs from the deposit's receipt (the message is published) to the
 * first sight of the hub's CollateralUpdated event for it (delivered).
 */

import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { type Hex, parseAbiItem } from 'viem'
import { chainClients } from '../chain/clients.ts'
import { DEVNET_RELAYER_KEY, DEVNET_TRADER_KEYS } from '../devnet/chains.ts'
import { startDevnet } from '../devnet/devnet.ts'
import type { ChainManifest } from '../devnet/manifest.ts'

export interface RelayBenchResult {
  readonly messages: number
  /** The offered load: messages published per second, both spokes together. */
  readonly publishPerSecond: number
  /** The load achieved: messages over the time from the first publish to the last. */
  readonly publishedPerSecond: number
  readonly deliveriesPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly wallMs: number
}

const UPDATED = parseAbiItem(
  'event CollateralUpdated(address indexed account, uint16 indexed chain, address indexed token, uint256 balance, uint64 sequence, bool applied)',
)

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Run a publisher process for one chain; resolves when it has published everything. */
function publishFrom(
  job: { chain: ChainManifest; key: Hex; count: number; perSecond: number },
  published: Map<string, number>,
): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'aggregator/bench/relay-publisher.ts', JSON.stringify(job)],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const { key, t } = JSON.parse(line) as { key: string; t: number }
    published.set(key, t)
  })
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`publisher exited with ${code}`)),
    ),
  )
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

/** Total publishing rate across the two spokes: above the 50 per second the relayer must sustain. */
export const PUBLISH_PER_SECOND = 60
/** Messages sent and delivered before measuring, not counted. */
const WARMUP = 60

export async function runRelayBench(
  messages = 1000,
  publishPerSecond = PUBLISH_PER_SECOND,
): Promise<RelayBenchResult> {
  const devnet = await startDevnet({ chains: 3, basePort: 0 })
  const dir = mkdtempSync(join(tmpdir(), 'xmargin-bench-relay-'))
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(devnet.manifest))
  writeFileSync(
    join(dir, 'relayer.json'),
    JSON.stringify({
      manifest: join(dir, 'manifest.json'),
      privateKey: DEVNET_RELAYER_KEY,
      database: 'memory',
      port: 0,
      pollIntervalMs: 50,
    }),
  )
  // The relayer runs as operators run it: its own process (xmargin relayer --config).
  const relayer = spawn(
    process.execPath,
    ['aggregator/cli/bin.js', 'relayer', '--config', join(dir, 'relayer.json')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'error' },
    },
  )
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the relayer did not start within 60 s')),
      60_000,
    )
    relayer.stderr!.on('data', (d: Buffer) => {
      if (d.toString().includes('relayer running')) {
        clearTimeout(timer)
        resolve()
      }
    })
    relayer.once('exit', (code) => reject(new Error(`relayer exited with ${code}`)))
  }).catch(async (err) => {
    relayer.kill('SIGKILL')
    await devnet.stop()
    throw err
  })
  try {
    const [hub, ...spokes] = devnet.manifest.chains
    const hubClient = chainClients(hub!.rpcUrl, hub!.evmChainId, DEVNET_RELAYER_KEY).public
    const published = new Map<string, number>()
    const delivered = new Map<string, number>()
    let lastBlock = 0n
    let watching = true
    const watch = (async () => {
      while (watching) {
        const head = await hubClient.getBlockNumber()
        if (head >= lastBlock) {
          const logs = await hubClient.getLogs({
            address: hub!.contracts.hub!,
            event: UPDATED,
            fromBlock: lastBlock,
            toBlock: head,
          })
          const now = Date.now()
          for (const l of logs) {
            const key = `${l.args.chain}:${l.args.sequence}`
            if (!delivered.has(key)) delivered.set(key, now)
          }
          lastBlock = head + 1n
        }
        await new Promise((r) => setTimeout(r, 20))
      }
    })()
    // Warm up (JIT, lazy module loading, first connections): a long-running relayer pays this once.
    const warmup = new Map<string, number>()
    await Promise.all(
      spokes.slice(0, 2).map((chain, i) =>
        publishFrom(
          {
            chain,
            key: DEVNET_TRADER_KEYS[i + 1]!,
            count: WARMUP / 2,
            perSecond: publishPerSecond / 2,
          },
          warmup,
        ),
      ),
    )
    while ([...warmup.keys()].some((k) => !delivered.has(k)))
      await new Promise((r) => setTimeout(r, 20))
    for (const k of warmup.keys()) delivered.delete(k)

    const started = Date.now()
    await Promise.all(
      spokes.slice(0, 2).map((chain, i) => {
        const count = i === 0 ? Math.ceil(messages / 2) : Math.floor(messages / 2)
        return publishFrom(
          { chain, key: DEVNET_TRADER_KEYS[i]!, count, perSecond: publishPerSecond / 2 },
          published,
        )
      }),
    )
    const publishedMs = Math.max(...published.values()) - started
    const deadline = Date.now() + 120_000
    while (
      [...published.keys()].filter((k) => delivered.has(k)).length < messages &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20))
    watching = false
    await watch
    const latencies = [...published]
      .flatMap(([key, t]) => (delivered.has(key) ? [delivered.get(key)! - t] : []))
      .sort((a, b) => a - b)
    const wallMs =
      Math.max(
        ...[...published.keys()].flatMap((k) => (delivered.has(k) ? [delivered.get(k)!] : [])),
      ) - started
    const round = (x: number) => Math.round(x * 10) / 10
    return {
      messages: latencies.length,
      publishPerSecond,
      publishedPerSecond: round(published.size / (publishedMs / 1000)),
      deliveriesPerSecond: round(latencies.length / (wallMs / 1000)),
      p50Ms: round(percentile(latencies, 50)),
      p99Ms: round(percentile(latencies, 99)),
      maxMs: round(latencies.at(-1)!),
      wallMs: Math.round(wallMs),
    }
  } finally {
    relayer.kill('SIGTERM')
    await new Promise((r) => relayer.once('exit', r))
    await devnet.stop()
  }
}
