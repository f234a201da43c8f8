/**
 * POST /v1/keys: let a key sign for the account, within the scopes set to
 * true, until `keyExpiry`. Only the account itself may sign this; a delegated
 * key's attempt is refused `scope_missing`.
 */
import type { Address } from 'viem'
import type { ClientContext } from '../context.ts'
import { postJson, send } from '../http.ts'
import { freshness, signRequest } from '../sign.ts'

export interface DelegateParameters {
  readonly key: Address
  /** Read the account's view and stream. */
  readonly read?: boolean
  /** Trade for it (reserved for the order flow). */
  readonly trade?: boolean
  /** Withdraw its collateral. */
  readonly withdraw?: boolean
  /** Unix seconds after which the key is refused `key_expired`. */
  readonly keyExpiry: number | bigint
}

export async function delegate(ctx: ClientContext, params: DelegateParameters): Promise<void> {
  const { domain } = await ctx.signing()
  const envelope = await signRequest(ctx.signer, domain, 'Delegate', {
    account: ctx.address,
    key: params.key,
    read: params.read ?? false,
    trade: params.trade ?? false,
    withdraw: params.withdraw ?? false,
    keyExpiry: BigInt(params.keyExpiry),
    ...freshness(),
  })
  await send(ctx, '/v1/keys', postJson(envelope))
}
