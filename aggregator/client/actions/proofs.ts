/**
 * Proofs on demand: POST /v1/proofs (a signed ProofRequest: the account and
 * the chain to post to, '' for none), GET /v1/proofs/{id}, and following a
 * job by polling until it is done or failed.
 */

import { XmarginError } from '../../errors.ts'
import type { ProofJobView } from '../../proofs/queue.ts'
import type { ClientContext } from '../context.ts'
import { type Http, postJson, sendJson } from '../http.ts'
import { freshness, signRequest } from '../sign.ts'

export type ProofJob = ProofJobView

export interface RequestProofParameters {
  /** The chain whose SolvencyRegistry gets the proof, by name; omitted: none. */
  readonly chain?: string
}

export interface WaitForProofOptions {
  /** Give up after this long; default 10 minutes. */
  readonly timeoutMs?: number
  /** Between looks; default 1 s. */
  readonly pollMs?: number
  /** Each look at the job (its state), for progress. */
  readonly onPoll?: (job: ProofJob) => void
}

export async function requestProof(
  ctx: ClientContext,
  params: RequestProofParameters = {},
): Promise<ProofJob> {
  const signing = await ctx.signing()
  const envelope = await signRequest(ctx.signer, signing.domain, 'ProofRequest', {
    account: ctx.address,
    chain: params.chain ?? '',
    ...freshness(),
  })
  return sendJson<ProofJob>(ctx, '/v1/proofs', postJson(envelope))
}

export function getProof(http: Http, id: string): Promise<ProofJob> {
  return sendJson<ProofJob>(http, `/v1/proofs/${encodeURIComponent(id)}`)
}

export async function waitForProof(
  http: Http,
  id: string,
  options: WaitForProofOptions = {},
): Promise<ProofJob> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000)
  for (;;) {
    const job = await getProof(http, id)
    options.onPoll?.(job)
    if (job.state === 'done' || job.state === 'failed') return job
    if (Date.now() >= deadline) {
      throw new XmarginError(
        `proof job ${id} is still ${job.state} after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s`,
        { code: 'wait_timeout' },
      )
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 1000))
  }
}
