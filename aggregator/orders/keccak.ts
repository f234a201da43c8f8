/**
 * Keccak-256 for the fill path, synchronous after one module-level WASM
 * start: hash-wasm's keccak hashes an Order's 288 bytes in about 2 µs where
 * @noble/hashes takes about 30 on these machines, and a fill hashes some
 * eight blocks (bench:orders). One hasher, reused: calls are synchronous, so
 * they never overlap.
 */
import { createKeccak } from 'hash-wasm'

const hasher = await createKeccak(256)

export function keccak256(bytes: Uint8Array): Uint8Array {
  hasher.init()
  hasher.update(bytes)
  return hasher.digest('binary')
}
