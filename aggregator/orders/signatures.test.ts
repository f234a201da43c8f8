/**
 * SignerCache against viem's recovery (the reference): the same answer for
 * random keys and orders, whether the signer is being recovered or already
 * cached; malformed and malleable signatures refused; the cache bounded.
 */
import { secp256k1 } from '@noble/curves/secp256k1'
import fc from 'fast-check'
import { pointFromScalar, signRecoverable } from 'tiny-secp256k1'
import {
  type Address,
  bytesToHex,
  type Hex,
  hexToBytes,
  numberToHex,
  recoverAddress,
  recoverTypedDataAddress,
} from 'viem'
import { privateKeyToAccount, publicKeyToAddress } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { orderDigest } from './order-hash.ts'
import { type SignatureCheck, SignerCache } from './signatures.ts'
import { ORDER_TYPES, type OrderMessage } from './typed-data.ts'

const N = secp256k1.CURVE.n

const KEY_A = `0x${'11'.repeat(32)}` as Hex
const KEY_B = `0x${'22'.repeat(32)}` as Hex
const A = privateKeyToAccount(KEY_A).address
const B = privateKeyToAccount(KEY_B).address
const DIGEST = `0x${'ab'.repeat(32)}` as Hex
const OTHER_DIGEST = `0x${'ac'.repeat(32)}` as Hex

/** r || s || v with v = 27 + recovery id, as wallets sign. */
function sign(digest: Hex, key: Hex): Hex {
  const { signature, recoveryId } = signRecoverable(hexToBytes(digest), hexToBytes(key))
  return `${bytesToHex(signature)}${(27 + recoveryId).toString(16)}` as Hex
}

const parts = (sig: Hex) => ({
  r: BigInt(sig.slice(0, 66)),
  s: BigInt(`0x${sig.slice(66, 130)}`),
  v: Number.parseInt(sig.slice(130), 16),
})
const join = (r: bigint, s: bigint, v: number): Hex =>
  `${numberToHex(r, { size: 32 })}${numberToHex(s, { size: 32 }).slice(2)}${v.toString(16).padStart(2, '0')}` as Hex

const GOOD = sign(DIGEST, KEY_A)
const { r, s, v } = parts(GOOD)
/** The same signature's twin that ecrecover also takes: (r, n - s, other v). */
const HIGH_S = join(r, N - s, v === 27 ? 28 : 27)
/** An r that is no point's x: no key can recover from it. */
const NO_POINT_R = (() => {
  for (let x = 1n; ; x++) {
    try {
      secp256k1.ProjectivePoint.fromHex(`02${x.toString(16).padStart(64, '0')}`)
    } catch {
      return x
    }
  }
})()

