/**
 * The EIP-712 digests of trading's two messages (typed-data.ts): the Order an
 * account signs and the Execution a venue signs, in a given domain.
 *
 * Computed by hand rather than with viem's generic hashTypedData, which
 * re-derives the type strings, re-validates and ABI-encodes through hex text
 * on every call: too slow for thousands of fills a second, each hashing
 * both. Here the types are fixed, so their type hashes are computed once per
 * module and the domain separator once per domain; a message is one buffer
 * of 32-byte words (EIP-712 encodeData: address and uint as words, string as
 * the keccak of its UTF-8, bytes32 as itself) and one more keccak with the
 * separator. The encoders are compiled from ORDER_TYPES and EXECUTION_TYPES,
 * so a change to the types changes the digests with them; the tests hold them
 * equal to viem's for random messages and domains.
 *
 * Values are checked as viem checks them (an address is 20 bytes of hex, a
 * uintN fits N bits, bytes32 is 32 bytes): a message viem would refuse to
 * hash is an InputError here. One difference: viem also refuses a mixed-case
 * address whose EIP-55 checksum is wrong; the digest does not depend on case,
 * so it is hashed here.
 */

import type { Hex, TypedDataDomain } from 'viem'
import { InputError } from '../errors.ts'
import { keccak256 } from './keccak.ts'
import {
  EXECUTION_TYPES,
  type ExecutionMessage,
  ORDER_TYPES,
  type OrderMessage,
} from './typed-data.ts'

interface FieldType {
  readonly name: string
  readonly type: string
}

/** Writes one value as the 32-byte word at `offset`; throws InputError naming `field`. */
type WordWriter = (out: Uint8Array, offset: number, value: unknown, field: string) => void

const UTF8 = new TextEncoder()
const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength)

// ---- hex in and out, without viem's general-purpose conversions

const NIBBLE = new Int8Array(128).fill(-1)
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i
  NIBBLE[97 + i] = 10 + i
}

/** `0x` + exactly 2 * bytes hex digits, into out[offset..]; false if it is not that. */
function readHex(text: string, bytes: number, out: Uint8Array, offset: number): boolean {
  if (
    text.length !== 2 + 2 * bytes ||
    text.charCodeAt(0) !== 48 ||
    (text.charCodeAt(1) | 32) !== 120
  )
    return false
  for (let i = 0; i < bytes; i++) {
    const hi = NIBBLE[text.charCodeAt(2 + 2 * i)] ?? -1
    const lo = NIBBLE[text.charCodeAt(3 + 2 * i)] ?? -1
    if (hi < 0 || lo < 0) return false
    out[offset + i] = (hi << 4) | lo
  }
  return true
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function digestHex(bytes: Uint8Array): Hex {
  let s = '0x'
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]!]
  return s as Hex
}

// ---- one word per field type

const M64 = (1n << 64n) - 1n

function wrongType(field: string, what: string): InputError {
  return new InputError(field, 'wrong_type', `${field} must be ${what}`)
}

function uintWriter(bits: number): WordWriter {
  const limit = 1n << BigInt(bits)
  return (out, offset, value, field) => {
    let v: bigint
    if (typeof value === 'bigint') v = value
    else if (typeof value === 'number' && Number.isSafeInteger(value)) v = BigInt(value)
    else throw wrongType(field, `a uint${bits} (bigint)`)
    if (v < 0n || v >= limit)
      throw new InputError(field, 'out_of_range', `${field} does not fit a uint${bits}`)
    const words = view(out)
    if (v <= M64) {
      // the common case: one 64-bit store, the rest of the word zero
      out.fill(0, offset, offset + 24)
      words.setBigUint64(offset + 24, v)
      return
    }
    for (let i = 24; i >= 0; i -= 8) {
      words.setBigUint64(offset + i, v & M64)
      v >>= 64n
    }
  }
}

const writeAddress: WordWriter = (out, offset, value, field) => {
  out.fill(0, offset, offset + 12)
  if (typeof value !== 'string' || !readHex(value, 20, out, offset + 12))
    throw wrongType(field, 'an address (0x and 40 hex digits)')
}

const writeBytes32: WordWriter = (out, offset, value, field) => {
  if (typeof value !== 'string' || !readHex(value, 32, out, offset))
    throw wrongType(field, 'bytes32 (0x and 64 hex digits)')
}

const writeString: WordWriter = (out, offset, value, field) => {
  if (typeof value !== 'string') throw wrongType(field, 'a string')
  out.set(keccak256(UTF8.encode(value)), offset)
}

/**
 * Strings drawn from a small set (an order's instrument and side: the listing's
 * ids, buy or sell) are hashed once each: keccak is nearly all of a digest's
 * cost. Bounded, and emptied when full, so unlisted ids cannot grow it.
 */
const MEMO_CAPACITY = 4_096
const stringMemo = new Map<string, Uint8Array>()

const writeMemoString: WordWriter = (out, offset, value, field) => {
  if (typeof value !== 'string') throw wrongType(field, 'a string')
  let hash = stringMemo.get(value)
  if (hash === undefined) {
    hash = keccak256(UTF8.encode(value))
    if (stringMemo.size >= MEMO_CAPACITY) stringMemo.clear()
    stringMemo.set(value, hash)
  }
  out.set(hash, offset)
}

/** Fields whose values repeat across messages; a fill id, unique per fill, is not one. */
const FEW_VALUES = new Set(['Order.instrument', 'Order.side'])

const writeBool: WordWriter = (out, offset, value, field) => {
  if (typeof value !== 'boolean') throw wrongType(field, 'a boolean')
  out.fill(0, offset, offset + 31)
  out[offset + 31] = value ? 1 : 0
}

