/**
 * `xmargin account` and `xmargin withdraw` against a real server on
 * 127.0.0.1 (the accounts service over PGlite, scripted chains and hub):
 * the table and --json, withdrawals accepted, refused with the allowed
 * amount, followed with --wait to paid (0) or expired (1), bad input (2,
 * naming the flag) and an unreachable service (1, naming the URL).
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type RunningServer, startServer } from '../aggregator/api/server.ts'
import { createXmarginClient } from '../aggregator/client/index.ts'
import { silentLogger } from '../aggregator/log.ts'
import { type AccountWorld, accountWorld, USDC, WETH } from './helpers/account-world.ts'
import { runCli } from './helpers/run-cli.ts'

let world: AccountWorld
let server: RunningServer
beforeAll(async () => {
  world = await accountWorld()
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    margin: { threads: 1 },
    rateLimit: { limit: 0, windowMs: 60_000 },
    accounts: world.routes,
  })
})
afterAll(async () => {
  await server?.close()
  await world?.close()
})

/** A fresh trader with collateral: 100 USDC on arbitrum and 0.5 WETH on base. */
async function funded(): Promise<{ key: Hex; address: `0x${string}` }> {
  const key = generatePrivateKey()
  const { address } = privateKeyToAccount(key)
  await world.deposit('arbitrum', address, USDC, 100_000_000n)
  await world.deposit('base', address, WETH, 5n * 10n ** 17n)
  return { key, address }
}

const cli = (key: Hex, ...argv: string[]) => runCli([...argv, '--api', server.url, '--key', key])

