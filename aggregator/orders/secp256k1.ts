/**
 * The secp256k1 primitives fills need, from libsecp256k1's native binding
 * (the `secp256k1` package's prebuilt linux-x64 addon: about five times the
 * WASM build's rate, which two signatures per fill at thousands of fills a
 * second need). Its own fallback is pure JavaScript, slower still, so when
 * the addon cannot load this falls back to tiny-secp256k1 (WASM) instead.
 */
import { createRequire } from 'node:module'
import * as wasm from 'tiny-secp256k1'

interface Native {
  ecdsaVerify(sig: Uint8Array, msg32: Uint8Array, pubkey: Uint8Array): boolean
  ecdsaRecover(sig: Uint8Array, recid: number, msg32: Uint8Array, compressed: boolean): Uint8Array
}

function loadNative(): Native | null {
  try {
    return createRequire(import.meta.url)('secp256k1/bindings') as Native
  } catch {
    return null
  }
}

const native = loadNative()

/** Which implementation is in use (for the benchmark's report). */
export const SECP256K1_BACKEND: 'native' | 'wasm' = native ? 'native' : 'wasm'

/** Strict (low-s) ECDSA verification of a 64-byte (r, s) over a 32-byte digest. */
export function verify(digest: Uint8Array, publicKey: Uint8Array, rs: Uint8Array): boolean {
  return native
    ? native.ecdsaVerify(rs, digest, publicKey)
    : wasm.verify(digest, publicKey, rs, true)
}

/** The uncompressed public key that signed, or null; throws for an r that is no curve point. */
export function recover(
  digest: Uint8Array,
  rs: Uint8Array,
  recoveryId: 0 | 1 | 2 | 3,
): Uint8Array | null {
  return native
    ? native.ecdsaRecover(rs, recoveryId, digest, false)
    : wasm.recover(digest, rs, recoveryId, false)
}
