/**
 * Checks on a VAA before any gas is spent on it: it is the message we
 * observed (emitter, sequence, payload), its route includes this target, and
 * a quorum of its signatures recovers to the guardian set it names on the
 * target core, a set that is current or not yet expired (guardian-sets.ts
 * reads and keeps them). The target contract verifies again on chain; this
 * check only keeps bad VAAs from costing gas.
 */
import { toChainId } from '@wormhole-foundation/sdk-base'
import { deserialize } from '@wormhole-foundation/sdk-definitions'
import { recover } from 'tiny-secp256k1'
import { type Address, bytesToHex, type Hex, hexToBytes, keccak256, numberToBytes } from 'viem'
import { XmarginError } from '../aggregator/errors.ts'
import type { GuardianSet, TargetCore } from './guardian-sets.ts'
import type { Delivery } from './store/relay-store.ts'
import { route, type Topology } from './topology.ts'

/** A VAA that must not be delivered: no retry will change that. */
export class VaaRejected extends XmarginError {
  override name = 'VaaRejected'
  constructor(reason: string) {
    super(`VAA refused: ${reason}`, { code: 'vaa_rejected' })
  }
}

/** Wormhole's quorum: more than two thirds of the guardians. */
export const quorum = (guardians: number): number => Math.floor((guardians * 2) / 3) + 1

export async function checkVaa(
  vaa: Hex,
  d: Delivery,
  topology: Topology,
  core: TargetCore,
): Promise<void> {
  const parsed = parseVaa(hexToBytes(vaa))
  const emitter = bytesToHex(parsed.emitterAddress.toUint8Array())
  const payload = bytesToHex(parsed.payload)
  if (
    toChainId(parsed.emitterChain) !== d.emitterChain ||
    emitter.toLowerCase() !== d.emitterAddress.toLowerCase() ||
    parsed.sequence !== d.sequence
  ) {
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
  const guardians = await core.guardianSet(parsed.guardianSet)
  // only a replaced set can expire: the current one needs no clock
  const now = guardians.expirationTime === 0 ? 0 : await core.now()
  checkGuardianSignatures(parsed, guardians, now)
}

export type ParsedVaa = ReturnType<typeof deserialize<'Uint8Array'>>

/** The VAA's fields; VaaRejected when the bytes are not a well-formed VAA. */
export function parseVaa(bytes: Uint8Array): ParsedVaa {
  try {
    return deserialize('Uint8Array', bytes)
  } catch (cause) {
    throw new VaaRejected(`unparseable (${cause instanceof Error ? cause.message : String(cause)})`)
  }
}

/**
 * The core's own rules (verifyVM): the guardian set the VAA names, not
 * expired at `now` (unix seconds on the target chain; a replaced set is
 * valid up to and including its expirationTime, the current one has none),
 * signatures in strictly ascending guardian order, each recovering to its
 * guardian, and a quorum of them.
 */
export function checkGuardianSignatures(vaa: ParsedVaa, guardians: GuardianSet, now: number): void {
  if (vaa.guardianSet !== guardians.index) {
    throw new VaaRejected(
      `signed by guardian set ${vaa.guardianSet}, checked against set ${guardians.index}`,
    )
  }
  if (guardians.expirationTime !== 0 && guardians.expirationTime < now) {
    throw new VaaRejected(
      `guardian set ${guardians.index} expired at ${guardians.expirationTime} (target chain time ${now})`,
    )
  }
  // Guardians sign the double keccak of the body; vaa.hash is the single one.
  const digest = keccak256(vaa.hash)
  let last = -1
  for (const { guardianIndex, signature } of vaa.signatures) {
    const expected = guardians.keys[guardianIndex]
    if (expected === undefined || guardianIndex <= last)
      throw new VaaRejected(`bad guardian index ${guardianIndex}`)
    const recovered = recoverSigner(digest, signature)
    if (recovered?.toLowerCase() !== expected.toLowerCase())
      throw new VaaRejected(`signature ${guardianIndex} is not its guardian's`)
    last = guardianIndex
  }
  const signed = vaa.signatures.length
  if (signed < quorum(guardians.keys.length)) {
    throw new VaaRejected(
      `${signed} of ${guardians.keys.length} guardians signed; quorum is ${quorum(guardians.keys.length)}`,
    )
  }
}

/**
 * The address that signed `digest`, as the core's ecrecover sees it (v 0 or
 * 1 there means 27 or 28); null when no key recovers. libsecp256k1 in WASM:
 * a tenth of the cost of recovering in JavaScript, once per signature of
 * every VAA relayed.
 */
function recoverSigner(
  digest: Hex,
  signature: { r: bigint; s: bigint; v: number },
): Address | null {
  if (signature.v > 1) return null
  const rs = new Uint8Array(64)
  try {
    rs.set(numberToBytes(signature.r, { size: 32 }), 0)
    rs.set(numberToBytes(signature.s, { size: 32 }), 32)
    const key = recover(hexToBytes(digest), rs, signature.v as 0 | 1, false)
    return key ? (`0x${keccak256(key.subarray(1)).slice(-40)}` as Address) : null
  } catch {
    // r or s out of range
    return null
  }
}
