/**
 * The typed client against the real app (its `request` as the client's
 * fetch) over the accounts service on PGlite, scripted chains and the
 * scripted hub: the view after deposits, withdrawals within and beyond
 * withdrawable, a withdrawal followed to where it ends, amounts parsed
 * exactly, delegated keys, a JSON-RPC wallet, and the stream's resume.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Address, createWalletClient, custom, type Hex, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type AccountWorld,
  accountWorld,
  HUB,
  HUB_CHAIN_ID,
  USDC,
  WETH,
} from '../../test/helpers/account-world.ts'
import { InputError, type XmarginError } from '../errors.ts'
import {
  ApiError,
  ApiUnreachableError,
  createXmarginClient,
  parseAmount,
  type StreamMessage,
  WaitTimeoutError,
  type XmarginClient,
} from './index.ts'

const API = 'http://xmargin.test'

/** A URL where nothing listens: a port the system gave out, then closed. */
async function closedPort(): Promise<string> {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  await new Promise((r) => server.close(r))
  return `http://127.0.0.1:${port}`
}
let world: AccountWorld
beforeAll(async () => {
  world = await accountWorld()
})
afterAll(async () => {
  await world?.close()
})

/** Wait for a condition that other callbacks make true (no clock involved but the test's timeout). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r))
}

/** A body that ends after its first SSE message. */
function firstMessageOf(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let text = ''
  return new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read()
      if (!done) text += new TextDecoder().decode(value)
      const end = text.indexOf('\n\n')
      if (done || end >= 0) {
        controller.enqueue(new TextEncoder().encode(text.slice(0, end + 2)))
        controller.close()
        await reader.cancel()
      }
    },
  })
}

/** A fresh trader per test, so no test sees another's account. */
function trader(): { key: LocalAccount; client: XmarginClient } {
  const key = privateKeyToAccount(generatePrivateKey())
  return { key, client: createXmarginClient({ api: API, account: key, fetch: world.fetch }) }
}

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(ApiError)
  return err as ApiError
}

const codeOf = (e: ApiError) => [e.status, e.code]

describe('status', () => {
  it('states the EIP-712 domain and every chain with its tokens', async () => {
    const { client } = trader()
    const status = await client.status()
    expect(status.signing?.domain).toEqual({
      name: 'xmargin',
      version: '1',
      chainId: HUB_CHAIN_ID,
      verifyingContract: HUB,
    })
    expect(status.signing?.chains.map((c) => [c.name, c.wormholeChainId, c.tokens.length])).toEqual(
      [
        ['arbitrum', 23, 3],
        ['base', 30, 3],
      ],
    )
  })
})

describe('account', () => {
  it('reads the view after deposits on two chains, the same object the API returns', async () => {
    const { key, client } = trader()
    await world.deposit('arbitrum', key.address, USDC, 2_500_500_000n)
    await world.deposit('base', key.address, WETH, 10n ** 18n)
    const view = await client.account()
    expect(view.account).toBe(key.address)
    expect(
      view.collateral.map((l) => [
        l.chain,
        l.asset,
        l.credited,
        l.onHub,
        l.reserved,
        l.withdrawable,
      ]),
    ).toEqual([
      ['arbitrum', 'USDC', '2500500000', '2500500000', '0', '2500500000'],
      ['base', 'WETH', '1000000000000000000', '1000000000000000000', '0', '1000000000000000000'],
    ])
    expect(view.margin.status).toBe('healthy')
    expect(view.margin.equity).toBeCloseTo(2500.5 + 3000 * 0.95, 6)
    expect(view).toEqual(
      await world.service.view(key.address).then((v) => JSON.parse(JSON.stringify(v))),
    )
  })

  it('an account the service never saw is empty, not an error', async () => {
    const { client } = trader()
    const view = await client.account()
    expect([view.collateral, view.withdrawals]).toEqual([[], []])
  })
})

