/**
 * bench:orders: signed fills through POST /v1/fills with the pre-trade
 * check, over a book of 100,000 accounts (the composed service on scripted
 * chains and hub, PGlite in memory, a real HTTP server; the load comes from
 * a worker thread, so the service keeps its one core).
 *
 * - fillsPerSecond: closed loop, every fill accepted. Its peer in the same
 *   run: the same server answering a trivial POST (the HTTP stack alone), so
 *   fillsOverEcho says what the fill path costs beyond HTTP.
 * - p99Ms: latency at 1,000 fills per second offered (open loop).
 * - signatureFloorPerSecond: the peer of fillsPerSecond on this machine, in
 *   the same run: fills per second one core could take if it did nothing but
 *   verify each fill's two signatures against cached keys (libsecp256k1).
 * - tickToStreamMs: a price update to the last exposed account's status
 *   event where the account streams hear it (the accounts' subscribers), p99
 *   over ticks that flip every exposed account.
 */
import { Worker } from 'node:worker_threads'
import { pointFromScalar, signRecoverable } from 'tiny-secp256k1'
import { type Address, bytesToHex, getAddress, type Hex, hexToBytes, pad, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { type Database, openDatabase } from '../../relayer/store/database.ts'
import { migrate } from '../../relayer/store/migrations.ts'
import { Directory } from '../accounts/directory.ts'
import { EventLog } from '../accounts/event-log.ts'
import type { AccountEvent } from '../accounts/events.ts'
import { MemoryHub } from '../accounts/memory-hub.ts'
import { ACCOUNT_MIGRATIONS } from '../accounts/migrations.ts'
import { readSubmission } from '../api/routes/orders.ts'
import { startServer } from '../api/server.ts'
import { xmarginDomain } from '../auth/typed-data.ts'
import { MemoryChainAdapter } from '../chains/memory-adapter.ts'
import { MemoryChain } from '../chains/memory-chain.ts'
import { composeService } from '../cli/start-service.ts'
import type { DevnetManifest } from '../devnet/manifest.ts'
import { InputError } from '../errors.ts'
import { silentLogger } from '../log.ts'
import type { OrderService } from '../orders/index.ts'
import { executionDigest, orderDigest } from '../orders/order-hash.ts'
import { verify } from '../orders/secp256k1.ts'
import type { ExecutionMessage, OrderMessage } from '../orders/typed-data.ts'
import { PriceService } from '../prices/index.ts'
import { LocalFeed } from '../prices/local-feed.ts'
import { DEMO_VENUE_KEYS } from '../venue/keys.ts'

export interface OrdersBenchResult {
  readonly store: 'pglite' | 'postgres'
  readonly accounts: number
  readonly fills: number
  readonly fillsPerSecond: number
  /** The same server answering a trivial POST, same client, same run. */
  readonly echoPerSecond: number
  readonly fillsOverEcho: number
  /** The same fill path called in process (no HTTP): what the service's one core does alone. */
  readonly serviceFillsPerSecond: number
  /** One core verifying two signatures per fill and nothing else (the fill path's floor). */
  readonly signatureFloorPerSecond: number
  readonly fillsOverSignatureFloor: number
  readonly offeredPerSecond: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly exposedAccounts: number
  readonly ticks: number
  readonly tickToStreamP50Ms: number
  readonly tickToStreamMs: number
}

const USDC = pad('0xa1', { size: 20 }) as Address
const HUB = pad('0x4b', { size: 20 }) as Address
const DOMAIN = xmarginDomain(31_002, HUB)
const MANIFEST = {
  version: 1,
  hubChain: 'arbitrum',
  guardians: [],
  deployer: HUB,
  chains: [
    { name: 'arbitrum', wormholeChainId: 23, evmChainId: 31_002 },
    { name: 'base', wormholeChainId: 30, evmChainId: 31_003 },
  ].map((c) => ({
    ...c,
    role: 'spoke',
    rpcUrl: '',
    contracts: {},
    tokens: { USDC: { address: USDC, decimals: 6 } },
  })),
} as unknown as DevnetManifest

/** Each account holds this much USDC; an exposed one is long EXPOSED_SIZE ETH at 3,000. */
const COLLATERAL_USD = 10_000
/** At 3,000 IM is 9,000 (healthy); at 2,850 equity 7,600 < IM 8,550 (restricted). */
const EXPOSED_SIZE = 16
const TICK_PRICES = [2_850, 3_000] as const

export async function runOrdersBench(
  options: {
    accounts?: number
    fills?: number
    exposed?: number
    ticks?: number
    /** The store: `memory` (PGlite, the default) or an empty PostgreSQL database's URL. */
    database?: string
    log?: (line: string) => void
  } = {},
): Promise<OrdersBenchResult> {
  const log = options.log ?? (() => {})
  const accountCount = options.accounts ?? 100_000
  const fillCount = options.fills ?? 20_000
  const exposed = options.exposed ?? 1_000
  const traderCount = Math.min(2_000, accountCount - exposed)
  const db = await openDatabase(options.database ?? 'memory')
  await refuseUsed(db)
  const traderKeys = Array.from({ length: traderCount }, (_, i) =>
    pad(toHex(0x7000 + i), { size: 32 }),
  )
  const traders = traderKeys.map((k) => privateKeyToAccount(k).address)
  log(`seeding ${accountCount} accounts (${exposed} long ETH, ${traderCount} trading)`)
  await seed(db, accountCount, exposed, traders)
  const feed = new LocalFeed({
    underlyings: { ETH: { price: 3000, vol: 0.7 }, BTC: { price: 90_000, vol: 0.55 } },
    tickMs: 3_600_000,
  })
  const limits = { maxAgeSeconds: 3_600, maxConfidenceRatio: 0.02 }
  const prices = new PriceService(feed, { ETH: limits, BTC: limits }, { checkMs: 3_600_000 })
  const venue = privateKeyToAccount(DEMO_VENUE_KEYS[0])
  const service = await composeService({
    db,
    directory: new Directory(MANIFEST),
    adapters: ['arbitrum', 'base'].map(
      (c) => new MemoryChainAdapter(new MemoryChain(c), { confirmations: 1, maxBlockRange: 5 }),
    ),
    hub: new MemoryHub(),
    domain: DOMAIN,
    prices,
    logger: silentLogger,
    venues: [{ name: 'arbitrum', chain: 'arbitrum', address: venue.address, url: null }],
  })
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    rateLimit: { limit: 0, windowMs: 60_000 },
    ...service.routes,
  })
  try {
    log(`signing ${2 * fillCount + 2_000} fills`)
    const bodies = signFills(
      2 * fillCount + 2_000,
      traderKeys,
      traders,
      DEMO_VENUE_KEYS[0],
      venue.address,
    )
    const url = `${server.url}/v1/fills`
    log(`closed loop: fills (rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB)`)
    const closed = await load(url, bodies.slice(0, fillCount), 'closed')
    const refused = closed.results.filter((r) => r.status !== 200)
    if (refused.length > 0)
      throw new Error(`${refused.length} fills were not accepted (first: ${refused[0]!.status})`)
    log(
      `closed loop: the HTTP stack alone (${Math.round(closed.wallMs)} ms; rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB)`,
    )
    const echo = await load(`${server.url}/v1/no-such-route`, bodies.slice(0, fillCount), 'closed')
    log(
      `open loop: 1,000 fills/s offered (rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB)`,
    )
    const open = await load(url, bodies.slice(fillCount, fillCount + 2_000), 'open', 1_000)
    log('in process: the fill path without HTTP')
    const serviceMs = await inProcess(service.orders, bodies.slice(fillCount + 2_000))
    log(`ticks: ${options.ticks ?? 40} price updates flipping ${exposed} accounts`)
    const ticks = await tickToStream(service, feed, exposed, options.ticks ?? 40)
    const floor = signatureFloor()
    const latencies = open.results.map((r) => r.ms).sort((a, b) => a - b)
    const fillsPerSecond = (fillCount / closed.wallMs) * 1000
    const echoPerSecond = (fillCount / echo.wallMs) * 1000
    return {
      store: db.kind,
      accounts: service.margin.accountCount,
      fills: fillCount,
      fillsPerSecond: Math.round(fillsPerSecond),
      echoPerSecond: Math.round(echoPerSecond),
      fillsOverEcho: round(fillsPerSecond / echoPerSecond),
      serviceFillsPerSecond: Math.round((fillCount / serviceMs) * 1000),
      signatureFloorPerSecond: Math.round(floor),
      fillsOverSignatureFloor: round(fillsPerSecond / floor),
      offeredPerSecond: 1_000,
      p50Ms: round(quantile(latencies, 0.5)),
      p99Ms: round(quantile(latencies, 0.99)),
      exposedAccounts: exposed,
      ticks: ticks.length,
      tickToStreamP50Ms: round(quantile(ticks, 0.5)),
      tickToStreamMs: round(quantile(ticks, 0.99)),
    }
  } finally {
    await server.close()
    await service.stop()
    await db.close()
  }
}

