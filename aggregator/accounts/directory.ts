/**
 * What the accounts know of the chains: each chain's name, its Wormhole and
 * EVM ids, and the tokens its vault allows, with their XM-1 asset symbol and
 * decimals. Built from the manifest; the one place a token address becomes
 * an asset and base units become asset units.
 */
import type { Address } from 'viem'
import type { DevnetManifest } from '../devnet/manifest.ts'

export interface TokenInfo {
  readonly chain: string
  readonly address: Address
  readonly symbol: string
  readonly decimals: number
}

export interface ChainInfo {
  readonly name: string
  readonly wormholeChainId: number
  readonly evmChainId: number
}

export class Directory {
  readonly #tokens = new Map<string, TokenInfo>()
  readonly #chains = new Map<string, ChainInfo>()

  constructor(manifest: DevnetManifest) {
    for (const c of manifest.chains) {
      this.#chains.set(c.name, {
        name: c.name,
        wormholeChainId: c.wormholeChainId,
        evmChainId: c.evmChainId,
      })
      for (const [symbol, t] of Object.entries(c.tokens)) {
        this.#tokens.set(tokenKey(c.name, t.address), {
          chain: c.name,
          address: t.address,
          symbol,
          decimals: t.decimals,
        })
      }
    }
  }

  chains(): ChainInfo[] {
    return [...this.#chains.values()]
  }

  /** Every chain with its tokens, as clients need them to build requests (GET /v1/status). */
  describe(): (ChainInfo & { tokens: Omit<TokenInfo, 'chain'>[] })[] {
    return this.chains().map((c) => ({
      ...c,
      tokens: [...this.#tokens.values()]
        .filter((t) => t.chain === c.name)
        .map(({ address, symbol, decimals }) => ({ symbol, address, decimals })),
    }))
  }

  chain(name: string): ChainInfo | undefined {
    return this.#chains.get(name)
  }

  chainByWormholeId(id: number): ChainInfo | undefined {
    return [...this.#chains.values()].find((c) => c.wormholeChainId === id)
  }

  token(chain: string, address: Address): TokenInfo | undefined {
    return this.#tokens.get(tokenKey(chain, address))
  }

  tokenBySymbol(chain: string, symbol: string): TokenInfo | undefined {
    return [...this.#tokens.values()].find((t) => t.chain === chain && t.symbol === symbol)
  }
}

const tokenKey = (chain: string, address: Address) => `${chain}:${address.toLowerCase()}`

/** Base units as asset units, for the engine (float64: exact to about 15 significant digits). */
export function toUnits(base: bigint, decimals: number): number {
  const scale = 10n ** BigInt(decimals)
  return Number(base / scale) + Number(base % scale) / Number(scale)
}

/**
 * Asset units as base units, rounded down to `resolution` (a power of ten, as
 * the engine states its withdrawable amounts): digits below it are float noise.
 */
export function toBase(units: number, decimals: number, resolution = 1e-6): bigint {
  if (!(units > 0)) return 0n
  const digits = Math.max(0, Math.min(decimals, Math.round(-Math.log10(resolution))))
  const [whole, fraction = ''] = units.toFixed(digits).split('.')
  const scaled = BigInt(whole!) * 10n ** BigInt(digits) + BigInt(fraction || '0')
  // toFixed rounds to nearest: step back one step if that went above the figure.
  const floored = Number(scaled) / 10 ** digits > units ? scaled - 1n : scaled
  return floored * 10n ** BigInt(decimals - digits)
}
