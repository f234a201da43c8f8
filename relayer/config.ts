/**
 * The relayer's configuration file (JSON), validated field by field with the
 * same readers as the margin inputs: every error names its field.
 */
import { readFile } from 'node:fs/promises'
import { type Hex, isHex } from 'viem'
import { InputError } from '../aggregator/errors.ts'
import { readAtLeast, readObject, readOneOf, readString } from '../aggregator/risk/fields.ts'
import { DEFAULT_DELIVERY, type DeliveryOptions } from './deliverer.ts'

export interface RelayerConfig {
  /** Devnet manifest that describes the chains and contracts. */
  readonly manifest: string
  /** "memory", a PGlite directory, or a postgres:// URL; $DATABASE_URL wins when set. */
  readonly database: string
  readonly source:
    | { readonly kind: 'devnet-guardian' }
    | { readonly kind: 'wormholescan'; readonly baseUrl: string }
  /** Private key of the delivering wallet (the same address on every chain). */
  readonly privateKey: Hex
  readonly confirmations: number
  readonly pollIntervalMs: number
  readonly maxBlockRange: number
  readonly delivery: DeliveryOptions
  /** Operator HTTP port (metrics, health, admin); 0 picks a free one. */
  readonly port: number
}

export function validateConfig(doc: unknown, env: NodeJS.ProcessEnv = process.env): RelayerConfig {
  const c = readObject(
    doc,
    'config',
    ['manifest', 'privateKey'],
    ['database', 'source', 'confirmations', 'pollIntervalMs', 'maxBlockRange', 'delivery', 'port'],
  )
  const key = readString(c['privateKey'], 'config.privateKey')
  const privateKey = key.startsWith('env:') ? env[key.slice(4)] : key
  if (privateKey === undefined || !isHex(privateKey) || privateKey.length !== 66) {
    throw new InputError(
      'config.privateKey',
      'wrong_type',
      'config.privateKey must be 0x followed by 64 hex digits, or "env:NAME" naming a variable that holds one',
    )
  }
  return {
    manifest: readString(c['manifest'], 'config.manifest'),
    database:
      env['DATABASE_URL'] ??
      (c['database'] === undefined ? 'memory' : readString(c['database'], 'config.database')),
    source: c['source'] === undefined ? { kind: 'devnet-guardian' } : readSource(c['source']),
    privateKey,
    confirmations: whole(c['confirmations'], 'config.confirmations', 0),
    pollIntervalMs: whole(c['pollIntervalMs'], 'config.pollIntervalMs', 250, 10),
    maxBlockRange: whole(c['maxBlockRange'], 'config.maxBlockRange', 1000, 1),
    delivery: c['delivery'] === undefined ? DEFAULT_DELIVERY : readDelivery(c['delivery']),
    port: whole(c['port'], 'config.port', 9090),
  }
}

function whole(value: unknown, path: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback
  const n = readAtLeast(value, path, min)
  if (!Number.isSafeInteger(n))
    throw new InputError(path, 'out_of_range', `${path} must be a whole number, got ${n}`)
  return n
}

function readSource(doc: unknown): RelayerConfig['source'] {
  const s = readObject(doc, 'config.source', ['kind'], ['baseUrl'])
  const kind = readOneOf(s['kind'], 'config.source.kind', [
    'devnet-guardian',
    'wormholescan',
  ] as const)
  if (kind === 'devnet-guardian') return { kind }
  const baseUrl = readString(s['baseUrl'], 'config.source.baseUrl')
  if (!/^https?:\/\//.test(baseUrl))
    throw new InputError(
      'config.source.baseUrl',
      'wrong_type',
      'config.source.baseUrl must be an http(s) URL',
    )
  return { kind, baseUrl }
}

function readDelivery(doc: unknown): DeliveryOptions {
  const d = readObject(
    doc,
    'config.delivery',
    [],
    ['maxAttempts', 'baseDelayMs', 'maxDelayMs', 'gasCap', 'receiptTimeoutMs', 'maxReplacements'],
  )
  return {
    maxAttempts: whole(
      d['maxAttempts'],
      'config.delivery.maxAttempts',
      DEFAULT_DELIVERY.maxAttempts,
      1,
    ),
    baseDelayMs: whole(
      d['baseDelayMs'],
      'config.delivery.baseDelayMs',
      DEFAULT_DELIVERY.baseDelayMs,
      1,
    ),
    maxDelayMs: whole(
      d['maxDelayMs'],
      'config.delivery.maxDelayMs',
      DEFAULT_DELIVERY.maxDelayMs,
      1,
    ),
    gasCap:
      d['gasCap'] === undefined
        ? DEFAULT_DELIVERY.gasCap
        : BigInt(whole(d['gasCap'], 'config.delivery.gasCap', 0, 21_000)),
    receiptTimeoutMs: whole(
      d['receiptTimeoutMs'],
      'config.delivery.receiptTimeoutMs',
      DEFAULT_DELIVERY.receiptTimeoutMs,
      100,
    ),
    maxReplacements: whole(
      d['maxReplacements'],
      'config.delivery.maxReplacements',
      DEFAULT_DELIVERY.maxReplacements,
      0,
    ),
  }
}

export async function readConfig(path: string): Promise<RelayerConfig> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    throw new InputError('--config', 'invalid_argument', `--config: cannot read ${path}`, cause)
  }
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch (cause) {
    throw new InputError('--config', 'invalid_json', `--config: ${path} is not valid JSON`, cause)
  }
  return validateConfig(doc)
}