/** The bench seeds its own book: a database that holds an account log already is refused. */
async function refuseUsed(db: Database): Promise<void> {
  const [row] = await db.query<{ used: boolean }>(
    "select to_regclass('account_events') is not null as used",
  )
  if (row?.used) {
    await db.close()
    throw new InputError('--database', 'invalid_argument', '--database must name an empty database')
  }
}

/** Credits for every account; the first `exposed` also hold a long ETH perp (a booked fill). */
async function seed(
  db: Database,
  accounts: number,
  exposed: number,
  traders: readonly Address[],
): Promise<void> {
  await migrate(db, ACCOUNT_MIGRATIONS)
  const eventLog = new EventLog(db)
  const address = (i: number) =>
    i >= accounts - traders.length
      ? traders[i - (accounts - traders.length)]!
      : (getAddress(pad(toHex(0xa0000000 + i), { size: 20 })) as Address)
  const events: AccountEvent[] = []
  const flush = async () => {
    await eventLog.append(events.splice(0))
  }
  for (let i = 0; i < accounts; i++) {
    events.push({
      kind: 'credit',
      account: address(i),
      fact: {
        chain: 'arbitrum',
        txHash: pad(toHex(i + 1), { size: 32 }),
        logIndex: 1,
        blockNumber: 1n,
        blockTime: 1_700_000_000,
      },
      token: USDC,
      amount: BigInt(COLLATERAL_USD) * 1_000_000n,
      sequence: BigInt(i),
    })
    if (i < exposed) events.push(seededFill(address(i), i))
    if (events.length >= 5_000) await flush()
  }
  await flush()
}

