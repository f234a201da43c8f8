/**
 * The aggregator service as `xmargin up` runs it, wired in one place: the
 * store in the data directory (or DATABASE_URL); the price service (the
 * local feed unless configured otherwise); the accounts, with one adapter
 * per manifest chain at confirmation depth 0 (local chains do not reorg on
 * their own) and the hub through the operator's key; the live margin book;
 * the order flow with its venue allow-list and listing; the epochs, posted
 * to the hub every epochSeconds. Returns what the API
 * serves and how to stop it all, in reverse order.
 */
import { randomBytes } from 'node:crypto'
import type { Logger } from 'pino'
import type { Address } from 'viem'
import type { MetricSample } from '../../relayer/metrics.ts'
import { type Database, openDatabase } from '../../relayer/store/database.ts'
import { Directory } from '../accounts/directory.ts'
import { EvmHubLedger, type HubLedger } from '../accounts/hub-ledger.ts'
import { AccountService } from '../accounts/index.ts'
import type { MarketSource } from '../accounts/market-source.ts'
import type { AccountRoutesOptions } from '../api/routes/accounts.ts'
import type { EpochRoutesOptions } from '../api/routes/epochs.ts'
import type { OperatorRoutesOptions } from '../api/routes/operator.ts'
import type { OrderRoutesOptions } from '../api/routes/orders.ts'
import type { ProofRoutesOptions } from '../api/routes/proofs.ts'
import { type XmarginDomain, xmarginDomain } from '../auth/typed-data.ts'
import { chainClients } from '../chain/clients.ts'
import type { ChainAdapter } from '../chains/chain-adapter.ts'
import { adaptersFromManifest } from '../chains/index.ts'
import { DEVNET_DEPLOYER_KEY } from '../devnet/chains.ts'
import { type DevnetManifest, hubOf } from '../devnet/manifest.ts'
import {
  DEFAULT_EPOCH_SECONDS,
  type EpochPoster,
  EpochService,
  HubEpochPoster,
  HubLeafIndices,
  type LeafIndices,
  MemoryEpochPoster,
  MemoryLeafIndices,
  saltSecret,
  serviceAccounts,
} from '../epochs/index.ts'
import { epochProofInputs } from '../epochs/proof-inputs.ts'
import { DEFAULT_MARGIN_CONFIG, type MarginConfig, MarginService } from '../margin/index.ts'
import {
  DEFAULT_LISTING,
  Listing,
  type ListingConfig,
  OrderService,
  type Venue,
  VenueRegistry,
} from '../orders/index.ts'
import { marketsView } from '../orders/markets-view.ts'
import { DEFAULT_PRICE_CONFIG, type PriceConfig } from '../prices/defaults.ts'
import { PriceService } from '../prices/index.ts'
import {
  type PostProof,
  type ProofInputs,
  ProofQueue,
  type ProofQueueOptions,
  ProofService,
  ProofWorker,
} from '../proofs/index.ts'
import { serviceMetrics } from './service-metrics.ts'

export interface RunningService {
  readonly routes: {
    readonly accounts: AccountRoutesOptions
    readonly orders: OrderRoutesOptions
    readonly proofs: ProofRoutesOptions
    readonly operator: OperatorRoutesOptions
    readonly epochs: EpochRoutesOptions
  }
  readonly accounts: AccountService
  readonly proofs: ProofService
  readonly margin: MarginService
  readonly orders: OrderService
  readonly prices: PriceService
  readonly venues: VenueRegistry
  readonly listing: Listing
  readonly epochs: EpochService
  stop(): Promise<void>
}

export interface ServiceOptions {
  readonly confirmations?: number
  /** The price service's configuration (feed, limits, funding). */
  readonly pricesConfig?: PriceConfig
  readonly margin?: MarginConfig
  readonly listing?: ListingConfig
  /** Allow-listed venues (the demo venues locally). */
  readonly venues?: readonly Venue[]
  /** The operator's bearer token for the admin routes; none: no admin routes. */
  readonly operatorToken?: string
  readonly epochs?: EpochConfig
  /** The circuit inputs of proofs; default the service's epochs (EpochService.proofInput). */
  readonly proofInputs?: ProofInputs
  readonly proofQueue?: ProofQueueOptions
  /**
   * A prover worker in this process, on the service's store; false: none
   * (workers run as `xmargin prover`). `ready` resolves once the proving key is.
   */
  readonly prover?:
    | false
    | {
        readonly ready: () => Promise<void>
        readonly post?: PostProof
        readonly concurrency?: number
      }
}

