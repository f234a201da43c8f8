/**
 * The TypeScript payload codec against the Solidity one (XMarginPayloads via
 * PayloadHarness, on a real anvil chain): same bytes out, same fields back.
 */
import fc from 'fast-check'
import { type Address, getAddress, type Hex, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChainClients, chainClients, deployContract } from '../aggregator/chain/clients.ts'
import { type Anvil, freePort, startAnvil } from '../aggregator/devnet/anvil.ts'
import { DEVNET_DEPLOYER_KEY } from '../aggregator/devnet/chains.ts'
import { PayloadHarness } from '../build/contracts/artifacts.ts'
import { revertOf } from '../test/helpers/devnet-fixture.ts'
import {
  ACCOUNT_INDICES_HEADER,
  decodePayload,
  encodePayload,
  MAX_ACCOUNT_INDICES,
  PAYLOAD_LENGTH,
  PayloadError,
  type WithdrawalApproval,
  type XMarginPayload,
} from './payloads.ts'

let anvil: Anvil
let c: ChainClients
let harness: Address
beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort(), chainId: 31_337 })
  c = chainClients(anvil.rpcUrl, 31_337, DEVNET_DEPLOYER_KEY)
  harness = (await deployContract(c, PayloadHarness)).address
}, 30_000)
afterAll(async () => {
  await anvil?.stop()
})

const uint = (bits: number) => fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => getAddress(toHex(b)))
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b))
const chain = fc.integer({ min: 0, max: 65_535 })

const payout = fc.record({
  targetChain: chain,
  vault: address,
  id: uint(64),
  account: address,
  token: address,
  amount: uint(256),
  expiry: uint(64),
})

const PAYOUT_ACTIONS = ['withdrawal', 'seizure', 'expired', 'insufficientBalance'] as const
/** A deposit names no payout (id 0); every other action names one (id >= 1). */
const actionAndId = fc.oneof(
  fc.record({ action: fc.constant('deposit' as const), payoutId: fc.constant(0n) }),
  fc.record({
    action: fc.constantFrom(...PAYOUT_ACTIONS),
    payoutId: fc.bigInt({ min: 1n, max: (1n << 64n) - 1n }),
  }),
)

const PAYLOAD: fc.Arbitrary<XMarginPayload> = fc.oneof(
  fc
    .record({
      kind: fc.constant('collateralUpdate' as const),
      chain,
      account: address,
      token: address,
      amount: uint(256),
      balance: uint(256),
      settles: actionAndId,
    })
    .map(({ settles, ...u }): XMarginPayload => ({ ...u, ...settles })),
  fc.record({
    kind: fc.constant('epochRoot' as const),
    epoch: uint(64),
    stateRoot: bytes32,
    marketRoot: bytes32,
    postedAt: uint(64),
  }),
  fc.record({
    kind: fc.constant('accountIndices' as const),
    first: uint(64),
    accountIdHashes: fc.array(bytes32, { minLength: 1, maxLength: MAX_ACCOUNT_INDICES }),
  }),
  payout.map((p): WithdrawalApproval => ({ kind: 'withdrawalApproval', ...p })),
  fc.record({ p: payout, recipient: address, epoch: uint(64) }).map(
    ({ p, recipient, epoch }): XMarginPayload => ({
      kind: 'liquidation',
      ...p,
      recipient,
      epoch,
    }),
  ),
)

const ACTIONS = ['', 'deposit', ...PAYOUT_ACTIONS] as const

/** What the Solidity decoder reads from `bytes`, in the TypeScript shape. */
async function solidityDecode(kind: XMarginPayload['kind'], bytes: Hex): Promise<XMarginPayload> {
  const read = c.public.readContract
  if (kind === 'collateralUpdate') {
    const u = await read({
      address: harness,
      abi: PayloadHarness.abi,
      functionName: 'decodeCollateralUpdate',
      args: [bytes],
    })
    return { kind, ...u, action: ACTIONS[u.action] as 'deposit' }
  }
  if (kind === 'epochRoot') {
    return {
      kind,
      ...(await read({
        address: harness,
        abi: PayloadHarness.abi,
        functionName: 'decodeEpochRoot',
        args: [bytes],
      })),
    }
  }
  if (kind === 'accountIndices') {
    const a = await read({
      address: harness,
      abi: PayloadHarness.abi,
      functionName: 'decodeAccountIndices',
      args: [bytes],
    })
    return { kind, first: a.first, accountIdHashes: [...a.accountIdHashes] }
  }
  const [code, o] = await read({
    address: harness,
    abi: PayloadHarness.abi,
    functionName: 'decodePayout',
    args: [bytes],
  })
  const base = {
    targetChain: o.targetChain,
    vault: o.vault,
    id: o.id,
    account: o.account,
    token: o.token,
    amount: o.amount,
    expiry: o.expiry,
  }
  return code === 4
    ? { kind: 'liquidation', ...base, recipient: o.recipient, epoch: o.epoch }
    : { kind: 'withdrawalApproval', ...base }
}

