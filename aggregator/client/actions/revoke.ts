/**
 * POST /v1/keys/revoke: take a delegated key's authority back for good (it
 * is never accepted again, not even after a new delegation). Only the
 * account itself may sign this.
 */
import type { Address } from 'viem'
import type { ClientContext } from '../context.ts'
import { postJson, send } from '../http.ts'
import { freshness, signRequest } from '../sign.ts'

export interface RevokeParameters {
  readonly key: Address
}

export async function revoke(ctx: ClientContext, params: RevokeParameters): Promise<void> {
  const { domain } = await ctx.signing()
  const envelope = await signRequest(ctx.signer, domain, 'Revoke', {
    account: ctx.address,
    key: params.key,
    ...freshness(),
  })
  await send(ctx, '/v1/keys/revoke', postJson(envelope))
}
