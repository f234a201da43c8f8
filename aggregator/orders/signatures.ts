/**
 * SignerCache: is a 65-byte secp256k1 signature (r, s, v) over a digest the
 * expected address's? Every fill carries two (the account's over the Order,
 * the venue's over the Execution), so this is the costliest step of taking a
 * fill.
 *
 * The first time an address is seen, its public key is recovered from the
 * signature and hashed to an address; if that is the expected one, the key is
 * kept (address -> public key) and later signatures of that address are
 * verified against it, which skips the recovery and the keccak. Only a key
 * that recovered to its address is kept, so a forged signature can never
 * plant one. libsecp256k1 does both (secp256k1.ts: its native binding, or
 * its WASM build where the binding cannot load).
 *
 * Refused as bad_signature, before any curve arithmetic: a signature that is
 * not 65 bytes of hex, v other than 27/28 or 0/1, r or s outside [1, n), and a
 * high s (s > n/2). Every signature has a twin (r, n - s, flipped v) that
 * ecrecover accepts too; taking only the low one (EIP-2) gives each signed
 * message one signature. Also bad_signature: no key recovers from it.
 * wrong_signer: a well-formed signature, but not the expected address's over
 * this digest (a changed field, or another key).
 *
 * What verifying cannot see: v. Recovery uses v to pick one of the two points
 * with x = r; verification computes that point itself and only compares x. So
 * for an address already cached, (r, s) with the other v is taken too, though
 * ecrecover would name another address for it. The signer did sign this
 * digest, so nothing is accepted that its key did not sign; but a stored
 * signature with a flipped v does not ecrecover to its signer. The first
 * signature of an address is always recovered, so that one is exact.
 *
 * The cache is bounded (least recently used out first, 200,000 keys by
 * default); its public keys live in one slab, 65 bytes a key, which grows as
 * keys arrive and is reused as keys leave.
 */

import { type Address, type Hex, hexToBytes } from 'viem'
import { InputError } from '../errors.ts'
import { keccak256 } from './keccak.ts'
import { recover, verify } from './secp256k1.ts'

export type SignatureCheck = 'ok' | 'bad_signature' | 'wrong_signer'

export interface SignerCacheOptions {
  /** Addresses whose public keys are kept; the least recently used leaves first. */
  readonly capacity?: number
}

export const DEFAULT_SIGNER_CAPACITY = 200_000

/** secp256k1's group order n, and n / 2 (rounded down): the largest low s. */
const N = hexToBytes('0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141')
const HALF_N = hexToBytes('0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0')

const SIGNATURE_HEX = /^0x[0-9a-fA-F]{130}$/
const DIGEST_HEX = /^0x[0-9a-fA-F]{64}$/
const ADDRESS_HEX = /^0x[0-9a-fA-F]{40}$/

const PUBLIC_KEY_BYTES = 65
const FIRST_SLAB_KEYS = 1_024

