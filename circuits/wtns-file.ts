/**
 * snarkjs's binary witness format, for handing a witness this project
 * computed to snarkjs's own prover (the peer in bench:prove and in the
 * prover's tests).
 */
import { FIELD } from './poseidon.ts'

/** snarkjs's witness file: "wtns", version 2, a header section (field size, prime, count) and the values. */
export function wtnsFile(w: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(12 + 12 + 40 + 12 + 32 * w.length)
  const view = new DataView(out.buffer)
  out.set(new TextEncoder().encode('wtns'))
  view.setUint32(4, 2, true)
  view.setUint32(8, 2, true)
  const u256 = (at: number, x: bigint) => {
    for (let i = 0; i < 4; i++)
      view.setBigUint64(at + 8 * i, (x >> BigInt(64 * i)) & 0xffffffffffffffffn, true)
  }
  view.setUint32(12, 1, true)
  view.setBigUint64(16, 40n, true)
  view.setUint32(24, 32, true)
  u256(28, FIELD)
  view.setUint32(60, w.length, true)
  view.setUint32(64, 2, true)
  view.setBigUint64(68, BigInt(32 * w.length), true)
  for (const [i, x] of w.entries()) u256(76 + 32 * i, x)
  return out
}
