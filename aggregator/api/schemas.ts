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
export const ProofRequestMessage = z
  .object({
    ...base,
    chain: z.string().max(64).openapi({
      description: "the chain whose SolvencyRegistry gets the proof, by name; '' for none",
    }),
  })
  .strict()

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
export const SignedProofRequest = envelope(ProofRequestMessage, 'SignedProofRequest')

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

export const PositionLine = z.object({
  chain: z.string(),
  instrument: z.string().openapi({ example: 'ETH-PERP' }),
  quantity: z.string().openapi({ description: 'units of the underlying, signed, exact' }),
  entryPrice: z.number().nullable(),
})

export const AccountView = z
  .object({
    account: Address,
    seq: z.string(),
    cash: z.number().openapi({ description: 'USD: premiums, realised PnL, fees, funding' }),
    positions: z.array(PositionLine),
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

/** Unix seconds as a JSON number or a decimal string (trading messages carry it as uint64). */
const Seconds = z.union([UnixSeconds, z.string().regex(/^(0|[1-9]\d{0,14})$/, 'unix seconds')])

export const OrderMessage = z
  .object({
    account: Address,
    venue: Address,
    instrument: z.string().min(1).max(64).openapi({ example: 'ETH-PERP' }),
    side: z.enum(['buy', 'sell']),
    size: Uint.openapi({ description: '1e-8 units of the underlying' }),
    limitPrice: Uint.openapi({ description: '1e-6 USD per unit' }),
    nonce: Uint,
    expiry: Seconds,
  })
  .strict()

export const ExecutionMessage = z
  .object({
    venue: Address,
    orderHash: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'a 32-byte hex digest'),
    fillId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    price: Uint.openapi({ description: '1e-6 USD per unit' }),
    size: Uint.openapi({ description: '1e-8 units' }),
    fee: Uint.openapi({ description: '1e-6 USD' }),
    executedAt: Seconds,
  })
  .strict()

export const FillSubmission = z
  .object({
    order: envelope(OrderMessage, 'SignedOrder'),
    execution: z
      .object({ message: ExecutionMessage, signature: Hex })
      .strict()
      .openapi('SignedExecution'),
  })
  .strict()
  .openapi('FillSubmission')

export const MarginMoment = z.object({
  equity: z.number(),
  initialMargin: z.number(),
  maintenanceMargin: z.number(),
  status: z.enum(['healthy', 'restricted', 'liquidatable', 'bankrupt']),
})

export const FillAccepted = z
  .object({
    fill: z.object({
      fillId: z.string(),
      venue: z.string(),
      chain: z.string(),
      account: Address,
      instrument: z.string(),
      side: z.enum(['buy', 'sell']),
      size: Uint,
      price: Uint,
      fee: Uint,
      executedAt: z.number(),
      seq: z.string(),
    }),
    margin: MarginMoment,
  })
  .openapi('FillAccepted')

export const OperatorPrice = z
  .object({
    underlying: z.string().min(1).max(16),
    move: z.number().gt(-1).lt(100).optional(),
    set: z.number().positive().max(1e12).optional(),
  })
  .strict()

export const ProofJob = z
  .object({
    id: z.string(),
    state: z.enum(['queued', 'proving', 'done', 'failed']),
    account: Address,
    epoch: Uint,
    chain: z.string().openapi({ description: "where the proof is posted; '' for nowhere" }),
    proof: z
      .object({})
      .passthrough()
      .optional()
      .openapi({ description: 'the proof file, as `xmargin verify` reads it (done)' }),
    txHash: Hex.optional().openapi({ description: 'the posting transaction (done, with a chain)' }),
    error: z.string().optional().openapi({ description: 'why it failed (failed)' }),
    attempts: z.number().int(),
  })
  .openapi('ProofJob')
