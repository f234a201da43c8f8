/**
 * The trading service for tests, wired by the same composition as `xmargin
 * up` (composeService) on scripted parts: PGlite in memory, the two scripted
 * chains and hub of account-world, the local price feed stepped by hand, a
 * clock the test moves, and two allow-listed venues (arbitrum, base). Fills
 * are signed here as a trader and a venue would sign them.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import { type Address, hashTypedData, type LocalAccount } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { expect } from 'vitest'
import { Directory } from '../../aggregator/accounts/directory.ts'
import type { AccountEvent, Recorded } from '../../aggregator/accounts/events.ts'
import { MemoryHub } from '../../aggregator/accounts/memory-hub.ts'
import { createApp } from '../../aggregator/api/app.ts'
import { InlineMargin } from '../../aggregator/api/margin-engine.ts'
import { xmarginDomain } from '../../aggregator/auth/typed-data.ts'
import { MemoryChainAdapter } from '../../aggregator/chains/memory-adapter.ts'
import { MemoryChain } from '../../aggregator/chains/memory-chain.ts'
import { composeService, type RunningService } from '../../aggregator/cli/start-service.ts'
import { MemoryEpochPoster } from '../../aggregator/epochs/epoch-poster.ts'
import type { LeafIndices } from '../../aggregator/epochs/leaf-indices.ts'
import { silentLogger } from '../../aggregator/log.ts'
import {
  EXECUTION_TYPES,
  ORDER_TYPES,
  PRICE_SCALE,
  SIZE_SCALE,
  type Side,
} from '../../aggregator/orders/typed-data.ts'
import { PriceService } from '../../aggregator/prices/index.ts'
import { LocalFeed } from '../../aggregator/prices/local-feed.ts'
import { DEMO_VENUE_KEYS } from '../../aggregator/venue/keys.ts'
import { openDatabase } from '../../relayer/store/database.ts'
import { CHAINS, type ChainName, HUB, HUB_CHAIN_ID, manifest, USDC } from './account-world.ts'

export { USDC, WBTC, WETH } from './account-world.ts'

export const DOMAIN = xmarginDomain(HUB_CHAIN_ID, HUB)

export const VENUES = {
  arbitrum: privateKeyToAccount(DEMO_VENUE_KEYS[0]),
  base: privateKeyToAccount(DEMO_VENUE_KEYS[1]),
} as const
/** Signs like a venue but is on no allow-list. */
export const ROGUE_VENUE = privateKeyToAccount(DEMO_VENUE_KEYS[4])

export interface FillRequest {
  readonly trader: LocalAccount
  readonly venue: ChainName | LocalAccount
  readonly instrument: string
  readonly side: Side
  /** Units of the underlying. */
  readonly size: number
  /** USD per unit. */
  readonly price: number
  readonly limit?: number
  readonly fee?: number
  readonly fillId?: string
  readonly nonce?: bigint
  /** Unix seconds; default the world's now + 60. */
  readonly expiry?: number
  readonly executedAt?: number
  /** Signs the order with another key (a delegated one, or a wrong one). */
  readonly orderSigner?: LocalAccount
  /** The signer the order envelope names, when it should not be the key that signed. */
  readonly claimSigner?: Address
  /** Changes execution fields after the venue signed. */
  readonly tamper?: Record<string, string>
  /** The order's venue field, when it should name another venue than the signer's. */
  readonly orderVenue?: Address
}

export interface TradingWorld extends RunningService {
  readonly app: OpenAPIHono
  readonly hub: MemoryHub
  readonly feed: LocalFeed
  /** The clock every part reads (unix seconds). */
  now(): number
  advance(seconds: number): void
  deposit(chain: ChainName, account: Address, token: Address, amount: bigint): Promise<void>
  /** A trader never seen before, holding `usdc` USD of USDC on arbitrum (credited). */
  trader(usdc: number): Promise<LocalAccount>
  /** The submission body of a fill, signed as asked. */
  fillBody(r: FillRequest): Promise<unknown>
  /** POST /v1/fills; the status and the JSON body. */
  fill(r: FillRequest): Promise<{ status: number; body: any }>
  /** A fill the test needs accepted: fails the test unless it is (200); the body. */
  accepted(r: FillRequest): Promise<any>
  post(body: unknown): Promise<{ status: number; body: any }>
  /** The operator sets a price (POST /v1/admin/prices); resolves once the book recorded what it changed. */
  setPrice(underlying: string, price: number): Promise<void>
  next(match: (e: AccountEvent) => boolean): Promise<Recorded>
  close(): Promise<void>
}

let fillCounter = 0
let traderCounter = 0

