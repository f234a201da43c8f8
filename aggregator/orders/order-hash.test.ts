/**
 * The hand-built EIP-712 digests against viem's hashTypedData, the reference:
 * equal for random messages and domains, and refusing what viem refuses.
 */
import fc from 'fast-check'
import {
  type Address,
  getAddress,
  type Hex,
  hashTypedData,
  keccak256,
  type TypedDataDomain,
  toHex,
} from 'viem'
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import {
  domainSeparator,
  executionDigest,
  orderDigest,
  orderHash,
  tradingDigests,
} from './order-hash.ts'
import {
  EXECUTION_TYPES,
  type ExecutionMessage,
  ORDER_TYPES,
  type OrderMessage,
  type Side,
} from './typed-data.ts'

const DOMAIN: TypedDataDomain = {
  name: 'xmargin',
  version: '1',
  chainId: 31337,
  verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
}

const ORDER: OrderMessage = {
  account: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  venue: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
  instrument: 'ETH-PERP',
  side: 'buy',
  size: 1_000_000n,
  limitPrice: 3_000_000_000n,
  nonce: 7n,
  expiry: 1_800_000_000n,
}

const viemOrder = (domain: TypedDataDomain, message: OrderMessage) =>
  hashTypedData({ domain, types: ORDER_TYPES, primaryType: 'Order', message })
const viemExecution = (domain: TypedDataDomain, message: ExecutionMessage) =>
  hashTypedData({ domain, types: EXECUTION_TYPES, primaryType: 'Execution', message })

const EXECUTION: ExecutionMessage = {
  venue: ORDER.venue,
  orderHash: viemOrder(DOMAIN, ORDER),
  fillId: 'fill-1',
  price: 2_999_000_000n,
  size: 1_000_000n,
  fee: 600n,
  executedAt: 1_700_000_000n,
}

// ---- arbitraries

const UINT256 = fc.bigInt({ min: 0n, max: 2n ** 256n - 1n })
const UINT64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })
/** Small values too: most real sizes and prices fit one 64-bit word. */
const UINT = fc.oneof(UINT256, UINT64, fc.bigInt({ min: 0n, max: 1000n }))
/** Lowercase or checksummed (viem refuses a wrong checksum): the digest never depends on case. */
const ADDRESS: fc.Arbitrary<Address> = fc
  .tuple(fc.uint8Array({ minLength: 20, maxLength: 20 }), fc.constantFrom('lower', 'checksum'))
  .map(([b, form]) => (form === 'lower' ? toHex(b) : getAddress(toHex(b))))
const BYTES32: fc.Arbitrary<Hex> = fc
  .uint8Array({ minLength: 32, maxLength: 32 })
  .map((b) => toHex(b))
/** Any code points, astral and lone surrogates included (both sides encode UTF-8 the same way). */
const TEXT = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', 'ETH-PERP', 'é', '名前', '👩‍💻', 'a'.repeat(200)),
)

const ORDER_ARB: fc.Arbitrary<OrderMessage> = fc.record({
  account: ADDRESS,
  venue: ADDRESS,
  instrument: TEXT,
  // the encoder is generic over strings: other sides are hashed like any string
  side: fc.oneof(
    fc.constantFrom<Side>('buy', 'sell'),
    TEXT.map((s) => s as Side),
  ),
  size: UINT,
  limitPrice: UINT,
  nonce: UINT,
  expiry: UINT64,
})

const EXECUTION_ARB: fc.Arbitrary<ExecutionMessage> = fc.record({
  venue: ADDRESS,
  orderHash: BYTES32,
  fillId: TEXT,
  price: UINT,
  size: UINT,
  fee: UINT,
  executedAt: UINT64,
})

/** Every field optional, as EIP-712 allows; chainId a number or a bigint. */
const DOMAIN_ARB: fc.Arbitrary<TypedDataDomain> = fc.record(
  {
    name: TEXT,
    version: TEXT,
    chainId: fc.oneof(fc.integer({ min: 0, max: 2 ** 40 }), UINT256),
    verifyingContract: ADDRESS,
    salt: BYTES32,
  },
  { requiredKeys: [] },
)

