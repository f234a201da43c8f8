/**
 * POST /v1/withdrawals: a chain and token by name, an amount in token
 * units, resolved against the service's directory and converted exactly to
 * base units, then signed as a Withdraw. A refusal beyond withdrawable is an
 * ApiError `exceeds_withdrawable` with `allowed` in base units.
 */

import { parseAmount } from '../amount.ts'
import type { ClientContext } from '../context.ts'
import { postJson, sendJson } from '../http.ts'
import { resolveChain, resolveToken } from '../resolve.ts'
import { freshness, signRequest } from '../sign.ts'
import type { ChainInfo, SigningInfo, TokenInfo, WithdrawalView } from '../types.ts'

export interface WithdrawParameters {
  /** The chain's name ("arbitrum") or Wormhole chain id (23). */
  readonly chain: string | number
  /** The token's symbol ("USDC") or address on that chain. */
  readonly token: string
  /** In token units, as a decimal string ("2500.5"): at most the token's decimals. */
  readonly amount: string
}

export interface ResolvedWithdrawal {
  readonly chain: ChainInfo
  readonly token: TokenInfo
  /** Base units. */
  readonly amount: bigint
}

/**
 * The withdrawal in the service's terms, or an InputError naming the
 * parameter (through `name`: the CLI says `--amount` where the API says `amount`).
 */
export function resolveWithdrawal(
  signing: SigningInfo,
  params: WithdrawParameters,
  name: (field: 'chain' | 'token' | 'amount') => string = (f) => f,
): ResolvedWithdrawal {
  const chain = resolveChain(signing, params.chain, name('chain'))
  const token = resolveToken(chain, params.token, name('token'))
  return { chain, token, amount: parseAmount(params.amount, token.decimals, name('amount')) }
}

export async function withdraw(
  ctx: ClientContext,
  params: WithdrawParameters,
): Promise<WithdrawalView> {
  const signing = await ctx.signing()
  const { chain, token, amount } = resolveWithdrawal(signing, params)
  const envelope = await signRequest(ctx.signer, signing.domain, 'Withdraw', {
    account: ctx.address,
    chain: chain.wormholeChainId,
    token: token.address,
    amount,
    ...freshness(),
  })
  return sendJson<WithdrawalView>(ctx, '/v1/withdrawals', postJson(envelope))
}
