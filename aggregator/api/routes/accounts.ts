/**
 * Account routes: the signed account view, withdrawals, delegated keys and
 * the account's live stream (Server-Sent Events: a snapshot with its seq,
 * then each event with its seq as the SSE id; Last-Event-ID resumes after it
 * with no gap and no repeat; a heartbeat comment keeps proxies from closing).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { type Address, getAddress, isAddressEqual } from 'viem'
import type { Recorded } from '../../accounts/events.ts'
import { encodeEvent } from '../../accounts/events.ts'
import type { AccountService } from '../../accounts/index.ts'
import { WithdrawalRefused } from '../../accounts/index.ts'
import { InputError, UnavailableError } from '../../errors.ts'
import { errorBody } from '../errors.ts'
import {
  AccountView,
  Address as AddressSchema,
  ErrorBody,
  SignedDelegate,
  SignedRevoke,
  SignedWithdraw,
  WithdrawalView,
} from '../schemas.ts'
import { checkSigned, readAuth, readEnvelope, type SigningContext } from '../signed.ts'

export interface AccountRoutesOptions {
  readonly accounts: AccountService
  readonly signing: SigningContext
  /** Between heartbeat comments on an idle stream. */
  readonly heartbeatMs?: number
  /** Streams open at once, over all clients; more get 503. */
  readonly maxStreams?: number
}

const errors = {
  400: {
    description: 'bad input, naming the field',
    content: { 'application/json': { schema: ErrorBody } },
  },
  401: {
    description: 'not signed, altered, expired, replayed or unknown key',
    content: { 'application/json': { schema: ErrorBody } },
  },
  403: {
    description: 'the signer has no authority for this',
    content: { 'application/json': { schema: ErrorBody } },
  },
}

const AuthQuery = z.object({
  auth: z.string().optional().openapi({
    description:
      'base64url JSON of a SignedReadAccount, where the X-Xmargin-Auth header cannot be set',
  }),
})
const AddressParam = z.object({
  address: AddressSchema.openapi({ param: { name: 'address', in: 'path' } }),
})

const viewRoute = createRoute({
  method: 'get',
  path: '/v1/accounts/{address}',
  summary:
    'The account: collateral per chain and token, the XM-1 report on the live state, withdrawals',
  request: { params: AddressParam, query: AuthQuery },
  responses: {
    200: { description: 'the account', content: { 'application/json': { schema: AccountView } } },
    ...errors,
  },
})

const streamRoute = createRoute({
  method: 'get',
  path: '/v1/accounts/{address}/stream',
  summary: 'The account live: a snapshot, then each event (SSE; resume with Last-Event-ID)',
  request: { params: AddressParam, query: AuthQuery },
  responses: { 200: { description: 'text/event-stream' }, ...errors },
})

const body = <T extends z.ZodTypeAny>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

const withdrawRoute = createRoute({
  method: 'post',
  path: '/v1/withdrawals',
  summary: 'Withdraw collateral: checked against the live account (E7), then approved on the hub',
  request: { body: body(SignedWithdraw) },
  responses: {
    202: {
      description: 'recorded; follow its status on the account',
      content: { 'application/json': { schema: WithdrawalView } },
    },
    422: {
      description:
        'more than can be withdrawn now (error.allowed: base units), or stale_price: an underlying the account is exposed to is not priced well now',
      content: { 'application/json': { schema: ErrorBody } },
    },
    ...errors,
  },
})

const delegateRoute = createRoute({
  method: 'post',
  path: '/v1/keys',
  summary: 'Delegate a key (signed by the account itself)',
  request: { body: body(SignedDelegate) },
  responses: { 204: { description: 'delegated' }, ...errors },
})

const revokeRoute = createRoute({
  method: 'post',
  path: '/v1/keys/revoke',
  summary: 'Revoke a delegated key for good (signed by the account itself)',
  request: { body: body(SignedRevoke) },
  responses: { 204: { description: 'revoked' }, ...errors },
})

/** The message field each withdrawal refusal is about. */
const REFUSED_FIELD: Record<WithdrawalRefused['reason'], string> = {
  exceeds_withdrawable: 'message.amount',
  zero_amount: 'message.amount',
  unknown_chain: 'message.chain',
  unknown_token: 'message.token',
  stale_price: 'message.token',
}

