/**
 * `xmargin order` and `xmargin price` through the real commands against the
 * demo venues and a stub aggregator on 127.0.0.1: a fill printed as a table
 * or, with --json, the API's body; the default venue; futures and options by
 * their flags; a refusal with its reason and figures (1); bad input naming
 * the flag (2); the operator's price moved or set with the token from the
 * flag, the environment or the data directory, and refused (1).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli } from './helpers/run-cli.ts'
import {
  OPERATOR_TOKEN,
  type StubAggregator,
  startStubWithVenues,
} from './helpers/stub-aggregator.ts'

let stub: StubAggregator
let world: Awaited<ReturnType<typeof startStubWithVenues>>
let dataDir: string
beforeAll(async () => {
  world = await startStubWithVenues()
  ;({ stub } = world)
  dataDir = await mkdtemp(join(tmpdir(), 'xmargin-price-'))
})
afterAll(async () => {
  await world?.close()
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

const order = (key: Hex, ...argv: string[]) =>
  runCli(['order', ...argv, '--api', stub.url, '--key', key])

const rows = (text: string) => text.split('\n').map((l) => l.trim().split(/\s{2,}/))

describe('xmargin order', () => {
  it('prints the fill and the margin after it; the first venue by default', async () => {
    const key = generatePrivateKey()
    const { code, out, err } = await order(key, '--perp', 'eth', '--side', 'buy', '--size', '2')
    expect([code, err]).toEqual([0, ''])
    const fill = stub.fills.at(-1)!.execution.message
    const lines = rows(out)
    expect(lines).toContainEqual(['fill', fill['fillId']])
    expect(lines).toContainEqual(['venue', 'arbitrum'])
    expect(lines).toContainEqual(['instrument', 'ETH-PERP'])
    expect(lines).toContainEqual(['side', 'buy'])
    expect(lines).toContainEqual(['size', '2'])
    expect(lines).toContainEqual(['price', '3001.5 USD'])
    expect(lines).toContainEqual(['fee', '1.2006 USD'])
    expect(lines).toContainEqual(['status', 'healthy'])
    expect(lines).toContainEqual(['equity', '9,998.80 USD'])
    expect(lines).toContainEqual(['initial margin', '600.30'])
    expect(stub.fills.at(-1)!.order.message['account']).toBe(privateKeyToAccount(key).address)
  })

  it('--json prints exactly the API body', async () => {
    const { code, out } = await order(
      generatePrivateKey(),
      '--venue',
      'base',
      '--perp',
      'BTC',
      '--side',
      'sell',
      '--size',
      '0.01',
      '--json',
    )
    expect(code).toBe(0)
    const fillId = stub.fills.at(-1)!.execution.message['fillId']!
    expect(JSON.parse(out)).toEqual(JSON.parse(stub.answers.get(fillId)!.body))
    expect(JSON.parse(out).fill.venue).toBe('base')
  })

  it.each([
    { argv: ['--future', 'ETH', '--expiry', '1798761600'], id: 'ETH-FUT-1798761600' },
    {
      argv: ['--option', 'ETH', '--call', '--strike', '3500.000', '--expiry', '1798761600'],
      id: 'ETH-C-3500-1798761600',
    },
    {
      argv: ['--option', 'ETH', '--put', '--strike', '2750.5', '--expiry', '1798761600'],
      id: 'ETH-P-2750.5-1798761600',
    },
  ])('$id by its flags', async ({ argv, id }) => {
    const { code } = await order(generatePrivateKey(), ...argv, '--side', 'buy', '--size', '1')
    expect(code).toBe(0)
    expect(stub.fills.at(-1)!.order.message['instrument']).toBe(id)
  })

  it('--limit is signed as given', async () => {
    const { code } = await order(
      generatePrivateKey(),
      ...['--perp', 'ETH', '--side', 'buy', '--size', '1', '--limit', '3050.5'],
    )
    expect(code).toBe(0)
    expect(stub.fills.at(-1)!.order.message['limitPrice']).toBe('3050500000')
  })

  it('a margin refusal: 1, the reason and the figures', async () => {
    const { code, out, err } = await order(
      generatePrivateKey(),
      ...['--perp', 'ETH', '--side', 'buy', '--size', '50'],
    )
    expect([code, out]).toEqual([1, ''])
    const [first, ...figures] = err.trimEnd().split('\n')
    expect(first).toMatch(/^xmargin order: refused \(422 insufficient_margin\): /)
    expect(figures.map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['initial margin required', '15,007.50 USD'],
      ['equity after', '9,969.99 USD'],
      ['maintenance margin before', '0.00 USD'],
      ['maintenance margin after', '10,005.00 USD'],
    ])
  })

  it('a refusal with --json prints the error object too', async () => {
    const { code, out } = await order(
      generatePrivateKey(),
      ...['--perp', 'ETH', '--side', 'buy', '--size', '1', '--limit', '2000', '--json'],
    )
    expect(code).toBe(1)
    expect(JSON.parse(out)).toEqual({
      error: {
        code: 'limit_price',
        message: 'arbitrum asks 3001.5 USD for ETH-PERP, above the limit 2000',
        field: 'message.limitPrice',
      },
    })
  })

  it.each([
    { name: 'no instrument', argv: ['--side', 'buy', '--size', '1'], flag: '--perp' },
    {
      name: 'two instruments',
      argv: ['--perp', 'ETH', '--option', 'ETH', '--side', 'buy', '--size', '1'],
      flag: '--option',
    },
    {
      name: 'a bad underlying',
      argv: ['--perp', 'ET H', '--side', 'buy', '--size', '1'],
      flag: '--perp',
    },
    {
      name: 'a future without --expiry',
      argv: ['--future', 'ETH', '--side', 'buy', '--size', '1'],
      flag: '--expiry',
    },
    {
      name: 'an expiry that is a date',
      argv: ['--future', 'ETH', '--expiry', '2027-01-01', '--side', 'buy', '--size', '1'],
      flag: '--expiry',
    },
    {
      name: 'an option without --call or --put',
      argv: [
        '--option',
        'ETH',
        '--strike',
        '3500',
        '--expiry',
        '1798761600',
        '--side',
        'buy',
        '--size',
        '1',
      ],
      flag: '--call',
    },
    {
      name: 'both --call and --put',
      argv: [
        '--option',
        'ETH',
        '--call',
        '--put',
        '--strike',
        '3500',
        '--expiry',
        '1798761600',
        '--side',
        'buy',
        '--size',
        '1',
      ],
      flag: '--call',
    },
    {
      name: 'an option without --strike',
      argv: ['--option', 'ETH', '--put', '--expiry', '1798761600', '--side', 'buy', '--size', '1'],
      flag: '--strike',
    },
    {
      name: 'a strike of 7 decimals',
      argv: [
        '--option',
        'ETH',
        '--put',
        '--strike',
        '1.0000001',
        '--expiry',
        '1798761600',
        '--side',
        'buy',
        '--size',
        '1',
      ],
      flag: '--strike',
    },
    {
      name: '--strike on a perp',
      argv: ['--perp', 'ETH', '--strike', '3500', '--side', 'buy', '--size', '1'],
      flag: '--strike',
    },
    { name: 'no --side', argv: ['--perp', 'ETH', '--size', '1'], flag: '--side' },
    { name: 'side long', argv: ['--perp', 'ETH', '--side', 'long', '--size', '1'], flag: '--side' },
    { name: 'no --size', argv: ['--perp', 'ETH', '--side', 'buy'], flag: '--size' },
    {
      name: 'a negative size',
      argv: ['--perp', 'ETH', '--side', 'buy', '--size', '-1'],
      flag: '--size',
    },
    {
      name: 'nine decimals of size',
      argv: ['--perp', 'ETH', '--side', 'buy', '--size', '0.000000001'],
      flag: '--size',
    },
    {
      name: 'a limit in words',
      argv: ['--perp', 'ETH', '--side', 'buy', '--size', '1', '--limit', 'market'],
      flag: '--limit',
    },
    {
      name: 'an unknown venue',
      argv: ['--venue', 'solana', '--perp', 'ETH', '--side', 'buy', '--size', '1'],
      flag: '--venue',
    },
  ])('$name: 2, naming $flag', async ({ argv, flag }) => {
    const before = stub.fills.length
    const { code, out, err } = await order(generatePrivateKey(), ...argv)
    expect([code, out]).toEqual([2, ''])
    expect(err).toMatch(new RegExp(`^xmargin order: .*${flag}`))
    expect(err.trimEnd().split('\n')).toHaveLength(1)
    expect(stub.fills.length).toBe(before)
  })

  it('no --key: 2, naming it', async () => {
    const { code, err } = await runCli([
      'order',
      '--perp',
      'ETH',
      '--side',
      'buy',
      '--size',
      '1',
      '--api',
      stub.url,
    ])
    expect(code).toBe(2)
    expect(err).toMatch(/--key/)
  })

  it('a service that lists no venues: 1', async () => {
    const saved = stub.venues
    stub.venues = []
    try {
      const { code, err } = await order(
        generatePrivateKey(),
        '--perp',
        'ETH',
        '--side',
        'buy',
        '--size',
        '1',
      )
      expect([code, err]).toEqual([
        1,
        `xmargin order: the service at ${stub.url} lists no venues to trade through\n`,
      ])
    } finally {
      stub.venues = saved
    }
  })
})

describe('xmargin price', () => {
  // The stub's URL first, so a test's own --api comes later and wins.
  const price = (...argv: string[]) => runCli(['price', '--api', stub.url, ...argv])

  it('--move -0.3 as typed moves the price down 30 %', async () => {
    stub.prices.set('ETH', 3000)
    const { code, out, err } = await price(
      '--underlying',
      'eth',
      '--move',
      '-0.3',
      '--token',
      OPERATOR_TOKEN,
    )
    expect([code, err]).toEqual([0, ''])
    expect(out).toMatch(/^ETH 2,100 USD \(was 3,000, published 2026-\d\d-\d\dT.*Z\)\n$/)
    expect(stub.prices.get('ETH')).toBeCloseTo(2100, 9)
  })

  it('--set with --json prints the API body; the token from XMARGIN_OPERATOR_TOKEN', async () => {
    vi.stubEnv('XMARGIN_OPERATOR_TOKEN', OPERATOR_TOKEN)
    try {
      const { code, out } = await price('--underlying', 'ETH', '--set', '2500', '--json')
      expect(code).toBe(0)
      expect(JSON.parse(out)).toMatchObject({ underlying: 'ETH', price: 2500 })
    } finally {
      vi.unstubAllEnvs()
    }
  })

  it('the token from <--data>/operator-token', async () => {
    await writeFile(join(dataDir, 'operator-token'), `${OPERATOR_TOKEN}\n`, { mode: 0o600 })
    const { code } = await price('--underlying', 'ETH', '--move=0.1', '--data', dataDir)
    expect(code).toBe(0)
  })

  it.each([
    { name: 'a wrong token', argv: ['--token', 'nope'], reason: /refused \(401 bad_token\)/ },
  ])('$name: 1', async ({ argv, reason }) => {
    const { code, err } = await price('--underlying', 'ETH', '--set', '1', ...argv)
    expect(code).toBe(1)
    expect(err).toMatch(reason)
  })

  it('a feed that is not the local one: 1, not_local', async () => {
    stub.localFeed = false
    try {
      const { code, err } = await price(
        '--underlying',
        'ETH',
        '--set',
        '1',
        '--token',
        OPERATOR_TOKEN,
      )
      expect([code, err]).toEqual([1, 'xmargin price: refused (409 not_local): stub: not_local\n'])
    } finally {
      stub.localFeed = true
    }
  })

  it.each([
    { name: 'no --underlying', argv: ['--set', '1'], flag: '--underlying' },
    { name: 'neither --move nor --set', argv: ['--underlying', 'ETH'], flag: '--move' },
    { name: 'both', argv: ['--underlying', 'ETH', '--move', '0.1', '--set', '1'], flag: '--set' },
    { name: 'a percentage', argv: ['--underlying', 'ETH', '--move', '-30'], flag: '--move' },
    { name: 'a move in words', argv: ['--underlying', 'ETH', '--move', 'down'], flag: '--move' },
    { name: 'a price of 0', argv: ['--underlying', 'ETH', '--set', '0'], flag: '--set' },
    { name: 'a negative price', argv: ['--underlying', 'ETH', '--set', '-5'], flag: '--set' },
    {
      name: 'a bad --api',
      argv: ['--underlying', 'ETH', '--set', '1', '--api', 'ftp://x'],
      flag: '--api',
    },
  ])('$name: 2, naming $flag', async ({ argv, flag }) => {
    const { code, err } = await price(...argv, '--token', OPERATOR_TOKEN)
    expect(code).toBe(2)
    expect(err).toMatch(new RegExp(`^xmargin price: .*${flag}`))
  })

  it('no token anywhere: 2, naming --token and where it looked', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'xmargin-price-'))
    try {
      const { code, err } = await price('--underlying', 'ETH', '--set', '1', '--data', empty)
      expect(code).toBe(2)
      expect(err).toBe(
        `xmargin price: --token is required (or $XMARGIN_OPERATOR_TOKEN); there is no token in ${join(empty, 'operator-token')}\n`,
      )
    } finally {
      await rm(empty, { recursive: true, force: true })
    }
  })
})
