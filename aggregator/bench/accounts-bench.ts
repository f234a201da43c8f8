import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Address, getAddress, pad, toHex } from 'viem'
import { type Database, openDatabase } from '../../relayer/store/database.ts'
import { migrate } from '../../relayer/store/migrations.ts'
import { AccountBook } from '../accounts/account-book.ts'
import { Directory } from '../accounts/directory.ts'
import { EventLog } from '../accounts/event-log.ts'
import type { AccountEvent, Recorded } from '../accounts/events.ts'
import { AccountService } from '../accounts/index.ts'
import { fixedMarket } from '../accounts/market-source.ts'
import { MemoryHub } from '../accounts/memory-hub.ts'
import { ACCOUNT_MIGRATIONS } from '../accounts/migrations.ts'
import { adaptersFromManifest } from '../chains/index.ts'
import { DEVNET_CHAINS, DEVNET_TRADER_KEYS } from '../devnet/chains.ts'
import { startDevnet } from '../devnet/devnet.ts'
import type { ChainManifest, DevnetManifest } from '../devnet/manifest.ts'
import { silentLogger } from '../log.ts'
import { publisher } from './relay-bench.ts'

export interface BurstResult {
  readonly deposits: number
  /** Deposits credited (each once: duplicateCredits counts any seen again). */
  readonly credited: number
  readonly duplicateCredits: number
  /** The peer: deposits mined per second, first mined to last mined, while the service credits them. */
  readonly minedPerSecond: number
  /**
   * The same burst mined before the service starts: the chains' rate with the
   * CPU to themselves. Above minedPerSecond by what the service takes from them.
   */
  readonly chainsAlonePerSecond: number
  /** Credits over the time from the first deposit mined to the last credit. */
  readonly creditsPerSecond: number
  /** creditsPerSecond / minedPerSecond: near 1 when the chains are the limit. */
  readonly creditsOverMined: number
  /** This process's CPU (service, its PGlite thread) from first credit to last, % of one core. */
  readonly serviceCpuPercent: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
  readonly wallMs: number
}

export interface RestartResult {
  readonly events: number
  readonly accounts: number
  /** The snapshot's seq; events after it are replayed on open. */
  readonly snapshotSeq: number
  /** Writing the log through EventLog.append (setting up, not a target). */
  readonly seedMs: number
  /** Opening the PGlite directory: part of restartMs. */
  readonly storeOpenMs: number
  /** Open the store, then AccountService.open: migrate, load the snapshot, replay the tail. */
  readonly restartMs: number
  /** The peer: every event folded from the log into a fresh book, no snapshot. */
  readonly replayMs: number
  /** replayMs / restartMs. */
  readonly replayOverRestart: number
  /** The restarted book's snapshot equals the full replay's. */
  readonly booksAgree: boolean
}

export type AccountsBenchResult = BurstResult & RestartResult

export const BURST_DEPOSITS = 900
export const RESTART_EVENTS = 1_000_000
/** The service's default snapshot interval (AccountServiceOptions.snapshotEvery). */
const SNAPSHOT_EVERY = 10_000
/** Deposits per chain credited before measuring: the first polls pay for JIT and first connections. */
const WARMUP_PER_CHAIN = 10
/** The publishers' pace: far above what a chain mines, so each sends back to back. */
const BURST_RATE = 100_000

const round = (x: number) => Math.round(x * 10) / 10

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
}

export async function runAccountsBench(
  options: { deposits?: number; events?: number; log?: (line: string) => void } = {},
): Promise<AccountsBenchResult> {
  const log = options.log ?? (() => {})
  log(`burst: ${options.deposits ?? BURST_DEPOSITS} deposits on 3 chains`)
  const burst = await runBurstBench(options.deposits)
  log(`restart: seeding a log of ${options.events ?? RESTART_EVENTS} events`)
  const restart = await runRestartBench(options.events)
  return { ...burst, ...restart }
}

// --- burst ----------------------------------------------------------------------------------

/** `perChain[i]` deposits on chain i, one publisher each with its own trader key; resolves once all are mined. */
async function publish(
  chains: readonly ChainManifest[],
  perChain: readonly number[],
  mined: Map<string, number>,
): Promise<void> {
  const publishers = chains.map((chain, i) =>
    publisher(
      { chain, key: DEVNET_TRADER_KEYS[i]!, count: perChain[i]!, perSecond: BURST_RATE },
      mined,
    ),
  )
  await Promise.all(publishers.map((p) => p.ready))
  const startAt = Date.now() + 50
  for (const p of publishers) p.go(startAt)
  await Promise.all(publishers.map((p) => p.done))
}

/** Split `total` over `n` chains as evenly as whole numbers allow. */
function spread(total: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.floor(total / n) + (i < total % n ? 1 : 0))
}

async function until(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10))
}