/** Big-endian comparison of the 32 bytes at `offset` with `bound`: -1, 0 or 1. */
function compare32(bytes: Uint8Array, offset: number, bound: Uint8Array): number {
  for (let i = 0; i < 32; i++) {
    const d = bytes[offset + i]! - bound[i]!
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

function isZero32(bytes: Uint8Array, offset: number): boolean {
  for (let i = 0; i < 32; i++) if (bytes[offset + i] !== 0) return false
  return true
}

/** r and s (64 bytes) and the recovery id, or null when this is not a low-s signature. */
function parseSignature(signature: Hex): { rs: Uint8Array; recoveryId: 0 | 1 } | null {
  if (typeof signature !== 'string' || !SIGNATURE_HEX.test(signature)) return null
  const bytes = hexToBytes(signature)
  const v = bytes[64]!
  const recoveryId = v === 0 || v === 27 ? 0 : v === 1 || v === 28 ? 1 : -1
  if (recoveryId < 0) return null
  if (isZero32(bytes, 0) || compare32(bytes, 0, N) >= 0) return null
  if (isZero32(bytes, 32) || compare32(bytes, 32, HALF_N) > 0) return null
  return { rs: bytes.subarray(0, 64), recoveryId: recoveryId as 0 | 1 }
}

function digestBytes(digest: Uint8Array | Hex): Uint8Array {
  if (digest instanceof Uint8Array && digest.length === 32) return digest
  if (typeof digest === 'string' && DIGEST_HEX.test(digest)) return hexToBytes(digest)
  throw new InputError('digest', 'wrong_type', 'a digest is 32 bytes (or 0x and 64 hex digits)')
}

/** The last 20 bytes of keccak(x || y) equal the expected address's bytes. */
function addressMatches(publicKey: Uint8Array, expected: string): boolean {
  const hash = keccak256(publicKey.subarray(1))
  const want = hexToBytes(expected as Hex)
  for (let i = 0; i < 20; i++) if (hash[12 + i] !== want[i]) return false
  return true
}

export class SignerCache {
  readonly capacity: number
  /** lowercase address -> its slot in the slab; Map order is use order, oldest first */
  readonly #slots = new Map<string, number>()
  #slab: Uint8Array
  #nextSlot = 0
  /** How often each path ran: for benchmarks and tests. */
  readonly stats = { recovered: 0, verified: 0 }

  constructor(options: SignerCacheOptions = {}) {
    const capacity = options.capacity ?? DEFAULT_SIGNER_CAPACITY
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new InputError('capacity', 'out_of_range', 'a signer cache holds at least one key')
    this.capacity = capacity
    this.#slab = new Uint8Array(Math.min(capacity, FIRST_SLAB_KEYS) * PUBLIC_KEY_BYTES)
  }

  /** Addresses whose public keys are kept now. */
  get size(): number {
    return this.#slots.size
  }

  check(digest: Uint8Array | Hex, signature: Hex, expected: Address): SignatureCheck {
    const hash = digestBytes(digest)
    if (typeof expected !== 'string' || !ADDRESS_HEX.test(expected))
      throw new InputError('expected', 'wrong_type', 'the expected signer is not an address')
    const parsed = parseSignature(signature)
    if (parsed === null) return 'bad_signature'
    const key = expected.toLowerCase()
    const slot = this.#slots.get(key)
    if (slot !== undefined) {
      // most recently used moves last
      this.#slots.delete(key)
      this.#slots.set(key, slot)
      this.stats.verified++
      const publicKey = this.#slab.subarray(slot * PUBLIC_KEY_BYTES, (slot + 1) * PUBLIC_KEY_BYTES)
      return verify(hash, publicKey, parsed.rs) ? 'ok' : 'wrong_signer'
    }
    this.stats.recovered++
    let publicKey: Uint8Array | null
    try {
      publicKey = recover(hash, parsed.rs, parsed.recoveryId)
    } catch {
      // r is not the x of a curve point: no key signed this
      return 'bad_signature'
    }
    if (publicKey === null) return 'bad_signature'
    if (!addressMatches(publicKey, key)) return 'wrong_signer'
    this.#keep(key, publicKey)
    return 'ok'
  }

  #keep(key: string, publicKey: Uint8Array): void {
    let slot: number
    if (this.#slots.size >= this.capacity) {
      const [oldest, freed] = this.#slots.entries().next().value as [string, number]
      this.#slots.delete(oldest)
      slot = freed
    } else {
      slot = this.#nextSlot++
      const needed = (slot + 1) * PUBLIC_KEY_BYTES
      if (needed > this.#slab.length) {
        const grown = new Uint8Array(
          Math.min(this.capacity * PUBLIC_KEY_BYTES, 2 * this.#slab.length),
        )
        grown.set(this.#slab)
        this.#slab = grown
      }
    }
    this.#slab.set(publicKey, slot * PUBLIC_KEY_BYTES)
    this.#slots.set(key, slot)
  }
}