export function accountRoutes(app: OpenAPIHono, options: AccountRoutesOptions): void {
  const { accounts, signing } = options
  let streams = 0

  const signedRead = async (
    c: Context,
  ): Promise<{ account: Address; signer: Address; delegated: boolean }> => {
    const address = getAddress(c.req.param('address')!)
    const request = readAuth(c)
    if (!isAddressEqual(request.message.account, address)) {
      throw new InputError(
        'auth.message.account',
        'out_of_range',
        `auth.message.account must be ${address}, the account in the path`,
      )
    }
    const verified = await checkSigned(request, signing)
    return { ...verified, account: address }
  }

  app.openapi(viewRoute, async (c) =>
    c.json((await accounts.view((await signedRead(c)).account)) as never, 200),
  )

  app.openapi(withdrawRoute, async (c) => {
    const request = readEnvelope('Withdraw', await c.req.text())
    await checkSigned(request, signing)
    try {
      return c.json((await accounts.withdraw(request.message)) as never, 202)
    } catch (err) {
      if (!(err instanceof WithdrawalRefused)) throw err
      const status =
        err.reason === 'exceeds_withdrawable' || err.reason === 'stale_price' ? 422 : 400
      const e = errorBody(err.code, err.shortMessage, REFUSED_FIELD[err.reason])
      return c.json(
        { error: { ...e.error, allowed: err.allowed?.toString() ?? null } } as never,
        status,
      )
    }
  })

  app.openapi(delegateRoute, async (c) => {
    const request = readEnvelope('Delegate', await c.req.text())
    await checkSigned(request, signing)
    await accounts.delegate(request.message)
    return c.body(null, 204)
  })

  app.openapi(revokeRoute, async (c) => {
    const request = readEnvelope('Revoke', await c.req.text())
    await checkSigned(request, signing)
    await accounts.revoke(request.message)
    return c.body(null, 204)
  })

  app.openapi(streamRoute, async (c) => {
    const { account, signer, delegated } = await signedRead(c)
    if (streams >= (options.maxStreams ?? 1000)) {
      throw new UnavailableError('overloaded', 'too many open streams; retry later', 5)
    }
    const resumeFrom = lastEventId(c)
    streams++
    return streamSSE(c, async (stream) => {
      const pending: Recorded[] = []
      let wake: (() => void) | undefined
      let closed = false
      const unsubscribe = accounts.subscribe((r) => {
        if (!isAddressEqual(r.event.account, account)) return
        pending.push(r)
        // A stream a delegated key opened ends when the account revokes that key.
        const revoked = r.event.kind === 'key_revoked' && isAddressEqual(r.event.key, signer)
        if (delegated && revoked) closed = true
        wake?.()
      })
      stream.onAbort(() => {
        closed = true
        wake?.()
      })
      try {
        let sent: bigint
        if (resumeFrom === undefined) {
          const view = await accounts.view(account)
          sent = BigInt(view.seq)
          await stream.writeSSE({ event: 'snapshot', id: view.seq, data: JSON.stringify(view) })
        } else {
          sent = resumeFrom
          for (const r of await accounts.eventsSince(account, resumeFrom))
            sent = await send(stream, r)
        }
        const heartbeatMs = options.heartbeatMs ?? 15_000
        while (!closed) {
          while (pending.length > 0) {
            const r = pending.shift()!
            if (r.seq > sent) sent = await send(stream, r)
          }
          const beat = await new Promise<boolean>((resolve) => {
            wake = () => resolve(false)
            setTimeout(() => resolve(true), heartbeatMs).unref()
          })
          wake = undefined
          if (beat && !closed) await stream.write(': heartbeat\n\n')
        }
      } finally {
        unsubscribe()
        streams--
      }
    }) as never
  })
}

async function send(
  stream: { writeSSE(m: { event: string; id: string; data: string }): Promise<void> },
  r: Recorded,
): Promise<bigint> {
  await stream.writeSSE({ event: 'event', id: r.seq.toString(), data: encodeEvent(r.event) })
  return r.seq
}

function lastEventId(c: Context): bigint | undefined {
  const raw = c.req.header('last-event-id') ?? c.req.query('lastEventId')
  if (raw === undefined) return undefined
  if (!/^\d{1,19}$/.test(raw))
    throw new InputError(
      'Last-Event-ID',
      'wrong_type',
      'Last-Event-ID must be a seq from this stream',
    )
  return BigInt(raw)
}