describe('orderDigest and executionDigest', () => {
  it('equal viem for a fixed order and execution', () => {
    expect(orderDigest(DOMAIN, ORDER)).toBe(viemOrder(DOMAIN, ORDER))
    expect(executionDigest(DOMAIN, EXECUTION)).toBe(viemExecution(DOMAIN, EXECUTION))
  })

  it('orderHash is the digest the Execution names', () => {
    expect(orderHash(DOMAIN, ORDER)).toBe(EXECUTION.orderHash)
  })

  it('equal viem for random messages and domains (property)', () => {
    fc.assert(
      fc.property(DOMAIN_ARB, ORDER_ARB, EXECUTION_ARB, (domain, order, execution) => {
        expect(orderDigest(domain, order)).toBe(viemOrder(domain, order))
        expect(executionDigest(domain, execution)).toBe(viemExecution(domain, execution))
        const digests = tradingDigests(domain)
        expect(digests.order(order)).toBe(viemOrder(domain, order))
        expect(toHex(digests.executionBytes(execution))).toBe(viemExecution(domain, execution))
      }),
      { numRuns: 300 },
    )
  })

  it('the domain separator is EIP-712 hashStruct of the domain', () => {
    // EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)
    const typeHash = keccak256(
      toHex('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
    )
    const word = (hex: string) => hex.slice(2).padStart(64, '0')
    const expected = keccak256(
      `0x${[
        typeHash,
        keccak256(toHex('xmargin')),
        keccak256(toHex('1')),
        toHex(31337),
        DOMAIN.verifyingContract!,
      ]
        .map(word)
        .join('')}`,
    )
    expect(toHex(domainSeparator(DOMAIN))).toBe(expected)
    expect(tradingDigests(DOMAIN).domainSeparator).toBe(expected)
  })

  it('a domain object changed in place is not hashed with its old separator', () => {
    const domain = { ...DOMAIN }
    const before = orderDigest(domain, ORDER)
    domain.chainId = 1
    expect(orderDigest(domain, ORDER)).not.toBe(before)
    expect(orderDigest(domain, ORDER)).toBe(viemOrder(domain, ORDER))
  })

  it('many distinct instruments (past the memo of hashed strings) still hash right', () => {
    const orders = Array.from({ length: 5_000 }, (_, i) => ({ ...ORDER, instrument: `X${i}-PERP` }))
    const digests = orders.map((o) => orderDigest(DOMAIN, o))
    for (const i of [0, 4_095, 4_096, 4_999]) expect(digests[i]).toBe(viemOrder(DOMAIN, orders[i]!))
    expect(orderDigest(DOMAIN, orders[0]!)).toBe(digests[0])
  })

  it('a field changes the digest', () => {
    const base = orderDigest(DOMAIN, ORDER)
    for (const changed of [
      { ...ORDER, size: ORDER.size + 1n },
      { ...ORDER, side: 'sell' as const },
      { ...ORDER, instrument: 'ETH-PERP ' },
      { ...ORDER, account: ORDER.venue },
    ])
      expect(orderDigest(DOMAIN, changed)).not.toBe(base)
  })
})

describe('values viem would refuse to hash', () => {
  const bad = (order: unknown) => () => orderDigest(DOMAIN, order as OrderMessage)
  const cases: [string, unknown, string][] = [
    ['expiry past uint64', { ...ORDER, expiry: 2n ** 64n }, 'Order.expiry'],
    ['size past uint256', { ...ORDER, size: 2n ** 256n }, 'Order.size'],
    ['negative nonce', { ...ORDER, nonce: -1n }, 'Order.nonce'],
    ['fractional size', { ...ORDER, size: 1.5 }, 'Order.size'],
    ['short address', { ...ORDER, account: '0x1234' }, 'Order.account'],
    ['non-hex address', { ...ORDER, venue: `0x${'g'.repeat(40)}` }, 'Order.venue'],
    ['address without 0x', { ...ORDER, venue: 'a'.repeat(42) }, 'Order.venue'],
    ['missing instrument', { ...ORDER, instrument: undefined }, 'Order.instrument'],
  ]
  it.each(cases)('%s', (_, order, field) => {
    expect(bad(order)).toThrow(InputError)
    expect(bad(order)).toThrow(field)
    expect(() => viemOrder(DOMAIN, order as OrderMessage)).toThrow()
  })

  it('an orderHash that is not 32 bytes', () => {
    const execution = { ...EXECUTION, orderHash: `0x${'ab'.repeat(31)}` as Hex }
    expect(() => executionDigest(DOMAIN, execution)).toThrow('Execution.orderHash')
    expect(() => viemExecution(DOMAIN, execution)).toThrow()
  })

  it('a domain with a chain id past uint256', () => {
    expect(() => orderDigest({ ...DOMAIN, chainId: 2n ** 256n }, ORDER)).toThrow(
      'EIP712Domain.chainId',
    )
  })
})
