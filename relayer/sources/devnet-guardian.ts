/**
 * The devnet guardian as a VAA source: it observes the message itself on the
 * emitter chain (the transaction's receipt must carry a LogMessagePublished
 * from that emitter with that sequence, from the chain's core) and only then
 * signs it with the published devnet guardian key. It never signs what it
 * is merely told.
 */
import { type Chain, type Hex, type PublicClient, pad, type Transport } from 'viem'
import { signVaa } from '../devnet-guardian.ts'
import { blockTimes, messagesFromReceipt } from '../messages.ts'
import type { RelayChain } from '../topology.ts'
import { type VaaKey, type VaaSource, VaaSourceError } from './vaa-source.ts'

export class DevnetGuardianSource implements VaaSource {
  readonly name = 'devnet-guardian'

  constructor(
    private readonly chains: readonly {
      chain: RelayChain
      client: PublicClient<Transport, Chain>
    }[],
    private readonly keys?: readonly string[],
    /** The guardian set `keys` are (tests of guardian set upgrades sign with a later one). */
    private readonly setIndex = 0,
  ) {}

  async fetchVaa(key: VaaKey): Promise<Hex | null> {
    const on = this.chains.find((c) => c.chain.wormholeChainId === key.emitterChain)
    if (!on) return null
    let receipt: Awaited<ReturnType<PublicClient['getTransactionReceipt']>>
    try {
      receipt = await on.client.getTransactionReceipt({ hash: key.txHash })
    } catch (cause) {
      if (String(cause).includes('could not be found')) return null
      throw new VaaSourceError(
        `cannot read ${key.txHash} on chain ${key.emitterChain}`,
        null,
        cause,
      )
    }
    const times = await blockTimes(receipt.logs, on.client)
    const message = messagesFromReceipt(
      receipt,
      on.chain.core,
      key.emitterChain,
      times.get(receipt.blockNumber) ?? 0,
    ).find(
      (m) =>
        m.sequence === key.sequence &&
        pad(m.sender, { size: 32 }).toLowerCase() === key.emitterAddress.toLowerCase(),
    )
    if (!message) return null
    return this.keys === undefined ? signVaa(message) : signVaa(message, this.keys, this.setIndex)
  }
}