function writerFor(type: string, path: string): WordWriter {
  if (type === 'address') return writeAddress
  if (type === 'string') return FEW_VALUES.has(path) ? writeMemoString : writeString
  if (type === 'bytes32') return writeBytes32
  if (type === 'bool') return writeBool
  const uint = /^uint(\d+)$/.exec(type)
  const bits = uint ? Number(uint[1]) : 0
  if (bits >= 8 && bits <= 256 && bits % 8 === 0) return uintWriter(bits)
  // the encoders take only the atomic types trading uses; a nested struct or
  // an array would need EIP-712's dependency ordering, which these types do not
  throw new Error(`order-hash: no encoder for EIP-712 type ${type}`)
}

// ---- struct hashes

/** hashStruct for one fixed struct type; the buffer is reused, so calls must not overlap (they are synchronous). */
function structHasher(name: string, fields: readonly FieldType[]): (message: object) => Uint8Array {
  const typeHash = keccak256(
    UTF8.encode(`${name}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`),
  )
  const paths = fields.map((f) => `${name}.${f.name}`)
  const writers = fields.map((f, i) => writerFor(f.type, paths[i]!))
  const names = fields.map((f) => f.name)
  const buffer = new Uint8Array(32 * (1 + fields.length))
  buffer.set(typeHash, 0)
  return (message) => {
    const values = message as Readonly<Record<string, unknown>>
    for (let i = 0; i < writers.length; i++)
      writers[i]!(buffer, 32 * (1 + i), values[names[i]!], paths[i]!)
    return keccak256(buffer)
  }
}

const hashOrderStruct = structHasher('Order', ORDER_TYPES.Order)
const hashExecutionStruct = structHasher('Execution', EXECUTION_TYPES.Execution)

/** The EIP712Domain fields a domain has, in EIP-712's order: present means not null or undefined (as viem decides). */
function domainFields(domain: TypedDataDomain): FieldType[] {
  return [
    domain.name != null && { name: 'name', type: 'string' },
    domain.version != null && { name: 'version', type: 'string' },
    domain.chainId != null && { name: 'chainId', type: 'uint256' },
    domain.verifyingContract != null && { name: 'verifyingContract', type: 'address' },
    domain.salt != null && { name: 'salt', type: 'bytes32' },
  ].filter((f): f is FieldType => f !== false)
}

export function domainSeparator(domain: TypedDataDomain): Uint8Array {
  if (typeof domain !== 'object' || domain === null)
    throw new InputError('domain', 'wrong_type', 'domain must be an object')
  return structHasher('EIP712Domain', domainFields(domain))(domain)
}

// ---- digests

/** The digests of one domain, its separator computed once. */
export interface TradingDigests {
  readonly domainSeparator: Hex
  /** The Order's EIP-712 digest: what the account signs and the Execution's orderHash names. */
  order(message: OrderMessage): Hex
  execution(message: ExecutionMessage): Hex
  orderBytes(message: OrderMessage): Uint8Array
  executionBytes(message: ExecutionMessage): Uint8Array
}

export function tradingDigests(domain: TypedDataDomain): TradingDigests {
  const prefixed = new Uint8Array(66)
  prefixed[0] = 0x19
  prefixed[1] = 0x01
  const separator = domainSeparator(domain)
  prefixed.set(separator, 2)
  const digest = (structHash: Uint8Array) => {
    prefixed.set(structHash, 34)
    return keccak256(prefixed)
  }
  const orderBytes = (m: OrderMessage) => digest(hashOrderStruct(m))
  const executionBytes = (m: ExecutionMessage) => digest(hashExecutionStruct(m))
  return {
    domainSeparator: digestHex(separator),
    order: (m) => digestHex(orderBytes(m)),
    execution: (m) => digestHex(executionBytes(m)),
    orderBytes,
    executionBytes,
  }
}

/**
 * One TradingDigests per domain object, so the functions below cost one
 * separator per domain, not per call. The domain's fields are compared on
 * every use, so a domain object changed in place is not hashed stale.
 */
const byDomain = new WeakMap<object, { fields: readonly unknown[]; digests: TradingDigests }>()

const fieldsOf = (d: TypedDataDomain): readonly unknown[] => [
  d.name,
  d.version,
  d.chainId,
  d.verifyingContract,
  d.salt,
]

function digestsOf(domain: TypedDataDomain): TradingDigests {
  const cached = byDomain.get(domain)
  if (
    cached !== undefined &&
    cached.fields[0] === domain.name &&
    cached.fields[1] === domain.version &&
    cached.fields[2] === domain.chainId &&
    cached.fields[3] === domain.verifyingContract &&
    cached.fields[4] === domain.salt
  )
    return cached.digests
  const digests = tradingDigests(domain)
  byDomain.set(domain, { fields: fieldsOf(domain), digests })
  return digests
}

/** hashTypedData of an Order in `domain`: the digest the account (or its trade key) signs. */
export function orderDigest(domain: TypedDataDomain, order: OrderMessage): Hex {
  return digestsOf(domain).order(order)
}

/** hashTypedData of an Execution in `domain`: the digest the venue signs. */
export function executionDigest(domain: TypedDataDomain, execution: ExecutionMessage): Hex {
  return digestsOf(domain).execution(execution)
}

/** The Execution's `orderHash` for `order`: the Order's full EIP-712 digest (orderDigest). */
export function orderHash(domain: TypedDataDomain, order: OrderMessage): Hex {
  return orderDigest(domain, order)
}
