/** Where signed VAAs come from: the devnet guardian locally, Wormholescan in production. */
import type { Hex } from 'viem'
import { XmarginError } from '../../aggregator/errors.ts'

/** A message's identity, plus the transaction that published it (a hint some sources use). */
export interface VaaKey {
  readonly emitterChain: number
  /** 32-byte universal address, 0x-prefixed. */
  readonly emitterAddress: Hex
  readonly sequence: bigint
  readonly txHash: Hex
}

export interface VaaSource {
  readonly name: string
  /** The signed VAA, or null when it is not (yet) available. Throws VaaSourceError on a fault. */
  fetchVaa(key: VaaKey): Promise<Hex | null>
}

/** The source failed; `retryAfterMs` says when to ask again if it told us. */
export class VaaSourceError extends XmarginError {
  override name = 'VaaSourceError'
  constructor(
    shortMessage: string,
    readonly retryAfterMs: number | null = null,
    cause?: unknown,
  ) {
    super(shortMessage, { code: 'vaa_source_failed', cause })
  }
}
