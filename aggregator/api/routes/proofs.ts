/**
 * Proof routes: POST /v1/proofs (signed by the account: queue a solvency
 * proof of it in the latest epoch, optionally posted to a chain's
 * SolvencyRegistry) and GET /v1/proofs/{id} (public: a proof reveals only
 * what its public signals reveal, and an id names one job, so no one lists
 * another account's jobs).
 */
import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import { ProofRefused, type ProofService } from '../../proofs/index.ts'
import { errorBody } from '../errors.ts'
import { ErrorBody, ProofJob, SignedProofRequest } from '../schemas.ts'
import { checkSigned, readEnvelope, type SigningContext } from '../signed.ts'

export interface ProofRoutesOptions {
  readonly proofs: ProofService
  readonly signing: SigningContext
}

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

const requestRoute = createRoute({
  method: 'post',
  path: '/v1/proofs',
  summary:
    'Queue a solvency proof of the account in the latest epoch (signed ProofRequest); follow it with GET /v1/proofs/{id}',
  request: {
    body: { content: { 'application/json': { schema: SignedProofRequest } }, required: true },
  },
  responses: {
    202: json(ProofJob, 'queued'),
    400: json(ErrorBody, 'bad input, naming the field (an unknown chain: message.chain)'),
    401: json(ErrorBody, 'not signed, altered, expired, replayed or unknown key'),
    403: json(ErrorBody, 'the signer has no authority for this'),
    409: json(
      ErrorBody,
      'nothing to prove against: no_epoch (none committed yet) or not_indexed (the account is not in the latest epoch)',
    ),
    503: json(ErrorBody, 'the queue cannot take jobs now; Retry-After says when to retry'),
  },
})

const jobRoute = createRoute({
  method: 'get',
  path: '/v1/proofs/{id}',
  summary: 'A proof job: queued, proving, done (with the proof file) or failed (with the reason)',
  request: {
    params: z.object({
      id: z
        .string()
        .max(64)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
  },
  responses: {
    200: json(ProofJob, 'the job'),
    404: json(ErrorBody, 'no such job'),
  },
})

export function proofRoutes(app: OpenAPIHono, options: ProofRoutesOptions): void {
  const { proofs, signing } = options
  app.openapi(requestRoute, async (c) => {
    const request = readEnvelope('ProofRequest', await c.req.text())
    await checkSigned(request, signing)
    try {
      const job = await proofs.request(
        request.message.account,
        request.message.chain,
        'message.chain',
      )
      return c.json(job as never, 202)
    } catch (err) {
      if (!(err instanceof ProofRefused)) throw err
      return c.json(errorBody(err.code, err.shortMessage) as never, 409)
    }
  })
  app.openapi(jobRoute, async (c) => {
    const { id } = c.req.valid('param')
    const job = await proofs.job(id)
    if (!job) return c.json(errorBody('unknown_proof', `no proof job ${id}`) as never, 404)
    return c.json(job as never, 200)
  })
}