describe('withdraw', () => {
  it('accepts one within withdrawable; refuses one beyond it with the allowed amount', async () => {
    const { key, client } = trader()
    await world.deposit('arbitrum', key.address, USDC, 100_000_000n)
    const over = await refusal(
      client.withdraw({ chain: 'arbitrum', token: 'USDC', amount: '100.000001' }),
    )
    expect([over.status, over.code, over.field, over.allowed]).toEqual([
      422,
      'exceeds_withdrawable',
      'message.amount',
      100_000_000n,
    ])
    const w = await client.withdraw({ chain: 23, token: USDC, amount: '60.5' })
    expect([w.chain, w.token, w.amount, w.status]).toEqual([
      'arbitrum',
      USDC,
      '60500000',
      'approved',
    ])
    // The reservation holds back what is not paid yet.
    const rest = await refusal(client.withdraw({ chain: 'arbitrum', token: 'usdc', amount: '40' }))
    expect(rest.allowed).toBe(39_500_000n)
  })

  it.each([
    {
      name: 'an unknown chain',
      params: { chain: 'solana', token: 'USDC', amount: '1' },
      field: 'chain',
    },
    {
      name: 'an unknown Wormhole id',
      params: { chain: 2, token: 'USDC', amount: '1' },
      field: 'chain',
    },
    {
      name: 'an unknown token',
      params: { chain: 'base', token: 'DOGE', amount: '1' },
      field: 'token',
    },
    {
      name: 'too many decimals',
      params: { chain: 'base', token: 'USDC', amount: '1.0000001' },
      field: 'amount',
    },
  ])('refuses $name before sending, naming $field', async ({ params, field }) => {
    const { client } = trader()
    const err = await client.withdraw(params).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).field).toBe(field)
  })

  it.each([
    { ending: 'paid', script: 'pay' },
    { ending: 'expired', script: 'expired' },
    { ending: 'failed', script: 'insufficient_balance' },
  ] as const)('waitForWithdrawal follows one to $ending', async ({ ending, script }) => {
    const { key, client } = trader()
    await world.deposit('base', key.address, USDC, 50_000_000n)
    const w = await client.withdraw({ chain: 'base', token: 'USDC', amount: '50' })
    const final = client.waitForWithdrawal(w.id)
    if (script === 'pay') await world.pay('base', key.address, USDC, w.payoutId!, 50_000_000n)
    else await world.refuse('base', key.address, USDC, w.payoutId!, 50_000_000n, script)
    const done = await final
    expect([done.id, done.status]).toEqual([w.id, ending])
    const line = (await client.account()).collateral[0]!
    expect([line.credited, line.reserved]).toEqual(
      ending === 'paid' ? ['0', '0'] : ['50000000', '0'],
    )
  })

  it('waitForWithdrawal on one already ended resolves from the snapshot', async () => {
    const { key, client } = trader()
    await world.deposit('base', key.address, USDC, 5_000_000n)
    const w = await client.withdraw({ chain: 'base', token: 'USDC', amount: '5' })
    await world.pay('base', key.address, USDC, w.payoutId!, 5_000_000n)
    expect((await client.waitForWithdrawal(w.id)).status).toBe('paid')
  })
})