export interface EpochConfig {
  /** Seconds between epochs (default 60); 0: only when asked (commitNow). */
  readonly epochSeconds?: number
  /**
   * The data directory: the salts' secret (DIR/epoch-salt-secret, made once)
   * and each epoch's market table (DIR/epochs/<n>.market.json).
   */
  readonly dataDir?: string
  /** The salts' secret given directly (tests); default from dataDir, else random per run. */
  readonly secret?: Uint8Array
}

/** `database`: a PGlite directory, 'memory', or a postgres:// URL; $DATABASE_URL wins when set. */
export async function startService(
  manifest: DevnetManifest,
  database: string,
  logger: Logger,
  options: ServiceOptions = {},
): Promise<RunningService> {
  const location = process.env['DATABASE_URL'] ?? database
  const db = await openDatabase(location)
  const hub = hubOf(manifest)
  const operator = chainClients(hub.rpcUrl, hub.evmChainId, DEVNET_DEPLOYER_KEY, hub.name)
  try {
    const service = await composeService({
      db,
      directory: new Directory(manifest),
      adapters: adaptersFromManifest(manifest, {
        confirmations: options.confirmations ?? 0,
        maxBlockRange: 2_000,
      }),
      hub: new EvmHubLedger(operator, hub.contracts.hub, hub.contracts.wormhole),
      epochHub: {
        leafIndices: new HubLeafIndices(operator, hub.contracts.hub),
        poster: new HubEpochPoster(operator, hub.contracts.hub, hub.contracts.wormhole),
      },
      domain: xmarginDomain(hub.evmChainId, hub.contracts.hub),
      prices: PriceService.fromConfig(options.pricesConfig ?? DEFAULT_PRICE_CONFIG),
      logger,
      ...(db.kind === 'postgres' && { proofStore: location }),
      ...options,
    })
    return {
      ...service,
      stop: async () => {
        try {
          await service.stop()
        } finally {
          await db.close()
        }
      },
    }
  } catch (err) {
    await db.close()
    throw err
  }
}

export interface ServiceParts extends ServiceOptions {
  readonly db: Database
  /** The proof queue's store: a postgres:// URL (pg-boss's own pool); default `db`. */
  readonly proofStore?: string
  readonly directory: Directory
  readonly adapters: readonly ChainAdapter[]
  readonly hub: HubLedger
  readonly domain: XmarginDomain
  /** Not started yet: the service starts and stops it. */
  readonly prices: PriceService
  readonly logger: Logger
  readonly pollMs?: number
  /** Unix seconds (tests move time by hand). */
  readonly now?: () => number
  /** The hub's leaf indices and epoch posts; absent (a MemoryHub world): memory ones. */
  readonly epochHub?: { readonly leafIndices: LeafIndices; readonly poster: EpochPoster }
}

/**
 * The wiring itself, on parts given: the devnet's (startService) or a test's
 * scripted chains and hub. Stops in reverse order of starting.
 */
