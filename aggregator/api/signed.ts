/**
 * Signed requests at the HTTP edge: the envelope read from a body (POST) or
 * from the X-Xmargin-Auth header or `auth` query parameter (GET, base64url
 * JSON), validated with its schema, turned into the typed message and checked
 * by aggregator/auth. Nothing here decides authority; it only carries.
 */
import type { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { Address, Hex, TypedDataDomain } from 'viem'
import type { RequestMessages, RequestType, SignedRequest } from '../auth/typed-data.ts'
import {
  type Authority,
  type NonceLedger,
  type Verified,
  verifyRequest,
} from '../auth/verify-request.ts'
import { InputError } from '../errors.ts'
import { parseJsonText } from '../risk/json-text.ts'
import {
  SignedDelegate,
  SignedProofRequest,
  SignedRead,
  SignedRevoke,
  SignedWithdraw,
} from './schemas.ts'

export interface SigningContext {
  readonly domain: TypedDataDomain
  readonly authority: Authority
  readonly nonces: NonceLedger
  readonly now: () => bigint
}

const SCHEMAS = {
  ReadAccount: SignedRead,
  Withdraw: SignedWithdraw,
  Delegate: SignedDelegate,
  Revoke: SignedRevoke,
  ProofRequest: SignedProofRequest,
} as const

/** Parse and validate an envelope of `type` from JSON text; InputError names the field. */
export function readEnvelope<T extends RequestType>(
  type: T,
  text: string,
  root = '',
): SignedRequest<T> {
  const json = parseJsonText(text, { root, label: root || 'body' })
  const parsed = SCHEMAS[type].safeParse(json)
  if (!parsed.success) throw zodInputError(parsed.error, root)
  const { message, signer, signature } = parsed.data as {
    message: Record<string, unknown>
    signer: Address
    signature: Hex
  }
  return { type, message: typedMessage(type, message), signer, signature }
}

/** The GET form: base64url JSON in X-Xmargin-Auth, or `auth` where headers cannot be set. */
export function readAuth(c: Context): SignedRequest<'ReadAccount'> {
  const token = c.req.header('x-xmargin-auth') ?? c.req.query('auth')
  if (!token) {
    throw new InputError(
      'auth',
      'missing_field',
      'a signed ReadAccount is required (X-Xmargin-Auth header or auth query parameter)',
    )
  }
  if (token.length > 4096 || !/^[A-Za-z0-9_-]+={0,2}$/.test(token)) {
    throw new InputError(
      'auth',
      'wrong_type',
      'auth must be base64url JSON of at most 4096 characters',
    )
  }
  return readEnvelope('ReadAccount', Buffer.from(token, 'base64url').toString('utf8'), 'auth')
}

export function checkSigned(request: SignedRequest, context: SigningContext): Promise<Verified> {
  return verifyRequest(request, { ...context, now: context.now() })
}

function typedMessage<T extends RequestType>(
  type: T,
  m: Record<string, unknown>,
): RequestMessages[T] {
  const big = (k: string) => BigInt(m[k] as string | number)
  const common = { account: m['account'] as Address, nonce: big('nonce'), expiry: big('expiry') }
  switch (type) {
    case 'ReadAccount':
      return common as RequestMessages[T]
    case 'Withdraw':
      return {
        ...common,
        chain: m['chain'] as number,
        token: m['token'] as Address,
        amount: big('amount'),
      } as RequestMessages[T]
    case 'Delegate':
      return {
        ...common,
        key: m['key'] as Address,
        read: m['read'] as boolean,
        trade: m['trade'] as boolean,
        withdraw: m['withdraw'] as boolean,
        keyExpiry: big('keyExpiry'),
      } as RequestMessages[T]
    case 'ProofRequest':
      return { ...common, chain: m['chain'] as string } as RequestMessages[T]
    default:
      return { ...common, key: m['key'] as Address } as RequestMessages[T]
  }
}

/** The first zod issue as the project's InputError, naming the field by its dotted path. */
export function zodInputError(error: z.ZodError, root = ''): InputError {
  const issue = error.issues[0]!
  const segments = [
    ...(root ? [root] : []),
    ...issue.path.map(String),
    ...(issue.code === 'unrecognized_keys' ? [issue.keys[0]!] : []),
  ]
  const field = segments.reduce(
    (path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s),
    '',
  )
  const where = field || 'body'
  const rule =
    issue.code === 'unrecognized_keys'
      ? 'unknown_field'
      : issue.code === 'invalid_type' && issue.input === undefined
        ? 'missing_field'
        : 'wrong_type'
  const what = rule === 'unknown_field' ? 'is not a known field' : issue.message
  return new InputError(where, rule, `${where}: ${what}`)
}