export async function tradingWorld(
  options: {
    readonly fundingRate?: number
    readonly start?: number
    readonly maxAgeSeconds?: number
    /** The hub's leaf indices (E4); default every account counts as indexed. */
    readonly leafIndices?: LeafIndices
  } = {},
): Promise<TradingWorld> {
  let clock = options.start ?? 1_767_225_600
  const now = () => clock
  const db = await openDatabase('memory')
  const chains = new Map(CHAINS.map((c) => [c.name, new MemoryChain(c.name)]))
  const hub = new MemoryHub()
  const feed = new LocalFeed({
    underlyings: {
      ETH: { price: 3000, vol: 0.7, fundingRate: options.fundingRate ?? 0 },
      BTC: { price: 90_000, vol: 0.55, fundingRate: options.fundingRate ?? 0 },
    },
    seed: 7,
    tickMs: 3_600_000,
    now,
  })
  const limits = { maxAgeSeconds: options.maxAgeSeconds ?? 60, maxConfidenceRatio: 0.02 }
  const prices = new PriceService(feed, { ETH: limits, BTC: limits }, { now, checkMs: 3_600_000 })
  const service = await composeService({
    db,
    directory: new Directory(manifest),
    adapters: [...chains.values()].map(
      (m) => new MemoryChainAdapter(m, { confirmations: 1, maxBlockRange: 5 }),
    ),
    hub,
    domain: DOMAIN,
    prices,
    logger: silentLogger,
    pollMs: 5,
    now,
    venues: (['arbitrum', 'base'] as const).map((name) => ({
      name,
      chain: name,
      address: VENUES[name].address,
      url: null,
    })),
    operatorToken: 'test-operator-token',
    ...(options.leafIndices && {
      epochHub: { leafIndices: options.leafIndices, poster: new MemoryEpochPoster() },
    }),
  })
  const app = createApp({
    logger: silentLogger,
    margin: new InlineMargin(),
    rateLimit: { limit: 0, windowMs: 60_000 },
    ...service.routes,
  })
  const next = (match: (e: AccountEvent) => boolean) =>
    new Promise<Recorded>((resolve) => {
      const off = service.accounts.subscribe((r) => {
        if (!match(r.event)) return
        off()
        resolve(r)
      })
    })
  const post = async (body: unknown) => {
    const res = await app.request('/v1/fills', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: res.status, body: await res.json() }
  }
  const fillBody = async (r: FillRequest) => {
    const venue = typeof r.venue === 'string' ? VENUES[r.venue] : r.venue
    const order = {
      account: r.trader.address,
      venue: r.orderVenue ?? venue.address,
      instrument: r.instrument,
      side: r.side,
      size: units(r.size, SIZE_SCALE),
      limitPrice: units(
        r.limit ?? (r.side === 'buy' ? r.price * 1.01 : r.price * 0.99),
        PRICE_SCALE,
      ),
      nonce: r.nonce ?? BigInt(++fillCounter) * 1_000_003n,
      expiry: BigInt(r.expiry ?? clock + 60),
    }
    const orderSigner = r.orderSigner ?? r.trader
    const orderSignature = await orderSigner.signTypedData({
      domain: DOMAIN,
      types: ORDER_TYPES,
      primaryType: 'Order',
      message: order,
    })
    const execution = {
      venue: venue.address,
      orderHash: hashTypedData({
        domain: DOMAIN,
        types: ORDER_TYPES,
        primaryType: 'Order',
        message: order,
      }),
      fillId: r.fillId ?? `fill-${++fillCounter}`,
      price: units(r.price, PRICE_SCALE),
      size: order.size,
      fee: units(r.fee ?? 0, PRICE_SCALE),
      executedAt: BigInt(r.executedAt ?? clock),
    }
    const executionSignature = await venue.signTypedData({
      domain: DOMAIN,
      types: EXECUTION_TYPES,
      primaryType: 'Execution',
      message: execution,
    })
    return {
      order: {
        message: wire(order),
        signer: r.claimSigner ?? orderSigner.address,
        signature: orderSignature,
      },
      execution: { message: { ...wire(execution), ...r.tamper }, signature: executionSignature },
    }
  }
  const deposit: TradingWorld['deposit'] = async (name, account, token, amount) => {
    const credited = next(
      (e) => e.kind === 'credit' && e.account.toLowerCase() === account.toLowerCase(),
    )
    chains.get(name)!.deposit(account, token, amount)
    chains.get(name)!.mine(1)
    const id = CHAINS.find((c) => c.name === name)!.wormholeChainId
    hub.setBalance(account, id, token, (await hub.balance(account, id, token)) + amount)
    await credited
    await service.margin.settled()
  }
  return {
    ...service,
    app,
    hub,
    feed,
    now,
    advance(seconds) {
      clock += seconds
    },
    deposit,
    async trader(usdc) {
      const account = privateKeyToAccount(
        `0x${(0xabc000 + ++traderCounter).toString(16).padStart(64, '0')}`,
      )
      if (usdc > 0) await deposit('arbitrum', account.address, USDC, BigInt(Math.round(usdc * 1e6)))
      return account
    },
    fillBody,
    fill: async (r) => post(await fillBody(r)),
    accepted: async (r) => {
      const { status, body } = await post(await fillBody(r))
      expect(status, JSON.stringify(body)).toBe(200)
      return body
    },
    async setPrice(underlying, price) {
      const res = await app.request('/v1/admin/prices', {
        method: 'POST',
        headers: {
          authorization: 'Bearer test-operator-token',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ underlying, set: price }),
      })
      if (res.status !== 200) throw new Error(`setting ${underlying} answered ${res.status}`)
      await service.margin.settled()
    },
    post,
    next,
    async close() {
      await service.stop()
      await db.close()
    },
  }
}

/** A decimal figure in whole units of `scale` (exact for the figures tests use). */
function units(x: number, scale: bigint): bigint {
  return BigInt(Math.round(x * Number(scale)))
}

function wire(m: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(m).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
  )
}

export const TRADER_KEYS = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const

export const traders = TRADER_KEYS.map((k) => privateKeyToAccount(k))
