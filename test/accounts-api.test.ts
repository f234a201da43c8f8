/**
 * The account routes over HTTP (app.request): every signed-request refusal as
 * its status and code, the withdrawal refusal with the allowed amount, the
 * SSE stream resuming after a disconnect with no gap and no repeat, and the
 * OpenAPI document generated from the route schemas.
 */
import { type Address, type LocalAccount, pad } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Directory } from '../aggregator/accounts/directory.ts'
import { AccountService } from '../aggregator/accounts/index.ts'
import { fixedMarket } from '../aggregator/accounts/market-source.ts'
import { MemoryHub } from '../aggregator/accounts/memory-hub.ts'
import { createApp } from '../aggregator/api/app.ts'
import { InlineMargin } from '../aggregator/api/margin-engine.ts'
import { type RequestType, xmarginDomain } from '../aggregator/auth/typed-data.ts'
import { MemoryChainAdapter } from '../aggregator/chains/memory-adapter.ts'
import { MemoryChain } from '../aggregator/chains/memory-chain.ts'
import { DEVNET_TRADER_KEYS } from '../aggregator/devnet/chains.ts'
import type { DevnetManifest } from '../aggregator/devnet/manifest.ts'
import { silentLogger } from '../aggregator/log.ts'
import { openDatabase } from '../relayer/store/database.ts'
import { signEnvelope } from './helpers/sign-envelope.ts'
import { SseReader } from './helpers/sse.ts'

const USDC = pad('0xa1', { size: 20 }) as Address
const manifest = {
  version: 1,
  hubChain: 'arbitrum',
  guardians: [],
  deployer: USDC,
  chains: [
    {
      name: 'arbitrum',
      role: 'hub',
      wormholeChainId: 23,
      evmChainId: 31_002,
      rpcUrl: '',
      contracts: {},
      tokens: { USDC: { address: USDC, decimals: 6 } },
    },
  ],
} as unknown as DevnetManifest

const NOW = 1_800_000_000
const domain = xmarginDomain(31_002, '0x8A791620dd6260079BF849Dc5567aDC3F2FdC318')
const trader = privateKeyToAccount(DEVNET_TRADER_KEYS[0]!)
const other = privateKeyToAccount(DEVNET_TRADER_KEYS[1]!)
const session = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())

let chain: MemoryChain
let hub: MemoryHub
let service: AccountService
let app: ReturnType<typeof createApp>
let nonce = 0n

type Json = Record<string, string | number | boolean>

const envelope = (type: RequestType, message: Json, by: LocalAccount, tamper?: Json) =>
  signEnvelope(domain, type, message, by, tamper)

const fresh = (over: Json = {}): Json => ({
  account: trader.address,
  nonce: String(++nonce),
  expiry: NOW + 60,
  ...over,
})

function getSigned(path: string, auth: object, headers: Record<string, string> = {}) {
  const token = Buffer.from(JSON.stringify(auth)).toString('base64url')
  return app.request(path, { headers: { 'x-xmargin-auth': token, ...headers } })
}

function post(path: string, body: object) {
  return app.request(path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  })
}

