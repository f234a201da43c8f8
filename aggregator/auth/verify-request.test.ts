/** Every refusal of a signed request, each with its code and status class, and nothing changed by one. */
import { type Address, type Hex, zeroAddress } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { DEVNET_TRADER_KEYS } from '../devnet/chains.ts'
import { ForbiddenError, InputError, UnauthenticatedError } from '../errors.ts'
import { MemoryNonces } from './memory-nonces.ts'
import {
  REQUEST_TYPES,
  type RequestMessages,
  type RequestType,
  type SignedRequest,
  xmarginDomain,
} from './typed-data.ts'
import { type Authority, type Delegation, verifyRequest } from './verify-request.ts'

const NOW = 1_800_000_000n
const domain = xmarginDomain(31_001, '0x5FbDB2315678afecb367f032d93F642f64180aa3')
const trader = privateKeyToAccount(DEVNET_TRADER_KEYS[0]!)
const other = privateKeyToAccount(DEVNET_TRADER_KEYS[1]!)
const session = privateKeyToAccount(generatePrivateKey())
const revokedKey = privateKeyToAccount(generatePrivateKey())
const stranger = privateKeyToAccount(generatePrivateKey())
const otherSession = privateKeyToAccount(generatePrivateKey())

const delegation = (key: Address, over: Partial<Delegation> = {}): Delegation => ({
  account: trader.address,
  key,
  scopes: { read: true, trade: false, withdraw: false },
  keyExpiry: NOW + 600n,
  revoked: false,
  ...over,
})

function authority(): Authority {
  const delegations = [
    delegation(session.address),
    delegation(revokedKey.address, { revoked: true }),
    { ...delegation(otherSession.address), account: other.address },
  ]
  const known = new Set(
    [trader, other, session, revokedKey, otherSession].map((a) => a.address.toLowerCase()),
  )
  return {
    delegation: (account, key) =>
      delegations.find(
        (d) =>
          d.account.toLowerCase() === account.toLowerCase() &&
          d.key.toLowerCase() === key.toLowerCase(),
      ),
    isKnown: (address) => known.has(address.toLowerCase()),
  }
}

type Signer = typeof trader

async function signed<T extends RequestType>(
  type: T,
  message: RequestMessages[T],
  by: Signer,
): Promise<SignedRequest<T>> {
  // A generic primaryType is beyond viem's inference: the call is checked at run time by recovery.
  const signature = await by.signTypedData({
    domain,
    types: REQUEST_TYPES,
    primaryType: type,
    message,
  } as never)
  return { type, message, signer: by.address, signature }
}

const read = (over: Partial<RequestMessages['ReadAccount']> = {}) => ({
  account: trader.address,
  nonce: 1n,
  expiry: NOW + 60n,
  ...over,
})
const withdraw = (): RequestMessages['Withdraw'] => ({
  ...read(),
  chain: 23,
  token: zeroAddress,
  amount: 10n ** 6n,
})