export async function runBurstBench(deposits = BURST_DEPOSITS): Promise<BurstResult> {
  const devnet = await startDevnet({ chains: 3, basePort: 0, verifier: 'later' })
  const db = await openDatabase('memory')
  try {
    const manifest = devnet.manifest
    const service = await AccountService.open({
      db,
      directory: new Directory(manifest),
      adapters: adaptersFromManifest(manifest, { confirmations: 0, maxBlockRange: 2_000 }),
      hub: new MemoryHub(),
      market: fixedMarket(),
      logger: silentLogger,
      // As xmargin up runs it (start-accounts.ts). A 5 ms poll took ~45% of a core against ~32%,
      // and on two shared cores that came out of the chains' rate, for no better p99.
      pollMs: 50,
    })
    const credits = creditClock(service, manifest)
    // The chains alone first, the service not yet polling: what they mine with the CPU to themselves.
    const alone = new Map<string, number>()
    await publish(manifest.chains, spread(deposits, manifest.chains.length), alone)
    service.start()
    try {
      // Its backfill of that burst, then a few live deposits, warm the service up.
      await until(() => [...alone.keys()].every((k) => credits.at.has(k)), 120_000)
      const result = await measureBurst(manifest.chains, deposits, credits)
      return { ...result, chainsAlonePerSecond: round(ratePerSecond([...alone.values()])) }
    } finally {
      await service.stop()
    }
  } finally {
    await db.close()
    await devnet.stop()
  }
}

interface CreditClock {
  /** Deposit key -> when its credit was recorded (ms). */
  readonly at: Map<string, number>
  /** Deposit key -> this process's CPU time then (ms, every thread: PGlite's included). */
  readonly cpu: Map<string, number>
  duplicates: number
}

/** Time each credit as the service records it, keyed as the publishers key deposits. */
function creditClock(service: AccountService, manifest: DevnetManifest): CreditClock {
  const wormholeId = new Map(manifest.chains.map((c) => [c.name, c.wormholeChainId]))
  const clock: CreditClock = { at: new Map(), cpu: new Map(), duplicates: 0 }
  service.subscribe(({ event }) => {
    if (event.kind !== 'credit') return
    const key = `${wormholeId.get(event.fact.chain)}:${event.sequence}`
    if (clock.at.has(key)) clock.duplicates++
    else {
      clock.at.set(key, Date.now())
      const { user, system } = process.cpuUsage()
      clock.cpu.set(key, (user + system) / 1000)
    }
  })
  return clock
}

/** Events per second from the first to the last of `times` (ms). */
function ratePerSecond(times: readonly number[]): number {
  return times.length / ((Math.max(...times) - Math.min(...times)) / 1000)
}

async function measureBurst(
  chains: readonly ChainManifest[],
  deposits: number,
  credits: CreditClock,
): Promise<Omit<BurstResult, 'chainsAlonePerSecond'>> {
  const warm = new Map<string, number>()
  await publish(
    chains,
    chains.map(() => WARMUP_PER_CHAIN),
    warm,
  )
  await until(() => [...warm.keys()].every((k) => credits.at.has(k)), 60_000)
  const mined = new Map<string, number>()
  await publish(chains, spread(deposits, chains.length), mined)
  await until(() => [...mined.keys()].every((k) => credits.at.has(k)), 120_000)

  const minedAt = [...mined.values()]
  const creditedAt = [...mined.keys()].flatMap((k) => credits.at.get(k) ?? [])
  const latencies = [...mined]
    .flatMap(([k, t]) => (credits.at.has(k) ? [credits.at.get(k)! - t] : []))
    .sort((a, b) => a - b)
  const first = Math.min(...minedAt)
  const minedPerSecond = ratePerSecond(minedAt)
  const wallMs = Math.max(...creditedAt) - first
  const creditsPerSecond = creditedAt.length / (wallMs / 1000)
  const cpuAt = [...mined.keys()].flatMap((k) => credits.cpu.get(k) ?? [])
  const serviceCpuPercent =
    (100 * (Math.max(...cpuAt) - Math.min(...cpuAt))) /
    (Math.max(...creditedAt) - Math.min(...creditedAt))
  return {
    deposits: mined.size,
    credited: creditedAt.length,
    duplicateCredits: credits.duplicates,
    minedPerSecond: round(minedPerSecond),
    creditsPerSecond: round(creditsPerSecond),
    creditsOverMined: Math.round((creditsPerSecond / minedPerSecond) * 100) / 100,
    serviceCpuPercent: Math.round(serviceCpuPercent),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(latencies.at(-1) ?? Number.NaN),
    wallMs: Math.round(wallMs),
  }
}

// --- restart --------------------------------------------------------------------------------