beforeAll(async () => {
  chain = new MemoryChain('arbitrum')
  hub = new MemoryHub()
  service = await AccountService.open({
    db: await openDatabase('memory'),
    directory: new Directory(manifest),
    adapters: [new MemoryChainAdapter(chain, { confirmations: 0, maxBlockRange: 100 })],
    hub,
    market: fixedMarket(() => NOW),
    logger: silentLogger,
    pollMs: 5,
  })
  service.start()
  app = createApp({
    logger: silentLogger,
    margin: new InlineMargin(),
    rateLimit: { limit: 0, windowMs: 60_000 },
    accounts: {
      accounts: service,
      signing: {
        domain,
        authority: service.authority,
        nonces: service.nonces,
        now: () => BigInt(NOW),
      },
      heartbeatMs: 50,
    },
  })
  chain.deposit(trader.address, USDC, 100_000_000n)
  chain.deposit(other.address, USDC, 1n)
  hub.setBalance(trader.address, 23, USDC, 100_000_000n)
  await until(() => service.state(trader.address)?.holdings.size === 1)
  const delegated = await envelope(
    'Delegate',
    fresh({
      key: session.address,
      read: true,
      trade: false,
      withdraw: false,
      keyExpiry: NOW + 600,
    }),
    trader,
  )
  expect((await post('/v1/keys', delegated)).status).toBe(204)
})
afterAll(() => service.stop())

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe('GET /v1/accounts/{address}', () => {
  it('answers a read signed by the account, and by its delegated read key', async () => {
    for (const by of [trader, session]) {
      const res = await getSigned(
        `/v1/accounts/${trader.address}`,
        await envelope('ReadAccount', fresh(), by),
      )
      expect(res.status).toBe(200)
      const view = (await res.json()) as { collateral: { credited: string }[] }
      expect(view.collateral[0]!.credited).toBe('100000000')
    }
  })

  it.each([
    {
      name: 'a tampered field',
      make: () => envelope('ReadAccount', fresh(), trader, { expiry: NOW + 59 }),
      status: 401,
      code: 'tampered',
    },
    {
      name: 'another account as signer',
      make: () => envelope('ReadAccount', fresh(), other),
      status: 403,
      code: 'wrong_signer',
    },
    {
      name: 'an unknown key',
      make: () => envelope('ReadAccount', fresh(), stranger),
      status: 401,
      code: 'unknown_key',
    },
    {
      name: 'an expired request',
      make: () => envelope('ReadAccount', fresh({ expiry: NOW - 1 }), trader),
      status: 401,
      code: 'expired',
    },
    {
      name: 'a nonce that is not a number',
      make: () =>
        envelope('ReadAccount', fresh({ nonce: 'x' }), trader).catch(() => ({
          message: fresh({ nonce: 'x' }),
          signer: trader.address,
          signature: '0x',
        })),
      status: 400,
      code: 'wrong_type',
    },
  ])('refuses $name: $status $code', async ({ make, status, code }) => {
    const res = await getSigned(`/v1/accounts/${trader.address}`, await make())
    expect(res.status).toBe(status)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code)
  })

  it('refuses a replay, and an unsigned read', async () => {
    const auth = await envelope('ReadAccount', fresh(), trader)
    expect((await getSigned(`/v1/accounts/${trader.address}`, auth)).status).toBe(200)
    const again = await getSigned(`/v1/accounts/${trader.address}`, auth)
    expect([
      again.status,
      ((await again.json()) as { error: { code: string } }).error.code,
    ]).toEqual([401, 'replayed'])
    const unsigned = await app.request(`/v1/accounts/${trader.address}`)
    expect(((await unsigned.json()) as { error: { field: string } }).error.field).toBe('auth')
  })

  it('refuses a revoked key for good, even re-delegated', async () => {
    const key = privateKeyToAccount(generatePrivateKey())
    const delegate = () =>
      envelope(
        'Delegate',
        fresh({
          key: key.address,
          read: true,
          trade: false,
          withdraw: false,
          keyExpiry: NOW + 600,
        }),
        trader,
      )
    expect((await post('/v1/keys', await delegate())).status).toBe(204)
    expect(
      (await post('/v1/keys/revoke', await envelope('Revoke', fresh({ key: key.address }), trader)))
        .status,
    ).toBe(204)
    const res = await getSigned(
      `/v1/accounts/${trader.address}`,
      await envelope('ReadAccount', fresh(), key),
    )
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([
      403,
      'key_revoked',
    ])
    const again = await post('/v1/keys', await delegate())
    expect([
      again.status,
      ((await again.json()) as { error: { code: string } }).error.code,
    ]).toEqual([403, 'key_revoked'])
  })
})

describe('POST /v1/withdrawals', () => {
  const withdraw = (amount: string, by = trader) =>
    envelope('Withdraw', fresh({ chain: 23, token: USDC, amount }), by)

  it('refuses more than withdrawable with the allowed amount, and accepts what is allowed', async () => {
    const over = await post('/v1/withdrawals', await withdraw('100000001'))
    expect(over.status).toBe(422)
    expect(((await over.json()) as { error: object }).error).toMatchObject({
      code: 'exceeds_withdrawable',
      field: 'message.amount',
      allowed: '100000000',
    })
    const ok = await post('/v1/withdrawals', await withdraw('1000000'))
    expect(ok.status).toBe(202)
    expect(((await ok.json()) as { status: string }).status).toBe('approved')
  })

  it('refuses a read-only key, and an unknown field, changing nothing', async () => {
    const before = service.outstanding()
    const byKey = await post('/v1/withdrawals', await withdraw('1', session))
    expect(((await byKey.json()) as { error: { code: string } }).error.code).toBe('scope_missing')
    const extra = await post('/v1/withdrawals', { ...(await withdraw('1')), memo: 'x' })
    expect(
      ((await extra.json()) as { error: { code: string; field: string } }).error,
    ).toMatchObject({ code: 'unknown_field', field: 'memo' })
    expect(service.outstanding()).toBe(before)
  })
})