async function solidityEncode(p: XMarginPayload): Promise<Hex> {
  const read = c.public.readContract
  const abi = PayloadHarness.abi
  switch (p.kind) {
    case 'collateralUpdate':
      return read({
        address: harness,
        abi,
        functionName: 'encodeCollateralUpdate',
        args: [{ ...p, action: ACTIONS.indexOf(p.action) }],
      })
    case 'epochRoot':
      return read({ address: harness, abi, functionName: 'encodeEpochRoot', args: [p] })
    case 'accountIndices':
      return read({
        address: harness,
        abi,
        functionName: 'encodeAccountIndices',
        args: [{ first: p.first, accountIdHashes: [...p.accountIdHashes] }],
      })
    case 'withdrawalApproval':
      return read({
        address: harness,
        abi,
        functionName: 'encodeWithdrawalApproval',
        args: [{ ...p, recipient: p.account, epoch: 0n }],
      })
    case 'liquidation':
      return read({ address: harness, abi, functionName: 'encodeLiquidation', args: [p] })
  }
}

/** A collateral update's bytes with another action code and payout id, as a careless vault might write them. */
const updateBytes = (action: number, payoutId: bigint): Hex => {
  const good = encodePayload({
    kind: 'collateralUpdate',
    action: 'deposit',
    chain: 2,
    account: getAddress(`0x${'11'.repeat(20)}`),
    token: getAddress(`0x${'22'.repeat(20)}`),
    amount: 5n,
    balance: 5n,
    payoutId: 0n,
  })
  return `0x${good.slice(2, 6)}${toHex(action, { size: 1 }).slice(2)}${good.slice(8, -16)}${toHex(payoutId, { size: 8 }).slice(2)}`
}

describe('payload codec', () => {
  it('TypeScript decode(encode(p)) = p', () => {
    fc.assert(
      fc.property(PAYLOAD, (p) => {
        expect(decodePayload(encodePayload(p))).toEqual(p)
      }),
      { numRuns: 500 },
    )
  })

  it('the Solidity decoder reads what the TypeScript encoder wrote', async () => {
    await fc.assert(
      fc.asyncProperty(PAYLOAD, async (p) => {
        const bytes = encodePayload(p)
        expect((bytes.length - 2) / 2).toBe(
          p.kind === 'accountIndices'
            ? ACCOUNT_INDICES_HEADER + 32 * p.accountIdHashes.length
            : PAYLOAD_LENGTH[p.kind],
        )
        expect(await solidityDecode(p.kind, bytes)).toEqual(p)
      }),
      { numRuns: 120 },
    )
  })

  it('the Solidity encoder writes the same bytes as the TypeScript one', async () => {
    await fc.assert(
      fc.asyncProperty(PAYLOAD, async (p) => {
        expect(await solidityEncode(p)).toBe(encodePayload(p))
      }),
      { numRuns: 120 },
    )
  })

  it.each([
    { name: 'a deposit that names a payout', action: 1, payoutId: 7n },
    { name: 'a paid withdrawal that names none', action: 2, payoutId: 0n },
    { name: 'a refusal that names none', action: 4, payoutId: 0n },
    { name: 'an unknown action', action: 6, payoutId: 7n },
    { name: 'action 0', action: 0, payoutId: 0n },
  ])('both reject a collateral update: $name', async ({ action, payoutId }) => {
    // the helper writes well-formed bytes when asked to
    expect(decodePayload(updateBytes(5, 9n))).toMatchObject({ action: 'insufficientBalance' })
    const bad = updateBytes(action, payoutId)
    expect(() => decodePayload(bad)).toThrow(PayloadError)
    const call = c.public.readContract({
      address: harness,
      abi: PayloadHarness.abi,
      functionName: 'decodeCollateralUpdate',
      args: [bad],
    })
    expect(await revertOf(call)).toBe('MalformedPayload')
  })

  it.each([
    { name: 'no hashes', count: 0, hashes: 0 },
    { name: 'more hashes than the count says', count: 1, hashes: 2 },
    { name: 'more than 32', count: 33, hashes: 33 },
  ])('both reject account indices with $name', async ({ count, hashes }) => {
    const bad: Hex = `0x0205${'00'.repeat(8)}${toHex(count, { size: 1 }).slice(2)}${'ab'.repeat(32 * hashes)}`
    expect(() => decodePayload(bad)).toThrow(PayloadError)
    const call = c.public.readContract({
      address: harness,
      abi: PayloadHarness.abi,
      functionName: 'decodeAccountIndices',
      args: [bad],
    })
    expect(await revertOf(call)).toBe('MalformedPayload')
  })

  it('both reject a payload with a wrong version, kind or length', async () => {
    await fc.assert(
      fc.asyncProperty(
        PAYLOAD,
        fc.constantFrom('version', 'kind', 'longer', 'shorter'),
        async (p, damage) => {
          const good = encodePayload(p)
          const bad: Hex =
            damage === 'version'
              ? `0x01${good.slice(4)}`
              : damage === 'kind'
                ? `0x0109${good.slice(6)}`
                : damage === 'longer'
                  ? `${good}00`
                  : (good.slice(0, -2) as Hex)
          expect(() => decodePayload(bad)).toThrow(PayloadError)
          const call = c.public.readContract({
            address: harness,
            abi: PayloadHarness.abi,
            functionName: 'decodeEpochRoot',
            args: [bad],
          })
          expect(await revertOf(call)).toBe('MalformedPayload')
        },
      ),
      { numRuns: 40 },
    )
  })
})