export async function composeService(parts: ServiceParts): Promise<RunningService> {
  const { logger, prices } = parts
  const now = parts.now ?? (() => Math.floor(Date.now() / 1000))
  const stops: (() => Promise<void>)[] = []
  // Every part stops even when one before it fails to; the first failure is thrown after.
  const stop = async () => {
    let failure: unknown
    for (const s of stops.reverse()) {
      try {
        await s()
      } catch (err) {
        failure ??= err
      }
    }
    if (failure !== undefined) throw failure
  }
  try {
    await prices.start()
    stops.push(() => prices.stop())
    // The accounts value collateral at the margin book's market, which needs the accounts first.
    let margin: MarginService | undefined
    const market: MarketSource = {
      current: () => {
        if (!margin) throw new Error('the margin book is not loaded yet')
        return margin.marketSource.current()
      },
      doubtful: () => prices.underlyings.filter((u) => prices.current(u)?.status !== 'ok'),
    }
    const accounts = await AccountService.open({
      db: parts.db,
      directory: parts.directory,
      adapters: parts.adapters,
      hub: parts.hub,
      market,
      logger: logger.child({ component: 'accounts' }),
      pollMs: parts.pollMs ?? 50,
      snapshotMinIntervalMs: 60_000,
    })
    stops.push(() => accounts.stop())
    margin = await MarginService.start({
      accounts,
      prices,
      config: parts.margin ?? DEFAULT_MARGIN_CONFIG,
      logger: logger.child({ component: 'margin' }),
      fundingIntervalSeconds: (parts.pricesConfig ?? DEFAULT_PRICE_CONFIG).fundingIntervalSeconds,
      now,
    })
    const live = margin
    stops.push(() => live.stop())
    accounts.start()
    const listing = new Listing(prices.underlyings, parts.listing ?? DEFAULT_LISTING)
    const refreshListing = () => listing.refresh(now(), (u) => prices.current(u)?.price)
    // At start a listing the market table cannot hold fails the start; later, it is logged.
    refreshListing()
    const listingTimer = setInterval(() => {
      try {
        refreshListing()
      } catch (err) {
        logger.error({ err }, 'refreshing the instrument listing failed')
      }
    }, 60_000).unref()
    stops.push(async () => clearInterval(listingTimer))
    const venues = new VenueRegistry(parts.venues ?? [])
    const hubIndices = parts.epochHub?.leafIndices
    const orders = new OrderService({
      accounts,
      margin,
      prices,
      venues,
      listing,
      domain: parts.domain,
      now,
      // on a real hub, an account takes risk only once the hub has given it its leaf (E9)
      ...(hubIndices && {
        provable: async (a: Address) => (await hubIndices.indexOf(a)) !== undefined,
      }),
    })
    const epochs = await EpochService.open({
      db: parts.db,
      accounts: serviceAccounts(accounts),
      market: () => ({ market: live.market, params: live.params }),
      instruments: () => listing.list().map((l) => l.instrument),
      // without a hub every account the book holds counts as credited, in order of first sight
      leafIndices: parts.epochHub?.leafIndices ?? new MemoryLeafIndices({ assignOnLookup: true }),
      poster: parts.epochHub?.poster ?? new MemoryEpochPoster(),
      secret: await epochSecret(parts.epochs),
      logger: logger.child({ component: 'epochs' }),
      epochSeconds: parts.epochs?.epochSeconds ?? DEFAULT_EPOCH_SECONDS,
      ...(parts.epochs?.dataDir !== undefined && { dir: parts.epochs.dataDir }),
    })
    epochs.start()
    stops.push(() => epochs.stop())
    const queue = await ProofQueue.open(parts.proofStore ?? parts.db, parts.proofQueue)
    stops.push(() => queue.stop())
    const proofs = new ProofService({
      queue,
      inputs: parts.proofInputs ?? epochProofInputs(epochs),
      chains: () => parts.directory.chains().map((c) => c.name),
    })
    if (parts.prover) {
      const worker = new ProofWorker({
        queue,
        ready: parts.prover.ready,
        ...(parts.prover.post && { post: parts.prover.post }),
        ...(parts.prover.concurrency !== undefined && { concurrency: parts.prover.concurrency }),
        logger: logger.child({ component: 'prover' }),
      }).start()
      stops.push(() => worker.stop())
    }
    const signing = {
      domain: parts.domain,
      authority: accounts.authority,
      nonces: accounts.nonces,
      now: () => BigInt(now()),
    }
    const metrics = (): readonly MetricSample[] => [
      ...prices.metrics(),
      ...serviceMetrics(accounts, live),
    ]
    return {
      routes: {
        accounts: { accounts, signing },
        orders: { orders, markets: () => marketsView(live.market, live.params, listing, prices) },
        proofs: { proofs, signing },
        operator: {
          metrics,
          ...(parts.operatorToken !== undefined && { token: parts.operatorToken }),
          prices: prices.operator,
          commitEpoch: () => epochs.commitNow(),
        },
        epochs: { epochs, signing },
      },
      accounts,
      margin,
      orders,
      proofs,
      prices,
      venues,
      listing,
      epochs,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

/** The salts' secret: given, or the data directory's (made once, 0600), or one for this run only. */
function epochSecret(config: EpochConfig | undefined): Promise<Uint8Array> | Uint8Array {
  if (config?.secret) return config.secret
  if (config?.dataDir !== undefined) return saltSecret(config.dataDir)
  return randomBytes(32)
}
