/**
 * The devnet guardian as a process: it observes messages on every chain's
 * core itself and serves the VAAs it signed at Wormholescan's path,
 * GET /api/v1/vaas/{chain}/{emitter}/{sequence} -> { data: { vaa: base64 } },
 * so a relayer reaches it exactly as it reaches Wormholescan in production.
 */
import { type ServerType, serve } from '@hono/node-server'
import { Hono } from 'hono'
import {
  type AbiEvent,
  type Address,
  type Chain,
  type Hex,
  hexToBytes,
  type PublicClient,
  type Transport,
} from 'viem'
import { errorBody } from '../aggregator/api/errors.ts'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'
import { DevnetGuardianSource } from './sources/devnet-guardian.ts'
import type { RelayChain } from './topology.ts'

const LOG_MESSAGE_PUBLISHED = WormholeImplementation.abi.find(
  (x) => x.type === 'event' && x.name === 'LogMessagePublished',
) as AbiEvent

export interface GuardianServer {
  readonly url: string
  close(): Promise<void>
}

export async function startGuardianServer(
  chains: readonly { chain: RelayChain; client: PublicClient<Transport, Chain> }[],
  port: number,
): Promise<GuardianServer> {
  const signer = new DevnetGuardianSource(chains)
  const app = new Hono()
  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.get('/api/v1/vaas/:chain/:emitter/:sequence', async (c) => {
    const { chain, emitter, sequence } = c.req.param()
    if (!/^\d+$/.test(chain) || !/^[0-9a-fA-F]{64}$/.test(emitter) || !/^\d+$/.test(sequence)) {
      return c.json(
        errorBody(
          'wrong_type',
          'expected /api/v1/vaas/{chain id}/{64 hex emitter}/{sequence}',
          'path',
        ),
        400,
      )
    }
    const on = chains.find((x) => x.chain.wormholeChainId === Number(chain))
    if (!on) return c.json(errorBody('not_found', `chain ${chain} is not observed`, 'chain'), 404)
    const sender = `0x${emitter.slice(24)}` as Address
    const logs = await on.client.getLogs({
      address: on.chain.core,
      event: LOG_MESSAGE_PUBLISHED,
      args: { sender } as never,
      fromBlock: 0n,
    })
    const log = logs.find(
      (l) => String((l as unknown as { args: { sequence: bigint } }).args.sequence) === sequence,
    )
    if (!log) return c.json(errorBody('not_found', 'no such message (yet)', null), 404)
    const vaa = await signer.fetchVaa({
      emitterChain: Number(chain),
      emitterAddress: `0x${emitter}` as Hex,
      sequence: BigInt(sequence),
      txHash: log.transactionHash!,
    })
    if (!vaa) return c.json(errorBody('not_found', 'no such message (yet)', null), 404)
    return c.json({ data: { vaa: Buffer.from(hexToBytes(vaa)).toString('base64') } })
  })
  const server = await new Promise<{ s: ServerType; port: number }>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, (info) =>
      resolve({ s, port: info.port }),
    )
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    close: () => new Promise((r) => server.s.close(() => r())),
  }
}
