/** GET /v1/accounts/{address}: the account view, read with a signed ReadAccount in X-Xmargin-Auth. */
import type { ClientContext } from '../context.ts'
import { sendJson } from '../http.ts'
import { authHeader, freshness, signRequest } from '../sign.ts'
import type { AccountView } from '../types.ts'

export async function getAccount(ctx: ClientContext): Promise<AccountView> {
  return sendJson<AccountView>(ctx, `/v1/accounts/${ctx.address}`, {
    headers: { 'x-xmargin-auth': await readAuth(ctx) },
  })
}

/** A fresh ReadAccount (its nonce is used up by the one request it goes with), base64url. */
export async function readAuth(ctx: ClientContext): Promise<string> {
  const { domain } = await ctx.signing()
  const envelope = await signRequest(ctx.signer, domain, 'ReadAccount', {
    account: ctx.address,
    ...freshness(),
  })
  return authHeader(envelope)
}
