/**
 * The accounts service as `xmargin up` runs it: its store in the data
 * directory (or DATABASE_URL), one adapter per manifest chain at confirmation
 * depth 0 (local chains do not reorg on their own), the hub through the
 * operator's key, and the signing context the API checks requests with.
 */
import type { Logger } from 'pino'
import { openDatabase } from '../../relayer/store/database.ts'
import { Directory } from '../accounts/directory.ts'
import { EvmHubLedger } from '../accounts/hub-ledger.ts'
import { AccountService } from '../accounts/index.ts'
import { fixedMarket } from '../accounts/market-source.ts'
import type { AccountRoutesOptions } from '../api/routes/accounts.ts'
import { xmarginDomain } from '../auth/typed-data.ts'
import { chainClients } from '../chain/clients.ts'
import { adaptersFromManifest } from '../chains/index.ts'
import { DEVNET_DEPLOYER_KEY } from '../devnet/chains.ts'
import { type DevnetManifest, hubOf } from '../devnet/manifest.ts'

export interface RunningAccounts {
  readonly routes: AccountRoutesOptions
  stop(): Promise<void>
}

/** `database`: a PGlite directory, 'memory', or a postgres:// URL; $DATABASE_URL wins when set. */
export async function startAccounts(
  manifest: DevnetManifest,
  database: string,
  logger: Logger,
  options: { readonly confirmations?: number } = {},
): Promise<RunningAccounts> {
  const db = await openDatabase(process.env['DATABASE_URL'] ?? database)
  const hub = hubOf(manifest)
  const service = await AccountService.open({
    db,
    directory: new Directory(manifest),
    adapters: adaptersFromManifest(manifest, {
      confirmations: options.confirmations ?? 0,
      maxBlockRange: 2_000,
    }),
    hub: new EvmHubLedger(
      chainClients(hub.rpcUrl, hub.evmChainId, DEVNET_DEPLOYER_KEY, hub.name),
      hub.contracts.hub,
      hub.contracts.wormhole,
    ),
    market: fixedMarket(),
    logger,
    pollMs: 50,
  })
  service.start()
  return {
    routes: {
      accounts: service,
      signing: {
        domain: xmarginDomain(hub.evmChainId, hub.contracts.hub),
        authority: service.authority,
        nonces: service.nonces,
        now: () => BigInt(Math.floor(Date.now() / 1000)),
      },
    },
    stop: async () => {
      await service.stop()
      await db.close()
    },
  }
}
