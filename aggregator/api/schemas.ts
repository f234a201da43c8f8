/**
 * The request and response schemas of the /v1 API (zod, via @hono/zod-openapi):
 * the handlers validate with them and /v1/openapi.json is generated from
 * them, so the document cannot drift from what the server accepts.
 */
import { z } from '@hono/zod-openapi'

export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address')
  .openapi({ example: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' })

export const Hex = z.string().regex(/^0x([0-9a-fA-F]{2})*$/, 'hex bytes')

/** A uint256 as a decimal string: JSON numbers lose digits past 2^53. */
export const Uint = z
  .string()
  .regex(/^(0|[1-9]\d{0,77})$/, 'a whole number as a decimal string')
  // zod runs a refinement even after the regex failed: never parse what the regex refused.
  .refine((s) => !/^\d+$/.test(s) || BigInt(s) < 2n ** 256n, 'below 2^256')
  .openapi({ example: '2500000000' })

const UnixSeconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 53 - 1)

const base = { account: Address, nonce: Uint, expiry: UnixSeconds }

export const ReadAccountMessage = z.object(base).strict()
export const WithdrawMessage = z
  .object({
    ...base,
    chain: z.number().int().min(0).max(65_535).openapi({ description: 'Wormhole chain id' }),
    token: Address,
    amount: Uint.openapi({ description: 'base units of the token' }),
  })
  .strict()
export const DelegateMessage = z
  .object({
    ...base,
    key: Address,
    read: z.boolean(),
    trade: z.boolean(),
    withdraw: z.boolean(),
    keyExpiry: UnixSeconds,
  })
  .strict()
export const RevokeMessage = z.object({ ...base, key: Address }).strict()

export function envelope<T extends z.ZodTypeAny>(message: T, name: string) {
  return z
    .object({ message, signer: Address, signature: Hex })
    .strict()
    .openapi(name, { description: 'An EIP-712 signed request (aggregator/auth/README.md)' })
}

export const SignedRead = envelope(ReadAccountMessage, 'SignedReadAccount')
export const SignedWithdraw = envelope(WithdrawMessage, 'SignedWithdraw')
export const SignedDelegate = envelope(DelegateMessage, 'SignedDelegate')
export const SignedRevoke = envelope(RevokeMessage, 'SignedRevoke')

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      field: z.string().nullable(),
    }),
  })
  .openapi('Error')

export const WithdrawalView = z
  .object({
    id: z.string(),
    chain: z.string(),
    token: Address,
    amount: Uint,
    status: z.enum(['requested', 'approved', 'paid', 'failed', 'expired', 'rejected']),
    requestedAt: z.number(),
    payoutId: z.string().nullable(),
    expiry: z.number().nullable(),
    hubTx: z.string().nullable(),
    paidTx: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('Withdrawal')

export const CollateralLine = z.object({
  chain: z.string(),
  token: Address,
  asset: z.string(),
  decimals: z.number(),
  credited: Uint,
  onHub: Uint.nullable(),
  reserved: Uint,
  valueUsd: z.number(),
  withdrawable: Uint,
})

export const AccountView = z
  .object({
    account: Address,
    seq: z.string(),
    collateral: z.array(CollateralLine),
    margin: z
      .record(z.string(), z.unknown())
      .openapi({ description: 'the XM-1 report (POST /v1/margin)' }),
    withdrawals: z.array(WithdrawalView),
  })
  .openapi('Account')

export const MarginRequest = z
  .object({ market: z.unknown(), params: z.unknown(), portfolio: z.unknown() })
  .openapi('MarginRequest', { description: 'the three XM-1 documents (spec section 2)' })