describe('waitForWithdrawal', () => {
  it('gives up after timeoutMs with the status it last saw', async () => {
    const { key, client } = trader()
    await world.deposit('base', key.address, USDC, 1_000_000n)
    const w = await client.withdraw({ chain: 'base', token: 'USDC', amount: '1' })
    const err = await client.waitForWithdrawal(w.id, { timeoutMs: 50 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WaitTimeoutError)
    expect([(err as WaitTimeoutError).code, (err as WaitTimeoutError).lastStatus]).toEqual([
      'wait_timeout',
      'approved',
    ])
  })

  it('a withdrawal the account does not have is unknown_withdrawal', async () => {
    const { client } = trader()
    const err = await client.waitForWithdrawal('no-such-id').catch((e: unknown) => e)
    expect((err as XmarginError).code).toBe('unknown_withdrawal')
  })
})

describe('parseAmount', () => {
  it.each([
    { text: '2500', decimals: 6, base: 2_500_000_000n },
    { text: '2500.5', decimals: 6, base: 2_500_500_000n },
    { text: '0.000001', decimals: 6, base: 1n },
    { text: '1.500000000', decimals: 6, base: 1_500_000n },
    { text: '007', decimals: 0, base: 7n },
    { text: '0.000000000000000001', decimals: 18, base: 1n },
    {
      text: '123456789012345678.123456789012345678',
      decimals: 18,
      base: 123456789012345678123456789012345678n,
    },
  ])('$text with $decimals decimals is $base base units', ({ text, decimals, base }) => {
    expect(parseAmount(text, decimals)).toBe(base)
  })

  it.each([
    { name: 'too many decimals', text: '1.0000001', rule: 'out_of_range' },
    { name: 'negative', text: '-1', rule: 'wrong_type' },
    { name: 'an exponent', text: '1e6', rule: 'wrong_type' },
    { name: 'empty', text: '', rule: 'wrong_type' },
    { name: 'a bare point', text: '1.', rule: 'wrong_type' },
    { name: 'no whole part', text: '.5', rule: 'wrong_type' },
    { name: 'spaces', text: ' 1', rule: 'wrong_type' },
    { name: 'a thousands separator', text: '1,000', rule: 'wrong_type' },
    { name: 'hex', text: '0x10', rule: 'wrong_type' },
    { name: 'zero', text: '0.000', rule: 'out_of_range' },
    { name: 'past uint256', text: '1'.padEnd(80, '0'), rule: 'out_of_range' },
  ])('refuses $name, naming the field', ({ text, rule }) => {
    const err = (() => {
      try {
        parseAmount(text, 6, '--amount')
        return undefined
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(InputError)
    expect([(err as InputError).field, (err as InputError).rule]).toEqual(['--amount', rule])
    expect((err as InputError).shortMessage).toContain('--amount')
  })
})

describe('delegated keys', () => {
  it('a key with read signs a read of the account; not a withdrawal; never after revocation', async () => {
    const { key, client } = trader()
    await world.deposit('arbitrum', key.address, USDC, 1_000_000n)
    const session = privateKeyToAccount(generatePrivateKey())
    const asSession = createXmarginClient({
      api: API,
      account: session,
      address: key.address,
      fetch: world.fetch,
    })
    expect(codeOf(await refusal(asSession.account()))).toEqual([401, 'unknown_key'])
    const keyExpiry = Math.floor(Date.now() / 1000) + 600
    await client.delegate({ key: session.address, read: true, keyExpiry })
    expect([asSession.address, asSession.signer]).toEqual([key.address, session.address])
    expect((await asSession.account()).collateral[0]!.credited).toBe('1000000')
    const withdraw = asSession.withdraw({ chain: 'arbitrum', token: 'USDC', amount: '1' })
    expect(codeOf(await refusal(withdraw))).toEqual([403, 'scope_missing'])
    expect(codeOf(await refusal(asSession.delegate({ key: session.address, keyExpiry })))).toEqual([
      403,
      'scope_missing',
    ])
    await client.revoke({ key: session.address })
    expect(codeOf(await refusal(asSession.account()))).toEqual([403, 'key_revoked'])
  })
})

describe('signers', () => {
  it('a JSON-RPC wallet (WalletClient, eth_signTypedData_v4) signs like a local key', async () => {
    const key = privateKeyToAccount(generatePrivateKey())
    const methods: string[] = []
    // The wallet's side of eth_signTypedData_v4: what a browser extension or node does with its key.
    const wallet = createWalletClient({
      account: key.address,
      transport: custom({
        async request({ method, params }: { method: string; params: [Address, string] }) {
          methods.push(method)
          if (method !== 'eth_signTypedData_v4') throw new Error(`unexpected ${method}`)
          const { domain, types, primaryType, message } = JSON.parse(params[1])
          delete types.EIP712Domain
          return key.signTypedData({ domain, types, primaryType, message }) as Promise<Hex>
        },
      }),
    })
    await world.deposit('base', key.address, WETH, 10n ** 17n)
    const client = createXmarginClient({ api: API, account: wallet, fetch: world.fetch })
    expect((await client.account()).collateral[0]!.credited).toBe('100000000000000000')
    expect(methods).toEqual(['eth_signTypedData_v4'])
  })
})

describe('stream', () => {
  it('a snapshot, then events; resumed after the last seq seen, with nothing repeated', async () => {
    const { key, client } = trader()
    await world.deposit('arbitrum', key.address, USDC, 1_000_000n)
    const first: StreamMessage[] = []
    let credited!: () => void
    const creditSeen = new Promise<void>((r) => {
      credited = r
    })
    const handle = client.stream((m) => {
      first.push(m)
      if (m.type === 'event' && m.event.kind === 'credit') credited()
    })
    await world.deposit('arbitrum', key.address, USDC, 2_000_000n)
    await creditSeen
    handle.close()
    await handle.closed
    expect(first.map((m) => m.type)).toEqual(['snapshot', 'event'])
    expect((first[0] as StreamMessage & { type: 'snapshot' }).view.collateral[0]!.credited).toBe(
      '1000000',
    )
    const last = first.at(-1)!.seq

    // Missed while away: the resumed stream starts right after `last`.
    await world.deposit('arbitrum', key.address, USDC, 3_000_000n)
    const resumed = await new Promise<StreamMessage>((resolve) => {
      const h = client.stream(
        (m) => {
          h.close()
          resolve(m)
        },
        { lastEventId: last },
      )
    })
    expect(resumed.type).toBe('event')
    expect(resumed.seq > last).toBe(true)
    expect(
      resumed.type === 'event' && resumed.event.kind === 'credit' && resumed.event.amount,
    ).toBe(3_000_000n)
  })

  it('a dropped connection is reopened after the last seq, freshly signed', async () => {
    const { key } = trader()
    await world.deposit('arbitrum', key.address, USDC, 1_000_000n)
    // The service's first stream is cut right after its snapshot, as a proxy might.
    const opened: Headers[] = []
    const cutting: typeof fetch = async (input, init) => {
      const res = await world.fetch(input, init)
      if (!String(input).endsWith('/stream')) return res
      opened.push(new Headers(init?.headers))
      return opened.length > 1 ? res : new Response(firstMessageOf(res.body!), res)
    }
    const client = createXmarginClient({ api: API, account: key, fetch: cutting })
    const seen: StreamMessage[] = []
    const handle = client.stream((m) => void seen.push(m), { reconnectMs: 0 })
    const resumed = world.next((e) => e.kind === 'credit' && e.account === key.address)
    await until(() => opened.length === 2)
    await world.deposit('arbitrum', key.address, USDC, 2_000_000n)
    await resumed
    await until(() => seen.length === 2)
    handle.close()
    await handle.closed
    expect(seen.map((m) => m.type)).toEqual(['snapshot', 'event'])
    expect(opened[1]!.get('last-event-id')).toBe(seen[0]!.seq.toString())
    expect(opened[1]!.get('x-xmargin-auth')).not.toBe(opened[0]!.get('x-xmargin-auth'))
  })

  it('a refused stream ends: closed rejects with the ApiError', async () => {
    const session = privateKeyToAccount(generatePrivateKey())
    const { key } = trader()
    const client = createXmarginClient({
      api: API,
      account: session,
      address: key.address,
      fetch: world.fetch,
    })
    const handle = client.stream(() => {})
    expect(codeOf(await refusal(handle.closed))).toEqual([401, 'unknown_key'])
  })
})

describe('errors', () => {
  it('a service that does not answer is ApiUnreachableError naming the URL', async () => {
    const api = await closedPort()
    const client = createXmarginClient({
      api: `${api}/`,
      account: privateKeyToAccount(generatePrivateKey()),
    })
    const err = await client.account().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiUnreachableError)
    expect((err as ApiUnreachableError).shortMessage).toBe(
      `cannot reach the xmargin API at ${api}: ECONNREFUSED`,
    )
  })

  it('the service refuses an unsigned read, naming auth (the client always signs)', async () => {
    const { client } = trader()
    const res = await world.fetch(`${API}/v1/accounts/${client.address}`)
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { field: string } }).error.field).toBe('auth')
  })
})
