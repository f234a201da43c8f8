/**
 * Wormhole core governance VAAs as Wormhole's own devnet makes them: emitted
 * by the governance contract 0x...04 on chain 1 and signed by the target
 * core's current guardian set (the devnet guardian key unless told). Local
 * chains use them to change a core's message fee or guardian set the way
 * mainnet governance does; on real networks only the guardians sign them.
 * Layouts: the core's GovernanceStructs.sol (module, action, chain, body).
 */
import { type Address, concat, encodePacked, type Hex, pad, toHex } from 'viem'
import { XmarginError } from '../aggregator/errors.ts'
import { DEVNET_GUARDIAN_KEY, signVaa } from './devnet-guardian.ts'

/** The devnet cores' governance emitter (the same as aggregator/devnet/deploy.ts sets up). */
export const GOVERNANCE_CHAIN = 1
export const GOVERNANCE_CONTRACT: Hex = pad('0x04', { size: 32 })
/** "Core" left-padded to 32 bytes: the module every core governance payload names. */
export const CORE_MODULE: Hex = pad(toHex('Core'), { size: 32 })

const GUARDIAN_SET_UPGRADE = 2
const SET_MESSAGE_FEE = 3

/** Action 2: guardian set `newIndex` (the core's current + 1) of `guardians`; chain 0 is every chain. */
export function guardianSetUpgrade(
  newIndex: number,
  guardians: readonly Address[],
  chain = 0,
): Hex {
  if (guardians.length === 0 || guardians.length > 255) {
    throw new XmarginError(`a guardian set has 1 to 255 guardians, not ${guardians.length}`, {
      code: 'out_of_range',
    })
  }
  const head = encodePacked(
    ['bytes32', 'uint8', 'uint16', 'uint32', 'uint8'],
    [CORE_MODULE, GUARDIAN_SET_UPGRADE, chain, newIndex, guardians.length],
  )
  // Addresses go in at 20 bytes each: encodePacked would pad array items to 32.
  return concat([head, ...guardians])
}

/** Action 3: the message fee in wei on the core of Wormhole chain `chain` (never 0 here: it names one chain). */
export function setMessageFee(chain: number, fee: bigint): Hex {
  return encodePacked(
    ['bytes32', 'uint8', 'uint16', 'uint256'],
    [CORE_MODULE, SET_MESSAGE_FEE, chain, fee],
  )
}

export interface GovernanceSigner {
  /** Guardian keys (hex, no 0x), in guardian order. */
  readonly keys: readonly string[]
  readonly setIndex: number
}

/**
 * A governance VAA carrying `payload`. Its hash is what the core consumes,
 * so each action needs its own `sequence`; the timestamp is fixed so the
 * same action signed twice is the same VAA (and refused the second time).
 */
export function governanceVaa(
  payload: Hex,
  sequence: bigint,
  signer: GovernanceSigner = { keys: [DEVNET_GUARDIAN_KEY], setIndex: 0 },
): Hex {
  return signVaa(
    {
      emitterChain: GOVERNANCE_CHAIN,
      emitterAddress: GOVERNANCE_CONTRACT,
      sequence,
      nonce: 0,
      consistencyLevel: 32,
      timestamp: 0,
      payload,
    },
    signer.keys,
    signer.setIndex,
  )
}
