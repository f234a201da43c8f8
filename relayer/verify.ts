/**
 * Checks on a VAA before any gas is spent on it: it is the message we
 * observed (emitter, sequence, payload), its route includes this target, and
 * the target chain's own core contract accepts its signatures
 * (parseAndVerifyVM, by eth_call).
 */
import { deserialize } from '@wormhole-foundation/sdk-definitions'
import {
  bytesToHex,
  type Chain,
  type Hex,
  hexToBytes,
  type PublicClient,
  type Transport,
} from 'viem'
import { XmarginError } from '../aggregator/errors.ts'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'
import type { Delivery } from './store/relay-store.ts'
import { route, type Topology } from './topology.ts'

/** A VAA that must not be delivered: no retry will change that. */
export class VaaRejected extends XmarginError {
  override name = 'VaaRejected'
  constructor(reason: string) {
    super(`VAA refused: ${reason}`, { code: 'vaa_rejected' })
  }
}

export async function checkVaa(
  vaa: Hex,
  d: Delivery,
  topology: Topology,
  target: { core: Hex; client: PublicClient<Transport, Chain> },
): Promise<void> {
  let parsed: ReturnType<typeof deserialize<'Uint8Array'>>
  try {
    parsed = deserialize('Uint8Array', hexToBytes(vaa))
  } catch (cause) {
    throw new VaaRejected(`unparseable (${cause instanceof Error ? cause.message : String(cause)})`)
  }
  const emitter = bytesToHex(parsed.emitterAddress.toUint8Array())
  const payload = bytesToHex(parsed.payload)
  if (emitter.toLowerCase() !== d.emitterAddress.toLowerCase() || parsed.sequence !== d.sequence) {
    throw new VaaRejected(
      `it is not the observed message (emitter ${emitter}, sequence ${parsed.sequence})`,
    )
  }
  if (payload.toLowerCase() !== d.payload.toLowerCase())
    throw new VaaRejected('its payload differs from the observed one')
  const { targets } = route(topology, d.emitterChain, d.emitterAddress, payload)
  if (
    !targets.some(
      (t) =>
        t.chain === d.targetChain && t.contract.toLowerCase() === d.targetContract.toLowerCase(),
    )
  ) {
    throw new VaaRejected(
      `no route from its emitter to ${d.targetContract} on chain ${d.targetChain}`,
    )
  }
  const [, valid, reason] = await target.client.readContract({
    address: target.core,
    abi: WormholeImplementation.abi,
    functionName: 'parseAndVerifyVM',
    args: [vaa],
  })
  if (!valid) throw new VaaRejected(`the core contract says: ${reason}`)
}
