import { describe, expect, it } from 'vitest'
import { InputError } from '../aggregator/errors.ts'
import { validateConfig } from './config.ts'
import { backoffMs, DEFAULT_DELIVERY } from './deliverer.ts'

const KEY = `0x${'ab'.repeat(32)}`
const base = { manifest: 'build/devnet.json', privateKey: KEY }

describe('relayer config', () => {
  it('fills in defaults', () => {
    expect(validateConfig(base, {})).toMatchObject({
      database: 'memory',
      confirmations: 0,
      source: { kind: 'devnet-guardian' },
      delivery: DEFAULT_DELIVERY,
    })
  })

  it('takes the key from the environment and DATABASE_URL over the file', () => {
    const c = validateConfig(
      { ...base, privateKey: 'env:RELAYER_KEY', database: 'memory' },
      { RELAYER_KEY: KEY, DATABASE_URL: 'postgres://x/y' },
    )
    expect([c.privateKey, c.database]).toEqual([KEY, 'postgres://x/y'])
  })

  it.each([
    { name: 'not an object', doc: [], field: 'config' },
    { name: 'no manifest', doc: { privateKey: KEY }, field: 'config.manifest' },
    { name: 'a short key', doc: { ...base, privateKey: '0x1234' }, field: 'config.privateKey' },
    {
      name: 'a key variable that is unset',
      doc: { ...base, privateKey: 'env:NOPE' },
      field: 'config.privateKey',
    },
    { name: 'an unknown field', doc: { ...base, retries: 3 }, field: 'config.retries' },
    {
      name: 'negative confirmations',
      doc: { ...base, confirmations: -1 },
      field: 'config.confirmations',
    },
    {
      name: 'a fractional poll interval',
      doc: { ...base, pollIntervalMs: 2.5 },
      field: 'config.pollIntervalMs',
    },
    {
      name: 'an unknown source',
      doc: { ...base, source: { kind: 'carrier-pigeon' } },
      field: 'config.source.kind',
    },
    {
      name: 'wormholescan without a URL',
      doc: { ...base, source: { kind: 'wormholescan' } },
      field: 'config.source.baseUrl',
    },
    {
      name: 'zero attempts',
      doc: { ...base, delivery: { maxAttempts: 0 } },
      field: 'config.delivery.maxAttempts',
    },
    {
      name: 'a string gas cap',
      doc: { ...base, delivery: { gasCap: '1e6' } },
      field: 'config.delivery.gasCap',
    },
  ])('rejects $name, naming $field', ({ doc, field }) => {
    expect(() => validateConfig(doc, {})).toThrowError(
      expect.objectContaining({ name: 'InputError', field }),
    )
    expect(() => validateConfig(doc, {})).toThrow(InputError)
  })
})

describe('backoff', () => {
  const o = { baseDelayMs: 100, maxDelayMs: 1000 }
  it.each([
    [1, 0, 50],
    [1, 0.5, 100],
    [2, 0.5, 200],
    [3, 0.5, 400],
    [5, 0.5, 1000],
    [30, 0.999, 1499],
  ])('attempt %d with jitter draw %d waits %d ms', (attempt, draw, expected) => {
    expect(Math.floor(backoffMs(attempt, o, () => draw))).toBe(expected)
  })
})
