/**
 * Chains and tokens by the names people use: a chain by its name or Wormhole
 * id, a token by its symbol or address, as GET /v1/status lists them. A miss
 * is an InputError naming the field and what would have been accepted.
 */
import { isAddress, isAddressEqual } from 'viem'
import { InputError } from '../errors.ts'
import type { ChainInfo, SigningInfo, TokenInfo } from './types.ts'

export function resolveChain(
  signing: SigningInfo,
  chain: string | number,
  field = 'chain',
): ChainInfo {
  const byId = typeof chain === 'number' || /^\d+$/.test(chain) ? Number(chain) : undefined
  const found = signing.chains.find((c) =>
    byId === undefined ? c.name === chain : c.wormholeChainId === byId,
  )
  if (found) return found
  const known = signing.chains.map((c) => `${c.name} (${c.wormholeChainId})`).join(', ')
  throw new InputError(
    field,
    'unknown_reference',
    `${field} must be one of ${known}, got ${String(chain)}`,
  )
}

export function resolveToken(chain: ChainInfo, token: string, field = 'token'): TokenInfo {
  const found = chain.tokens.find((t) =>
    isAddress(token, { strict: false })
      ? isAddressEqual(t.address, token)
      : t.symbol.toLowerCase() === token.toLowerCase(),
  )
  if (found) return found
  const known = chain.tokens.map((t) => t.symbol).join(', ')
  throw new InputError(
    field,
    'unknown_reference',
    `${field} must be a token of ${chain.name} (${known}), got ${token}`,
  )
}