describe('SignerCache.check', () => {
  const cases: [string, Hex, Hex, Address, SignatureCheck][] = [
    ['a good signature', DIGEST, GOOD, A, 'ok'],
    ['v as a recovery id (0/1)', DIGEST, join(r, s, v - 27), A, 'ok'],
    ['a checksum-free expected address', DIGEST, GOOD, A.toLowerCase() as Address, 'ok'],
    ['a tampered digest', OTHER_DIGEST, GOOD, A, 'wrong_signer'],
    ['another key', DIGEST, sign(DIGEST, KEY_B), A, 'wrong_signer'],
    ['the expected is someone else', DIGEST, GOOD, B, 'wrong_signer'],
    ['64 bytes (no v)', DIGEST, GOOD.slice(0, 130) as Hex, A, 'bad_signature'],
    ['66 bytes', DIGEST, `${GOOD}00` as Hex, A, 'bad_signature'],
    ['an odd number of hex digits', DIGEST, GOOD.slice(0, 131) as Hex, A, 'bad_signature'],
    ['empty', DIGEST, '0x', A, 'bad_signature'],
    ['not hex', DIGEST, `0x${'zz'.repeat(65)}` as Hex, A, 'bad_signature'],
    ['high s (the malleable twin)', DIGEST, HIGH_S, A, 'bad_signature'],
    ['v = 29', DIGEST, join(r, s, 29), A, 'bad_signature'],
    ['v = 2', DIGEST, join(r, s, 2), A, 'bad_signature'],
    ['r = 0', DIGEST, join(0n, s, v), A, 'bad_signature'],
    ['s = 0', DIGEST, join(r, 0n, v), A, 'bad_signature'],
    ['r = n', DIGEST, join(N, s, v), A, 'bad_signature'],
    ['r no point has as x', DIGEST, join(NO_POINT_R, s, v), A, 'bad_signature'],
  ]

  it.each(cases)('%s: first seen', (_, digest, signature, expected, want) => {
    const cache = new SignerCache()
    expect(cache.check(digest, signature, expected)).toBe(want)
  })

  it.each(cases)('%s: signer already cached', (name, digest, signature, expected, want) => {
    const cache = new SignerCache()
    expect(cache.check(DIGEST, GOOD, A)).toBe('ok')
    expect(cache.check(DIGEST, sign(DIGEST, KEY_B), B)).toBe('ok')
    // verification cannot tell an r without a point from any other wrong r
    const cachedWant = name.startsWith('r no point') ? 'wrong_signer' : want
    expect(cache.check(digest, signature, expected)).toBe(cachedWant)
    expect(cache.stats.recovered).toBe(2)
  })

  it('the digest may be bytes or hex', () => {
    const cache = new SignerCache()
    expect(cache.check(hexToBytes(DIGEST), GOOD, A)).toBe('ok')
    expect(cache.check(hexToBytes(DIGEST), GOOD, A)).toBe('ok')
    expect(cache.stats).toEqual({ recovered: 1, verified: 1 })
  })

  it('viem takes the high-s twin as the same signer: refusing it is the point', async () => {
    expect(await recoverAddress({ hash: DIGEST, signature: HIGH_S })).toBe(A)
  })

  it('a flipped v recovers to another address, but verifies once the signer is cached', async () => {
    const flipped = join(r, s, v === 27 ? 28 : 27)
    expect(await recoverAddress({ hash: DIGEST, signature: flipped })).not.toBe(A)
    const cache = new SignerCache()
    expect(cache.check(DIGEST, flipped, A)).toBe('wrong_signer')
    expect(cache.check(DIGEST, GOOD, A)).toBe('ok')
    // documented in signatures.ts: verification compares x only
    expect(cache.check(DIGEST, flipped, A)).toBe('ok')
  })

  it('a digest or expected address that is not one is the caller’s error', () => {
    const cache = new SignerCache()
    expect(() => cache.check('0x1234', GOOD, A)).toThrow(InputError)
    expect(() => cache.check(new Uint8Array(31), GOOD, A)).toThrow(InputError)
    expect(() => cache.check(DIGEST, GOOD, '0x1234' as Address)).toThrow(InputError)
  })

  it('keeps only keys that recovered to their address', () => {
    const cache = new SignerCache()
    expect(cache.check(DIGEST, sign(DIGEST, KEY_B), A)).toBe('wrong_signer')
    expect(cache.size).toBe(0)
    expect(cache.check(DIGEST, GOOD, A)).toBe('ok')
    expect(cache.size).toBe(1)
  })

  it('is bounded: the least recently used key leaves first', () => {
    const keys = [1, 2, 3].map((i) => `0x${i.toString(16).padStart(64, '0')}` as Hex)
    const [k1, k2, k3] = keys.map((k) => ({ key: k, address: privateKeyToAccount(k).address }))
    const cache = new SignerCache({ capacity: 2 })
    const check = (who: typeof k1) => cache.check(DIGEST, sign(DIGEST, who!.key), who!.address)
    expect(check(k1)).toBe('ok')
    expect(check(k2)).toBe('ok')
    expect(check(k1)).toBe('ok') // k1 used: k2 is now the oldest
    expect(check(k3)).toBe('ok') // evicts k2
    expect(cache.size).toBe(2)
    expect(cache.stats).toEqual({ recovered: 3, verified: 1 })
    expect(check(k1)).toBe('ok')
    expect(check(k3)).toBe('ok')
    expect(cache.stats).toEqual({ recovered: 3, verified: 3 })
    expect(check(k2)).toBe('ok') // recovered again, into the slot k1 or k3 left
    expect(cache.stats.recovered).toBe(4)
    expect(cache.size).toBe(2)
  })

  it('grows its slab past the first allocation and keeps every key right', () => {
    const cache = new SignerCache({ capacity: 3_000 })
    const accounts = Array.from({ length: 1_100 }, (_, i) => {
      const key = numberToHex(BigInt(i + 1), { size: 32 })
      // libsecp256k1's key derivation: viem's (JavaScript) would take most of this test
      const point = pointFromScalar(hexToBytes(key), false)!
      return { key, address: publicKeyToAddress(bytesToHex(point)) }
    })
    for (const a of accounts) expect(cache.check(DIGEST, sign(DIGEST, a.key), a.address)).toBe('ok')
    for (const a of [accounts[0]!, accounts[1_023]!, accounts[1_024]!, accounts[1_099]!]) {
      expect(cache.check(OTHER_DIGEST, sign(OTHER_DIGEST, a.key), a.address)).toBe('ok')
      expect(cache.check(OTHER_DIGEST, sign(DIGEST, a.key), a.address)).toBe('wrong_signer')
    }
    expect(cache.stats.recovered).toBe(1_100)
  })
})

describe('SignerCache against viem recoverTypedDataAddress (property)', () => {
  const DOMAIN = {
    name: 'xmargin',
    version: '1',
    chainId: 31337,
    verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  } as const
  const PRIVATE_KEY = fc.bigInt({ min: 1n, max: N - 1n }).map((d) => numberToHex(d, { size: 32 }))
  const ORDER = fc.record({
    instrument: fc.constantFrom('ETH-PERP', 'BTC-FUT-1769904000', 'ETH-C-3500-1769904000'),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    size: fc.bigInt({ min: 1n, max: 2n ** 64n }),
    limitPrice: fc.bigInt({ min: 1n, max: 2n ** 48n }),
    nonce: fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }),
    expiry: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  })

  it('the same verdict, recovering and cached, for the signer and for another address', async () => {
    const cache = new SignerCache({ capacity: 8 })
    await fc.assert(
      fc.asyncProperty(
        PRIVATE_KEY,
        PRIVATE_KEY,
        ORDER,
        fc.boolean(),
        async (key, otherKey, fields, signerIsExpected) => {
          const signer = privateKeyToAccount(key)
          const other = privateKeyToAccount(otherKey)
          const message: OrderMessage = { account: signer.address, venue: other.address, ...fields }
          const signature = await signer.signTypedData({
            domain: DOMAIN,
            types: ORDER_TYPES,
            primaryType: 'Order',
            message,
          })
          const recovered = await recoverTypedDataAddress({
            domain: DOMAIN,
            types: ORDER_TYPES,
            primaryType: 'Order',
            message,
            signature,
          })
          const expected = signerIsExpected ? signer.address : other.address
          const want = recovered === expected ? 'ok' : 'wrong_signer'
          const digest = orderDigest(DOMAIN, message)
          // first seen (or evicted): recovered; then, if it was the signer, verified
          expect(cache.check(digest, signature, expected)).toBe(want)
          expect(cache.check(digest, signature, expected)).toBe(want)
          expect(new SignerCache().check(hexToBytes(digest), signature, expected)).toBe(want)
        },
      ),
      { numRuns: 60 },
    )
  })
})
