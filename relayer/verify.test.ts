/**
 * The relayer's guardian-signature check follows the core's rules exactly,
 * so a VAA it lets through is one the core accepts (and the reverse).
 */
import { deserialize, serialize } from '@wormhole-foundation/sdk-definitions'
import { type Address, bytesToHex, type Hex, hexToBytes } from 'viem'
import { privateKeyToAddress } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { DEVNET_GUARDIAN_ADDRESS, DEVNET_GUARDIAN_KEY, signVaa } from './devnet-guardian.ts'
import type { GuardianSet } from './guardian-sets.ts'
import { checkGuardianSignatures, type ParsedVaa, parseVaa, VaaRejected } from './verify.ts'

// four guardians: a quorum is three
const KEYS = [DEVNET_GUARDIAN_KEY, '11'.repeat(32), '22'.repeat(32), '44'.repeat(32)]
const SET: GuardianSet = {
  index: 0,
  keys: KEYS.map((k) => privateKeyToAddress(`0x${k}`) as Address),
  expirationTime: 0,
}
const MESSAGE = {
  emitterChain: 10_002,
  emitterAddress: '0x00000000000000000000000000000000000000aa' as Hex,
  sequence: 7n,
  nonce: 0,
  consistencyLevel: 1,
  timestamp: 1_767_225_600,
  payload: '0x0102' as Hex,
}

type Signature = ParsedVaa['signatures'][number]

/** The VAA's bytes, signed by `keys`, its signatures then edited by `edit`. */
function vaa(keys: string[], edit: (sigs: Signature[]) => Signature[] = (s) => s): Uint8Array {
  const parsed = deserialize('Uint8Array', hexToBytes(signVaa(MESSAGE, keys)))
  return serialize({ ...parsed, signatures: edit([...parsed.signatures]) } as ParsedVaa)
}

/** As checkVaa meets them: parsed, then the signatures checked. */
const check = (bytes: Uint8Array, set = SET, now = 1_767_225_600) =>
  checkGuardianSignatures(parseVaa(bytes), set, now)

const withSignature = (sig: Signature, change: Partial<Signature['signature']>): Signature =>
  ({
    guardianIndex: sig.guardianIndex,
    signature: Object.assign(Object.create(Object.getPrototypeOf(sig.signature)), {
      ...sig.signature,
      ...change,
    }),
  }) as Signature

describe('guardian signatures', () => {
  it('the devnet key is the published devnet guardian', () => {
    expect(SET.keys[0]).toBe(DEVNET_GUARDIAN_ADDRESS)
  })

  it.each([
    { name: 'all three guardians', keys: KEYS },
    { name: 'a quorum of three of four', keys: KEYS.slice(0, 3) },
  ])('accepts $name', ({ keys }) => {
    expect(() => check(vaa(keys))).not.toThrow()
  })

  it.each([
    { name: 'two of four (below quorum)', v: () => vaa(KEYS.slice(0, 2)), says: 'quorum is 3' },
    {
      name: 'a key outside the set',
      v: () => vaa(['33'.repeat(32), KEYS[1]!]),
      says: 'signature 0',
    },
    {
      name: 'the recovery id flipped',
      v: () =>
        vaa(KEYS, (s) => [withSignature(s[0]!, { v: 1 - s[0]!.signature.v }), ...s.slice(1)]),
      says: 'signature 0',
    },
    {
      name: 'a recovery id of 27 (the core adds 27 itself)',
      v: () => vaa(KEYS, (s) => [withSignature(s[0]!, { v: 27 }), ...s.slice(1)]),
      says: 'signature 0',
    },
    {
      name: 's beyond the curve order',
      v: () => vaa(KEYS, (s) => [withSignature(s[0]!, { s: 2n ** 256n - 1n }), ...s.slice(1)]),
      says: 'signature 0',
    },
    {
      name: 'r of zero',
      v: () => vaa(KEYS, (s) => [withSignature(s[0]!, { r: 0n }), ...s.slice(1)]),
      says: 'signature 0',
    },
    {
      name: 'signatures out of order',
      v: () => vaa(KEYS, (s) => [s[1]!, s[0]!, s[2]!, s[3]!]),
      says: 'ascending',
    },
    {
      name: 'one guardian twice',
      v: () => vaa(KEYS, (s) => [s[0]!, s[0]!, s[1]!]),
      says: 'ascending',
    },
    {
      name: 'a guardian index beyond the set',
      v: () => vaa(KEYS, (s) => [...s, { ...s[0]!, guardianIndex: 4 }]),
      says: 'bad guardian index 4',
    },
  ])('refuses $name', ({ v, says }) => {
    const bytes = v()
    expect(() => check(bytes)).toThrow(VaaRejected)
    expect(() => check(bytes)).toThrow(says)
  })

  it('refuses a check against another set than the one it names', () => {
    expect(() => check(vaa(KEYS), { ...SET, index: 1 })).toThrow('signed by guardian set 0')
  })

  // The core (verifyVM): a replaced set is refused once expirationTime < block.timestamp.
  it.each([
    { name: 'the current set (no expiry) far in the future', expires: 0, now: 2 ** 32, ok: true },
    { name: 'a replaced set before its expiry', expires: 1_000, now: 999, ok: true },
    { name: 'a replaced set at its expiry second', expires: 1_000, now: 1_000, ok: true },
    { name: 'a replaced set after its expiry', expires: 1_000, now: 1_001, ok: false },
  ])('$name: accepted $ok', ({ expires, now, ok }) => {
    const run = () => check(vaa(KEYS), { ...SET, expirationTime: expires }, now)
    if (ok) expect(run).not.toThrow()
    else expect(run).toThrow('guardian set 0 expired at 1000')
  })

  it('refuses a body changed after signing', () => {
    const bytes = hexToBytes(signVaa(MESSAGE, KEYS))
    bytes[bytes.length - 1]! ^= 1
    expect(bytesToHex(parseVaa(bytes).payload)).not.toBe(MESSAGE.payload)
    expect(() => check(bytes)).toThrow('signature 0')
  })
})