describe('xmargin account', () => {
  it('--json prints exactly the API object', async () => {
    const { key } = await funded()
    const { code, out, err } = await cli(key, 'account', '--json')
    expect([code, err]).toEqual([0, ''])
    const client = createXmarginClient({ api: server.url, account: privateKeyToAccount(key) })
    expect(JSON.parse(out)).toEqual(await client.account())
  })

  it('prints a table in token units, the margin figures and the withdrawals', async () => {
    const { key, address } = await funded()
    expect(
      (await cli(key, 'withdraw', '--chain', 'arbitrum', '--token', 'USDC', '--amount', '12.5'))
        .code,
    ).toBe(0)
    const { code, out } = await cli(key, 'account')
    expect(code).toBe(0)
    const lines = out.split('\n').map((l) => l.split(/\s{2,}/))
    expect(out.split('\n')[0]).toMatch(new RegExp(`^account ${address} \\(seq \\d+\\)$`))
    expect(lines).toContainEqual([
      'chain',
      'asset',
      'credited',
      'on hub',
      'reserved',
      'withdrawable',
      'value USD',
    ])
    expect(lines).toContainEqual(['arbitrum', 'USDC', '100', '100', '12.5', '87.5', '87.50'])
    expect(lines).toContainEqual(['base', 'WETH', '0.5', '0.5', '0', '0.5', '1,425.00'])
    expect(lines).toContainEqual(['status', 'healthy'])
    expect(lines).toContainEqual(['equity', '1,512.50 USD'])
    expect(lines.find((l) => l[1] === 'arbitrum' && l[3] === '12.5')?.[4]).toBe('approved')
  })

  it('takes the key from XMARGIN_KEY and the service from XMARGIN_API', async () => {
    const { key, address } = await funded()
    vi.stubEnv('XMARGIN_KEY', key)
    vi.stubEnv('XMARGIN_API', server.url)
    try {
      const { code, out } = await runCli(['account', '--json'])
      expect([code, JSON.parse(out).account]).toEqual([0, address])
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

describe('xmargin withdraw', () => {
  it('within withdrawable: 0, and --json prints the API withdrawal', async () => {
    const { key } = await funded()
    const { code, out } = await cli(
      key,
      'withdraw',
      '--chain',
      '23',
      '--token',
      'usdc',
      '--amount',
      '40',
      '--json',
    )
    expect(code).toBe(0)
    expect(JSON.parse(out)).toMatchObject({
      chain: 'arbitrum',
      token: USDC,
      amount: '40000000',
      status: 'approved',
    })
  })

  it('beyond withdrawable: 1, with the allowed amount in token units', async () => {
    const { key } = await funded()
    const { code, out, err } = await cli(
      key,
      'withdraw',
      '--chain',
      'arbitrum',
      '--token',
      'USDC',
      '--amount',
      '100.5',
    )
    expect([code, out]).toEqual([1, ''])
    expect(err).toBe(
      'xmargin withdraw: exceeds_withdrawable: at most 100 USDC on arbitrum can be withdrawn now (asked 100.5)\n',
    )
  })

  it.each([
    { ending: 'paid', code: 0 },
    { ending: 'expired', code: 1 },
    { ending: 'failed', code: 1 },
  ] as const)('--wait until $ending exits $code', async ({ ending, code }) => {
    const { key, address } = await funded()
    const approved = world.next(
      (e) => e.kind === 'withdrawal_approved' && e.account.toLowerCase() === address.toLowerCase(),
    )
    const run = cli(
      key,
      'withdraw',
      '--chain',
      'base',
      '--token',
      'WETH',
      '--amount',
      '0.25',
      '--wait',
      '--json',
    )
    const { event } = await approved
    const payoutId = (event as { payoutId: bigint }).payoutId.toString()
    if (ending === 'paid') await world.pay('base', address, WETH, payoutId, 25n * 10n ** 16n)
    else
      await world.refuse(
        'base',
        address,
        WETH,
        payoutId,
        25n * 10n ** 16n,
        ending === 'expired' ? 'expired' : 'insufficient_balance',
      )
    const result = await run
    expect([result.code, JSON.parse(result.out).status]).toEqual([code, ending])
  })

  it.each([
    { name: 'no --chain', argv: ['--token', 'USDC', '--amount', '1'], flag: '--chain' },
    {
      name: 'an unknown chain',
      argv: ['--chain', 'solana', '--token', 'USDC', '--amount', '1'],
      flag: '--chain',
    },
    {
      name: 'an unknown token',
      argv: ['--chain', 'base', '--token', 'DOGE', '--amount', '1'],
      flag: '--token',
    },
    {
      name: 'too many decimals',
      argv: ['--chain', 'base', '--token', 'USDC', '--amount', '1.0000001'],
      flag: '--amount',
    },
    {
      name: 'a negative amount',
      argv: ['--chain', 'base', '--token', 'USDC', '--amount=-1'],
      flag: '--amount',
    },
    {
      name: 'an exponent',
      argv: ['--chain', 'base', '--token', 'USDC', '--amount', '1e6'],
      flag: '--amount',
    },
    {
      name: 'an empty amount',
      argv: ['--chain', 'base', '--token', 'USDC', '--amount='],
      flag: '--amount',
    },
    {
      name: 'zero',
      argv: ['--chain', 'base', '--token', 'USDC', '--amount', '0'],
      flag: '--amount',
    },
    {
      name: 'a bad timeout',
      argv: ['--chain', 'base', '--token', 'USDC', '--amount', '1', '--timeout', 'soon'],
      flag: '--timeout',
    },
  ])('$name exits 2 naming $flag', async ({ argv, flag }) => {
    const { code, out, err } = await cli(generatePrivateKey(), 'withdraw', ...argv)
    expect([code, out]).toEqual([2, ''])
    expect(err.split('\n')).toEqual([expect.stringContaining(flag), ''])
  })
})

describe('either command', () => {
  it.each([
    {
      name: 'a malformed --key',
      argv: ['--api', 'http://127.0.0.1:8080', '--key', '0x12'],
      flag: '--key',
    },
    { name: 'no key at all', argv: ['--api', 'http://127.0.0.1:8080'], flag: '--key' },
    {
      name: 'an --api that is not a URL',
      argv: ['--api', 'localhost:8080', '--key', generatePrivateKey()],
      flag: '--api',
    },
    {
      name: 'a malformed --account',
      argv: ['--account', '0x1234', '--key', generatePrivateKey()],
      flag: '--account',
    },
  ])('account with $name exits 2 naming $flag', async ({ argv, flag }) => {
    vi.stubEnv('XMARGIN_KEY', undefined)
    try {
      const { code, err } = await runCli(['account', ...argv])
      expect(code).toBe(2)
      expect(err.split('\n')).toEqual([expect.stringContaining(flag), ''])
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it.each([['account'], ['withdraw', '--chain', 'base', '--token', 'USDC', '--amount', '1']])(
    '%s against a service that does not answer exits 1 naming the URL',
    async (...argv) => {
      const api = await closedPort()
      const { code, err } = await runCli([...argv, '--api', api, '--key', generatePrivateKey()])
      expect(code).toBe(1)
      expect(err).toBe(`xmargin ${argv[0]}: cannot reach the xmargin API at ${api}: ECONNREFUSED\n`)
    },
  )
})

/** A URL where nothing listens: a port the system gave out, then closed. */
async function closedPort(): Promise<string> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const { port } = s.address() as AddressInfo
  await new Promise((r) => s.close(r))
  return `http://127.0.0.1:${port}`
}