function seededFill(account: Address, i: number): AccountEvent {
  const zero = `0x${'00'.repeat(32)}` as Hex
  return {
    kind: 'fill',
    account,
    venue: 'seed',
    venueAddress: HUB,
    chain: 'arbitrum',
    fillId: `seed-${i}`,
    instrument: 'ETH-PERP',
    side: 'buy',
    size: BigInt(EXPOSED_SIZE) * 100_000_000n,
    price: 3_000_000_000n,
    fee: 0n,
    executedAt: 1_700_000_000,
    order: {
      nonce: BigInt(i),
      hash: zero,
      size: BigInt(EXPOSED_SIZE) * 100_000_000n,
      limitPrice: 3_000_000_000n,
      expiry: 0n,
      signer: account,
      signature: '0x',
    },
    executionHash: zero,
    executionSignature: '0x',
    position: { quantity: BigInt(EXPOSED_SIZE) * 100_000_000n, basis: EXPOSED_SIZE * 3000 },
    cashDelta: 0,
    realisedPnl: 0,
    after: { equity: COLLATERAL_USD, maintenanceMargin: 0, initialMargin: 0, status: 'healthy' },
  }
}

/** Fills of 0.01 ETH at 3,000, alternating buy and sell, round robin over the traders. */
function signFills(
  n: number,
  keys: readonly Hex[],
  traders: readonly Address[],
  venueKey: Hex,
  venue: Address,
): string[] {
  const expiry = BigInt(Math.floor(Date.now() / 1000) + 3_600)
  return Array.from({ length: n }, (_, i) => {
    const t = i % traders.length
    const order: OrderMessage = {
      account: traders[t]!,
      venue,
      instrument: 'ETH-PERP',
      side: Math.floor(i / traders.length) % 2 === 0 ? 'buy' : 'sell',
      size: 1_000_000n,
      limitPrice: 3_000_000_000n,
      nonce: BigInt(i + 1),
      expiry,
    }
    const orderHash = orderDigest(DOMAIN, order)
    const execution: ExecutionMessage = {
      venue,
      orderHash,
      fillId: `bench-${i}`,
      price: 3_000_000_000n,
      size: order.size,
      fee: 0n,
      executedAt: BigInt(Math.floor(Date.now() / 1000)),
    }
    return JSON.stringify({
      order: { message: wire(order), signer: order.account, signature: sign(orderHash, keys[t]!) },
      execution: {
        message: wire(execution),
        signature: sign(executionDigest(DOMAIN, execution), venueKey),
      },
    })
  })
}