describe('GET /v1/accounts/{address}/stream', () => {
  it('sends a snapshot then events, and resumes after a disconnect with no gap and no repeat', async () => {
    const path = `/v1/accounts/${trader.address}/stream`
    const first = new SseReader(
      await getSigned(path, await envelope('ReadAccount', fresh(), trader)),
    )
    const snapshot = await first.next()
    expect(snapshot.event).toBe('snapshot')
    chain.deposit(trader.address, USDC, 1n)
    const one = await first.next()
    expect([one.event, BigInt(one.id!) > BigInt(snapshot.id!)]).toEqual(['event', true])
    await first.close()
    for (const amount of [2n, 3n]) chain.deposit(trader.address, USDC, amount)
    chain.deposit(other.address, USDC, 4n)
    await until(
      () =>
        service.state(trader.address)!.holdings.get(`arbitrum:${USDC.toLowerCase()}`)!.credited ===
        100_000_006n - 1_000_000n + 1_000_000n,
    )
    const resumed = new SseReader(
      await getSigned(path, await envelope('ReadAccount', fresh(), trader), {
        'last-event-id': one.id!,
      }),
    )
    const missed = [await resumed.next(), await resumed.next()]
    expect(
      missed.map((m) => (JSON.parse(m.data) as { amount: { $bigint: string } }).amount.$bigint),
    ).toEqual(['2', '3'])
    expect(missed.map((m) => BigInt(m.id!))).toEqual([BigInt(one.id!) + 1n, BigInt(one.id!) + 2n])
    chain.deposit(trader.address, USDC, 5n)
    const live = await resumed.next()
    expect(BigInt(live.id!)).toBeGreaterThan(BigInt(missed[1]!.id!))
    await resumed.close()
  })
})

describe('a stream a delegated key opened', () => {
  it('ends when the account revokes the key', async () => {
    const key = privateKeyToAccount(generatePrivateKey())
    const delegated = await envelope(
      'Delegate',
      fresh({ key: key.address, read: true, trade: false, withdraw: false, keyExpiry: NOW + 600 }),
      trader,
    )
    expect((await post('/v1/keys', delegated)).status).toBe(204)
    const path = `/v1/accounts/${trader.address}/stream`
    const stream = new SseReader(await getSigned(path, await envelope('ReadAccount', fresh(), key)))
    expect((await stream.next()).event).toBe('snapshot')
    const revoke = await envelope('Revoke', fresh({ key: key.address }), trader)
    expect((await post('/v1/keys/revoke', revoke)).status).toBe(204)
    await expect(
      (async () => {
        for (;;) await stream.next()
      })(),
    ).rejects.toThrow('the stream ended')
  })
})

describe('GET /v1/openapi.json', () => {
  it('documents every route from the schemas the handlers validate with', async () => {
    const doc = (await (await app.request('/v1/openapi.json')).json()) as {
      paths: Record<string, object>
      components: { schemas: Record<string, object> }
    }
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/v1/accounts/{address}',
        '/v1/accounts/{address}/stream',
        '/v1/keys',
        '/v1/keys/revoke',
        '/v1/margin',
        '/v1/withdrawals',
      ].sort(),
    )
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['SignedWithdraw', 'Account', 'Error']),
    )
  })
})

describe('signed routes under arbitrary input', () => {
  it('answer every body and auth token with a 4xx naming the field, never a 500', async () => {
    const fc = (await import('fast-check')).default
    const good = await envelope('Withdraw', fresh({ chain: 23, token: USDC, amount: '1' }), trader)
    const mutated = fc.oneof(
      fc.jsonValue(),
      fc.record({ message: fc.jsonValue(), signer: fc.jsonValue(), signature: fc.jsonValue() }),
      fc
        .tuple(fc.constantFrom(...Object.keys(good.message)), fc.jsonValue())
        .map(([k, v]) => ({ ...good, message: { ...good.message, [k]: v } })),
    )
    await fc.assert(
      fc.asyncProperty(mutated, async (body) => {
        for (const res of [
          await post('/v1/withdrawals', body as object),
          await getSigned(`/v1/accounts/${trader.address}`, body as object),
        ]) {
          expect(res.status).toBeGreaterThanOrEqual(400)
          expect(res.status).toBeLessThan(500)
          const { error } = (await res.json()) as { error: { code: string; field: string | null } }
          expect(error.code).toEqual(expect.any(String))
        }
      }),
      { numRuns: 150 },
    )
  })
})