const SEED_BATCH = 50_000
const RESTART_ACCOUNTS = 10_000
const SEED_CHAINS = DEVNET_CHAINS.slice(0, 3).map((c) => c.name)
/** One collateral token per chain: a fixed address each, as a manifest would name it. */
const SEED_TOKENS = SEED_CHAINS.map(
  (_, i) => getAddress(pad(toHex(0xc0de00 + i), { size: 20 })) as Address,
)

/** Event n (from 0): a credit for account n mod `accounts`, on chain n mod 3, its own tx. */
function seedEvent(n: number, accounts: readonly Address[]): AccountEvent {
  const chain = n % SEED_CHAINS.length
  return {
    kind: 'credit',
    account: accounts[n % accounts.length]!,
    fact: {
      chain: SEED_CHAINS[chain]!,
      txHash: pad(toHex(n + 1), { size: 32 }),
      logIndex: 1,
      blockNumber: BigInt(Math.floor(n / 30) + 1),
      blockTime: 1_700_000_000 + Math.floor(n / 30),
    },
    token: SEED_TOKENS[chain]!,
    amount: BigInt(1 + (n % 997)) * 1_000_000n,
    sequence: BigInt(Math.floor(n / SEED_CHAINS.length)),
  }
}

/** The last snapshot the running service would have taken before seq `events`. */
export function snapshotSeqFor(events: number): number {
  return Math.floor((events - 1) / SNAPSHOT_EVERY) * SNAPSHOT_EVERY
}

/**
 * Write `events` credits through EventLog.append, and the snapshot of the book
 * at snapshotSeqFor(events), as the service would have left them.
 */
async function seedLog(db: Database, events: number, accountCount: number): Promise<void> {
  await migrate(db, ACCOUNT_MIGRATIONS)
  const log = new EventLog(db)
  const book = new AccountBook()
  const accounts = Array.from(
    { length: accountCount },
    (_, i) => getAddress(pad(toHex(0xa0000000 + i), { size: 20 })) as Address,
  )
  const snapshotSeq = snapshotSeqFor(events)
  for (let from = 0; from < events; ) {
    // A batch ends at the snapshot's seq, so the book can be saved exactly there.
    const to = Math.min(events, from + SEED_BATCH, from < snapshotSeq ? snapshotSeq : events)
    const batch = Array.from({ length: to - from }, (_, i) => seedEvent(from + i, accounts))
    const recorded: Recorded[] = await log.append(batch)
    if (recorded.length !== batch.length) throw new Error('the seed log refused fresh events')
    for (const r of recorded) book.apply(r)
    if (to === snapshotSeq) await log.saveStates(book.toSnapshot())
    from = to
  }
}

/** Every event in the log folded into a fresh book, in the pages AccountService.open reads. */
async function replayAll(db: Database): Promise<AccountBook> {
  const log = new EventLog(db)
  const book = new AccountBook()
  for (;;) {
    const page = await log.since(book.seq, 50_000)
    if (page.length === 0) return book
    for (const r of page) book.apply(r)
  }
}

const EMPTY_MANIFEST: DevnetManifest = {
  version: 1,
  hubChain: SEED_CHAINS[0]!,
  guardians: [],
  deployer: getAddress(pad('0x01', { size: 20 })),
  chains: [],
}

export async function runRestartBench(
  events = RESTART_EVENTS,
  accounts = Math.min(RESTART_ACCOUNTS, events),
): Promise<RestartResult> {
  const dir = mkdtempSync(join(tmpdir(), 'xmargin-bench-accounts-'))
  try {
    const seedStart = performance.now()
    const seedDb = await openDatabase(dir)
    await seedLog(seedDb, events, accounts).finally(() => seedDb.close())
    const seedMs = performance.now() - seedStart

    const started = performance.now()
    const db = await openDatabase(dir)
    try {
      const storeOpenMs = performance.now() - started
      const service = await AccountService.open({
        db,
        directory: new Directory(EMPTY_MANIFEST),
        adapters: [],
        hub: new MemoryHub(),
        market: fixedMarket(),
        logger: silentLogger,
      })
      const restartMs = performance.now() - started
      if (service.seq !== BigInt(events)) throw new Error(`restart ended at seq ${service.seq}`)

      const replayStart = performance.now()
      const replayed = await replayAll(db)
      const replayMs = performance.now() - replayStart
      const booksAgree =
        JSON.stringify(service.authority.toSnapshot()) === JSON.stringify(replayed.toSnapshot())
      await service.stop()
      return {
        events,
        accounts,
        snapshotSeq: snapshotSeqFor(events),
        seedMs: Math.round(seedMs),
        storeOpenMs: Math.round(storeOpenMs),
        restartMs: Math.round(restartMs),
        replayMs: Math.round(replayMs),
        replayOverRestart: Math.round((replayMs / restartMs) * 10) / 10,
        booksAgree,
      }
    } finally {
      await db.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
