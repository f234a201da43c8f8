/**
 * One conformance suite for every VaaSource: the devnet guardian, and the
 * Wormholescan client against a local HTTP server that serves what the
 * guardian signs, with the delays, 404s and 429s of the real API.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { deserialize } from '@wormhole-foundation/sdk-definitions'
import { bytesToHex, type Hex, hexToBytes } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  deposit,
  type Fixture,
  published,
  startFixture,
  trader,
} from '../../test/helpers/devnet-fixture.ts'
import { topologyFromManifest } from '../topology.ts'
import { DevnetGuardianSource } from './devnet-guardian.ts'
import { type VaaKey, type VaaSource, VaaSourceError } from './vaa-source.ts'
import { WormholescanSource } from './wormholescan.ts'

let f: Fixture
let guardian: DevnetGuardianSource
let server: Server
let baseUrl: string
/** What the fake Wormholescan does next for any request: serve, or misbehave once. */
let fault: 'none' | '429' | '500' | 'slow' = 'none'
let key: VaaKey

beforeAll(async () => {
  f = await startFixture(2)
  const topology = topologyFromManifest(f.manifest)
  guardian = new DevnetGuardianSource(
    topology.chains.map((chain) => ({
      chain,
      client: f.clients(f.manifest.chains.find((c) => c.name === chain.name)!).public,
    })),
  )
  const receipt = await deposit(f, f.spoke, trader(0).key, 'USDC', 5_000_000n)
  const [m] = await published(f, f.spoke, receipt)
  key = {
    emitterChain: m!.emitterChain,
    emitterAddress: m!.emitterAddress,
    sequence: m!.sequence,
    txHash: m!.transactionHash,
  }
  server = createServer(async (req, res) => {
    const match = /^\/api\/v1\/vaas\/(\d+)\/([0-9a-f]{64})\/(\d+)$/.exec(req.url ?? '')
    const now = fault
    fault = 'none'
    if (now === '429') return void res.writeHead(429, { 'retry-after': '2' }).end()
    if (now === '500') return void res.writeHead(500).end()
    if (now === 'slow') await new Promise((r) => setTimeout(r, 1500))
    if (!match) return void res.writeHead(404).end()
    const vaa = await guardian.fetchVaa({
      emitterChain: Number(match[1]),
      emitterAddress: `0x${match[2]}`,
      sequence: BigInt(match[3]!),
      txHash: key.txHash,
    })
    if (vaa === null || BigInt(match[3]!) !== key.sequence)
      return void res.writeHead(404).end(JSON.stringify({ message: 'not found' }))
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ data: { vaa: Buffer.from(hexToBytes(vaa)).toString('base64') } }))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}, 60_000)

afterAll(async () => {
  server?.close()
  await f?.stop()
})

const SOURCES: [string, () => VaaSource][] = [
  ['devnet guardian', () => guardian],
  ['wormholescan', () => new WormholescanSource({ baseUrl, timeoutMs: 1000 })],
]

describe.each(SOURCES)('VaaSource conformance: %s', (_, source) => {
  it('returns the signed VAA of an observed message', async () => {
    const vaa = (await source().fetchVaa(key)) as Hex
    const parsed = deserialize('Uint8Array', hexToBytes(vaa))
    expect(parsed.sequence).toBe(key.sequence)
    expect(parsed.signatures).toHaveLength(1)
    expect(bytesToHex(parsed.emitterAddress.toUint8Array())).toBe(key.emitterAddress.toLowerCase())
  })

  it('returns null for a message that does not exist (yet)', async () => {
    expect(await source().fetchVaa({ ...key, sequence: key.sequence + 1000n })).toBeNull()
  })

  it('signs the same VAA every time it is asked', async () => {
    expect(await source().fetchVaa(key)).toBe(await source().fetchVaa(key))
  })
})

describe('wormholescan faults', () => {
  it.each([
    { fault: '429' as const, retryAfterMs: 2000 },
    { fault: '500' as const, retryAfterMs: null },
    { fault: 'slow' as const, retryAfterMs: null },
  ])(
    'a $fault answer is a VaaSourceError (retry hint $retryAfterMs)',
    async ({ fault: next, retryAfterMs }) => {
      fault = next
      const error = await new WormholescanSource({ baseUrl, timeoutMs: 500 })
        .fetchVaa(key)
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(VaaSourceError)
      expect((error as VaaSourceError).retryAfterMs).toBe(retryAfterMs)
    },
  )
})