describe('verifyRequest', () => {
  it.each([
    { name: 'the account itself', by: trader, delegated: false },
    { name: 'a key it delegated read to', by: session, delegated: true },
  ])('accepts a read signed by $name', async ({ by, delegated }) => {
    const nonces = new MemoryNonces()
    const verified = await verifyRequest(await signed('ReadAccount', read(), by), {
      domain,
      authority: authority(),
      nonces,
      now: NOW,
    })
    expect(verified).toEqual({ account: trader.address, signer: by.address, delegated })
  })

  const cases: {
    name: string
    make: () => Promise<SignedRequest>
    error: typeof UnauthenticatedError | typeof ForbiddenError | typeof InputError
    code: string
  }[] = [
    {
      name: 'a field changed after signing',
      make: async () => ({
        ...(await signed('Withdraw', withdraw(), trader)),
        message: { ...withdraw(), amount: 10n ** 9n },
      }),
      error: UnauthenticatedError,
      code: 'tampered',
    },
    {
      name: 'a signature another key made, naming the account as signer',
      make: async () => ({
        ...(await signed('ReadAccount', read(), other)),
        signer: trader.address,
      }),
      error: UnauthenticatedError,
      code: 'tampered',
    },
    {
      name: 'a signature for another deployment (domain)',
      make: async () => {
        const r = await signed('ReadAccount', read(), trader)
        const sig = await trader.signTypedData({
          domain: { ...domain, chainId: 1 },
          types: REQUEST_TYPES,
          primaryType: 'ReadAccount',
          message: read(),
        })
        return { ...r, signature: sig }
      },
      error: UnauthenticatedError,
      code: 'tampered',
    },
    {
      name: 'malformed signature bytes',
      make: async () => ({
        ...(await signed('ReadAccount', read(), trader)),
        signature: '0x1234' as Hex,
      }),
      error: UnauthenticatedError,
      code: 'bad_signature',
    },
    {
      name: 'another account signing for this one',
      make: () => signed('ReadAccount', read(), other),
      error: ForbiddenError,
      code: 'wrong_signer',
    },
    {
      name: "another account's delegated key",
      make: () => signed('ReadAccount', read(), otherSession),
      error: ForbiddenError,
      code: 'wrong_signer',
    },
    {
      name: 'a key nobody delegated',
      make: () => signed('ReadAccount', read(), stranger),
      error: UnauthenticatedError,
      code: 'unknown_key',
    },
    {
      name: 'a revoked key',
      make: () => signed('ReadAccount', read(), revokedKey),
      error: ForbiddenError,
      code: 'key_revoked',
    },
    {
      name: 'a delegated key without the withdraw scope',
      make: () => signed('Withdraw', withdraw(), session),
      error: ForbiddenError,
      code: 'scope_missing',
    },
    {
      name: 'a delegated key delegating further',
      make: () =>
        signed(
          'Delegate',
          {
            ...read(),
            key: stranger.address,
            read: true,
            trade: true,
            withdraw: true,
            keyExpiry: NOW + 60n,
          },
          session,
        ),
      error: ForbiddenError,
      code: 'scope_missing',
    },
    {
      name: 'an expired request',
      make: () => signed('ReadAccount', read({ expiry: NOW }), trader),
      error: UnauthenticatedError,
      code: 'expired',
    },
    {
      name: 'an expiry too far ahead to keep its nonce',
      make: () => signed('ReadAccount', read({ expiry: NOW + 3601n }), trader),
      error: InputError,
      code: 'out_of_range',
    },
  ]

  it.each(cases)('refuses $name: $code', async ({ make, error, code }) => {
    const nonces = new MemoryNonces()
    const request = await make()
    const context = { domain, authority: authority(), nonces, now: NOW }
    const refusal = await verifyRequest(request, context).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(refusal).toBeInstanceOf(error)
    expect((refusal as { code: string }).code).toBe(code)
    // A refused request does not burn its nonce.
    expect(await nonces.claim(request.message.account, request.message.nonce, NOW + 60n)).toBe(true)
  })

  it('refuses a replay, whoever signed the first use of the nonce', async () => {
    const nonces = new MemoryNonces()
    const context = { domain, authority: authority(), nonces, now: NOW }
    await verifyRequest(await signed('ReadAccount', read(), trader), context)
    for (const by of [trader, session]) {
      await expect(verifyRequest(await signed('ReadAccount', read(), by), context)).rejects.toThrow(
        expect.objectContaining({ code: 'replayed' }),
      )
    }
    const fresh = await signed('ReadAccount', read({ nonce: 2n }), session)
    await expect(verifyRequest(fresh, context)).resolves.toMatchObject({ delegated: true })
  })

  it('refuses a key whose delegation expired', async () => {
    const context = { domain, authority: authority(), nonces: new MemoryNonces(), now: NOW + 600n }
    const request = await signed('ReadAccount', read({ expiry: NOW + 660n }), session)
    await expect(verifyRequest(request, context)).rejects.toThrow(
      expect.objectContaining({ code: 'key_expired' }),
    )
  })
})
