/**
 * Epoch routes, public (an epoch holds no trader data): GET /v1/epochs, the
 * committed epochs newest first, and GET /v1/epochs/{n}, one epoch with its
 * whole market table, from which anyone recomputes its market root.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import { z } from '@hono/zod-openapi'
import { getAddress, isAddress, isAddressEqual } from 'viem'
import { type EpochRecord, EpochRefused, type EpochService } from '../../epochs/index.ts'
import { hex32 } from '../../epochs/store.ts'
import { InputError } from '../../errors.ts'
import { errorBody } from '../errors.ts'
import { ErrorBody } from '../schemas.ts'
import { checkSigned, readAuth, type SigningContext } from '../signed.ts'

export interface EpochRoutesOptions {
  readonly epochs: EpochService
  /** Signed reads; without it there is no opening route (the stand-alone margin API). */
  readonly signing?: SigningContext
}

export const DEFAULT_EPOCH_PAGE = 20
export const MAX_EPOCH_PAGE = 100

const EpochSummary = z
  .object({
    number: z.number().int().openapi({ description: 'the hub epoch number' }),
    stateRoot: z.string().openapi({ description: '0x + 64 hex' }),
    marketRoot: z.string(),
    accountCount: z.number().int(),
    unindexedCount: z.number().int().openapi({
      description: 'live accounts left out because the hub had not indexed them yet',
    }),
    postedTx: z.string().nullable(),
    postedAt: z.string().nullable().openapi({ description: 'ISO 8601' }),
  })
  .openapi('EpochSummary')

const EpochPage = z
  .object({
    epochs: z.array(EpochSummary),
    next: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'pass as ?before= for the next page; null on the last' }),
  })
  .openapi('EpochPage')

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

export function summary(r: EpochRecord): z.infer<typeof EpochSummary> {
  return {
    number: Number(r.number),
    stateRoot: hex32(r.stateRoot),
    marketRoot: hex32(r.marketRoot),
    accountCount: r.accountCount,
    unindexedCount: r.unindexedCount,
    postedTx: r.postedTx,
    postedAt: r.postedAt?.toISOString() ?? null,
  }
}

/** A positive whole number of at most 15 digits: an epoch that a JSON number holds exactly. */
function epochNumber(text: string, field: string): bigint {
  if (!/^[1-9][0-9]{0,14}$/.test(text))
    throw new InputError(field, 'out_of_range', `${field} must be an epoch number (1, 2, ...)`)
  return BigInt(text)
}

function pageSize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_EPOCH_PAGE
  if (!/^[0-9]{1,3}$/.test(text) || Number(text) < 1 || Number(text) > MAX_EPOCH_PAGE)
    throw new InputError('limit', 'out_of_range', `limit must be 1 to ${MAX_EPOCH_PAGE}`)
  return Number(text)
}

export function epochRoutes(app: OpenAPIHono, options: EpochRoutesOptions): void {
  // Documented here, read by hand: the errors name the field the way the rest of the API does.
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/epochs',
    summary: 'The committed epochs, newest first',
    request: {
      query: z.object({
        before: z.string().optional().openapi({ description: 'only epochs below this number' }),
        limit: z
          .string()
          .optional()
          .openapi({ description: `1 to ${MAX_EPOCH_PAGE}, default ${DEFAULT_EPOCH_PAGE}` }),
      }),
    },
    responses: {
      200: json(EpochPage, 'a page of epochs'),
      400: json(ErrorBody, 'a bad before or limit, naming it'),
    },
  })
  app.get('/v1/epochs', async (c) => {
    const before = c.req.query('before')
    const limit = pageSize(c.req.query('limit'))
    const records = await options.epochs.list({
      ...(before !== undefined && { before: epochNumber(before, 'before') }),
      limit,
    })
    const last = records.at(-1)
    return c.json({
      epochs: records.map(summary),
      next: records.length === limit && last && last.number > 1n ? Number(last.number) : null,
    })
  })

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/epochs/{n}',
    summary: 'One epoch with its whole market table (MarketTableDocument)',
    request: { params: z.object({ n: z.string().openapi({ param: { name: 'n', in: 'path' } }) }) },
    responses: {
      200: json(EpochSummary.extend({ market: z.record(z.string(), z.unknown()) }), 'the epoch'),
      400: json(ErrorBody, 'n is not an epoch number'),
      404: json(ErrorBody, 'no such epoch'),
    },
  })
  app.get('/v1/epochs/:n', async (c) => {
    const n = epochNumber(c.req.param('n'), 'n')
    const found = await options.epochs.get(n)
    if (!found) return c.json(errorBody('unknown_epoch', `there is no epoch ${n}`, 'n'), 404)
    return c.json({ ...summary(found.record), market: found.market })
  })

  const signing = options.signing
  if (!signing) return
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/v1/accounts/{address}/epochs/{n}/opening',
    summary:
      "The account's leaf in epoch n, opened (every field, salt included) with its Merkle path: what `xmargin audit` checks against the hub's root (signed ReadAccount in X-Xmargin-Auth)",
    request: {
      params: z.object({
        address: z.string().openapi({ param: { name: 'address', in: 'path' } }),
        n: z.string().openapi({ param: { name: 'n', in: 'path' } }),
      }),
    },
    responses: {
      200: {
        description: 'the opening: { epoch, leafIndex, leafHash, opening, siblings, stateRoot }',
      },
      400: json(ErrorBody, 'a bad address, n or auth, naming it'),
      401: json(ErrorBody, 'the signature does not verify'),
      404: json(ErrorBody, 'no such epoch, or the account has no leaf in it'),
    },
  })
  app.get('/v1/accounts/:address/epochs/:n/opening', async (c) => {
    const raw = c.req.param('address')
    if (!isAddress(raw, { strict: false }))
      throw new InputError(
        'address',
        'wrong_type',
        `address must be an account address, got ${raw}`,
      )
    const address = getAddress(raw)
    const n = epochNumber(c.req.param('n'), 'n')
    const request = readAuth(c)
    if (!isAddressEqual(request.message.account, address))
      throw new InputError(
        'auth.message.account',
        'out_of_range',
        `auth.message.account must be ${address}, the account in the path`,
      )
    await checkSigned(request, signing)
    try {
      const o = await options.epochs.opening(address, n)
      return c.json({
        epoch: Number(o.epoch),
        leafIndex: o.leafIndex.toString(),
        leafHash: o.leafHash.toString(),
        opening: o.opening,
        siblings: o.siblings.map(String),
        stateRoot: o.stateRoot.toString(),
      })
    } catch (err) {
      if (!(err instanceof EpochRefused)) throw err
      return c.json(errorBody(err.reason, err.shortMessage, 'n'), 404)
    }
  })
}
