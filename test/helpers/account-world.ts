/**
 * A running accounts service for client and CLI tests: PGlite in memory, two
 * scripted chains (arbitrum, Wormhole 23; base, Wormhole 30) holding USDC,
 * WETH and WBTC, the scripted hub, and the app with its account routes.
 * Deposits and payouts are awaited on the service's own events, never by time.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import { type Address, pad } from 'viem'
import { Directory } from '../../aggregator/accounts/directory.ts'
import type { AccountEvent, Recorded } from '../../aggregator/accounts/events.ts'
import { AccountService } from '../../aggregator/accounts/index.ts'
import { fixedMarket } from '../../aggregator/accounts/market-source.ts'
import { MemoryHub } from '../../aggregator/accounts/memory-hub.ts'
import { createApp } from '../../aggregator/api/app.ts'
import { InlineMargin } from '../../aggregator/api/margin-engine.ts'
import type { AccountRoutesOptions } from '../../aggregator/api/routes/accounts.ts'
import { xmarginDomain } from '../../aggregator/auth/typed-data.ts'
import { MemoryChainAdapter } from '../../aggregator/chains/memory-adapter.ts'
import { MemoryChain } from '../../aggregator/chains/memory-chain.ts'
import type { DevnetManifest } from '../../aggregator/devnet/manifest.ts'
import { silentLogger } from '../../aggregator/log.ts'
import { type Database, openDatabase } from '../../relayer/store/database.ts'

export const USDC = pad('0xa1', { size: 20 }) as Address
export const WETH = pad('0xa2', { size: 20 }) as Address
export const WBTC = pad('0xa3', { size: 20 }) as Address
export const HUB = pad('0x4b', { size: 20 }) as Address
export const HUB_CHAIN_ID = 31_002

export const CHAINS = [
  { name: 'arbitrum', wormholeChainId: 23, evmChainId: 31_002 },
  { name: 'base', wormholeChainId: 30, evmChainId: 31_003 },
] as const
export type ChainName = (typeof CHAINS)[number]['name']

/** A manifest of two scripted spokes with the devnet's three tokens. */
export const manifest = {
  version: 1,
  hubChain: 'arbitrum',
  guardians: [],
  deployer: HUB,
  chains: CHAINS.map((c) => ({
    ...c,
    role: 'spoke',
    rpcUrl: '',
    contracts: {},
    tokens: {
      USDC: { address: USDC, decimals: 6 },
      WETH: { address: WETH, decimals: 18 },
      WBTC: { address: WBTC, decimals: 8 },
    },
  })),
} as unknown as DevnetManifest

export interface AccountWorld {
  readonly service: AccountService
  readonly hub: MemoryHub
  readonly app: OpenAPIHono
  readonly routes: AccountRoutesOptions
  /** The app as a fetch, for a client in process. */
  readonly fetch: typeof fetch
  chain(name: ChainName): MemoryChain
  /** Deposit on the chain's vault and on the hub's ledger; resolves once the service credited it. */
  deposit(chain: ChainName, account: Address, token: Address, amount: bigint): Promise<void>
  /** The vault pays approved payout `payoutId`; resolves once the service saw it. */
  pay(
    chain: ChainName,
    account: Address,
    token: Address,
    payoutId: string,
    amount: bigint,
  ): Promise<void>
  /** The vault refuses payout `payoutId`; resolves once the service saw it. */
  refuse(
    chain: ChainName,
    account: Address,
    token: Address,
    payoutId: string,
    amount: bigint,
    reason: 'expired' | 'insufficient_balance',
  ): Promise<void>
  /** The next event that `match` accepts (subscribe before causing it). */
  next(match: (e: AccountEvent) => boolean): Promise<Recorded>
  close(): Promise<void>
}

export async function accountWorld(): Promise<AccountWorld> {
  const db: Database = await openDatabase('memory')
  const chains = new Map(CHAINS.map((c) => [c.name, new MemoryChain(c.name)]))
  const hub = new MemoryHub()
  const service = await AccountService.open({
    db,
    directory: new Directory(manifest),
    adapters: [...chains.values()].map(
      (m) => new MemoryChainAdapter(m, { confirmations: 1, maxBlockRange: 5 }),
    ),
    hub,
    market: fixedMarket(),
    logger: silentLogger,
    pollMs: 5,
  })
  service.start()
  const routes: AccountRoutesOptions = {
    accounts: service,
    signing: {
      domain: xmarginDomain(HUB_CHAIN_ID, HUB),
      authority: service.authority,
      nonces: service.nonces,
      now: () => BigInt(Math.floor(Date.now() / 1000)),
    },
  }
  const app = createApp({
    logger: silentLogger,
    margin: new InlineMargin(),
    accounts: routes,
    rateLimit: { limit: 0, windowMs: 60_000 },
  })
  const chain = (name: ChainName) => chains.get(name)!
  const wormholeId = (name: ChainName) => CHAINS.find((c) => c.name === name)!.wormholeChainId
  const next = (match: (e: AccountEvent) => boolean) =>
    new Promise<Recorded>((resolve) => {
      const off = service.subscribe((r) => {
        if (!match(r.event)) return
        off()
        resolve(r)
      })
    })
  const sameAccount = (e: AccountEvent, account: Address) =>
    e.account.toLowerCase() === account.toLowerCase()
  return {
    service,
    hub,
    app,
    routes,
    fetch: ((input: string | URL | Request, init?: RequestInit) =>
      app.request(input, init)) as typeof fetch,
    chain,
    async deposit(name, account, token, amount) {
      const credited = next((e) => e.kind === 'credit' && sameAccount(e, account))
      chain(name).deposit(account, token, amount)
      chain(name).mine(1)
      const id = wormholeId(name)
      hub.setBalance(account, id, token, (await hub.balance(account, id, token)) + amount)
      await credited
    },
    async pay(name, account, token, payoutId, amount) {
      const seen = next((e) => e.kind === 'payout' && e.payoutId === BigInt(payoutId))
      chain(name).payout({ id: BigInt(payoutId), account, token, amount })
      chain(name).mine(1)
      await seen
      hub.settle(BigInt(payoutId), true)
    },
    async refuse(name, account, token, payoutId, amount, reason) {
      const seen = next((e) => e.kind === 'payout_refused' && e.payoutId === BigInt(payoutId))
      chain(name).refusePayout({ id: BigInt(payoutId), account, token, amount, reason })
      chain(name).mine(1)
      await seen
      hub.settle(BigInt(payoutId), false)
    },
    next,
    async close() {
      await service.stop()
      await db.close()
    },
  }
}
