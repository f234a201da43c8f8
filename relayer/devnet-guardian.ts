/**
 * The devnet guardian's signing: a VAA over an observed message, signed with
 * the published devnet guardian key (guardian set 0 of every local core).
 * Production VAAs come from the real guardians through Wormholescan instead.
 */
import { toChain } from '@wormhole-foundation/sdk-base'
import { createVAA, serialize, UniversalAddress } from '@wormhole-foundation/sdk-definitions'
import { mocks } from '@wormhole-foundation/sdk-definitions/testing'
import { bytesToHex, type Hex, hexToBytes, pad } from 'viem'

/** Published devnet guardian key: the one guardian of Wormhole's own devnet (not a secret). */
export const DEVNET_GUARDIAN_KEY =
  'cfb12303a19cde580bb4dd771639b0d26bc68353645571a8cff516ab2ee113a0'
export const DEVNET_GUARDIAN_ADDRESS = '0xbeFA429d57cD18b7F8A4d91A2da9AB4AF05d0FBe'

/** A message as the core contract's LogMessagePublished reports it. */
export interface ObservedMessage {
  readonly emitterChain: number
  /** The emitting contract, as an EVM address or a 32-byte universal address. */
  readonly emitterAddress: Hex
  readonly sequence: bigint
  readonly nonce: number
  readonly consistencyLevel: number
  /** Unix seconds of the block that published it. */
  readonly timestamp: number
  readonly payload: Hex
}

/** Sign `message` with `keys` (guardian set `setIndex`); the devnet default is the one published key. */
export function signVaa(
  message: ObservedMessage,
  keys: readonly string[] = [DEVNET_GUARDIAN_KEY],
  setIndex = 0,
): Hex {
  const vaa = createVAA('Uint8Array', {
    guardianSet: setIndex,
    timestamp: message.timestamp,
    nonce: message.nonce,
    emitterChain: toChain(message.emitterChain),
    emitterAddress: new UniversalAddress(pad(message.emitterAddress, { size: 32 })),
    sequence: message.sequence,
    consistencyLevel: message.consistencyLevel,
    signatures: [],
    payload: hexToBytes(message.payload),
  })
  const signed = new mocks.MockGuardians(setIndex, [...keys]).addSignatures(vaa)
  return bytesToHex(serialize(signed))
}