function sign(digest: Hex, key: Hex): Hex {
  const { signature, recoveryId } = signRecoverable(hexToBytes(digest), hexToBytes(key))
  return `${bytesToHex(signature)}${(27 + recoveryId).toString(16)}` as Hex
}

function wire(m: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(m).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
  )
}

interface LoadOutcome {
  readonly wallMs: number
  readonly results: { status: number; ms: number }[]
}

function load(
  url: string,
  bodies: string[],
  mode: 'open' | 'closed',
  rate?: number,
): Promise<LoadOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), {
      workerData: { url, bodies, mode, rate },
    })
    worker.once('message', (m) => {
      void worker.terminate()
      resolve(m as LoadOutcome)
    })
    worker.once('error', reject)
  })
}

/** Submit every body to the order service directly, 256 at a time; the wall time in ms. */
async function inProcess(orders: OrderService, bodies: readonly string[]): Promise<number> {
  const submissions = bodies.map(readSubmission)
  let next = 0
  let refused = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (next < submissions.length) {
        const answer = await orders.submit(submissions[next++]!)
        if (!answer.accepted) refused++
      }
    }),
  )
  if (refused > 0) throw new Error(`${refused} fills were refused in process`)
  return performance.now() - started
}

/** Fills per second of two cached-key verifications each, on this thread. */
function signatureFloor(): number {
  const key = pad('0x5eed', { size: 32 })
  const digest = hexToBytes(pad('0xd1', { size: 32 }))
  const { signature } = signRecoverable(digest, hexToBytes(key))
  const publicKey = pointFromScalar(hexToBytes(key), false)!
  const n = 4_000
  for (let i = 0; i < 200; i++) verify(digest, publicKey, signature)
  const started = performance.now()
  for (let i = 0; i < n; i++) if (!verify(digest, publicKey, signature)) throw new Error('verify')
  return (n / 2 / (performance.now() - started)) * 1000
}

async function tickToStream(
  service: Awaited<ReturnType<typeof composeService>>,
  feed: LocalFeed,
  exposed: number,
  ticks: number,
): Promise<number[]> {
  const times: number[] = []
  for (let k = 0; k < ticks; k++) {
    const price = TICK_PRICES[k % TICK_PRICES.length]!
    const done = new Promise<number>((resolve) => {
      let seen = 0
      const off = service.accounts.subscribe((r) => {
        if (r.event.kind !== 'status_changed' || ++seen < exposed) return
        off()
        resolve(performance.now())
      })
    })
    const started = performance.now()
    feed.set('ETH', price)
    times.push((await done) - started)
  }
  return times
}

function quantile(sorted: readonly number[], q: number): number {
  const s = [...sorted].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0
}

const round = (x: number) => Math.round(x * 100) / 100
