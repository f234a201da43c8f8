/** Flags shared by the commands that act on a devnet: the manifest, the key, the chain, the token. */
import { type Hex, isHex } from 'viem'
import { DEVNET_TOKENS, type TokenSymbol } from '../devnet/chains.ts'
import {
  type ChainManifest,
  chainNamed,
  type DevnetManifest,
  readManifest,
} from '../devnet/manifest.ts'
import { InputError } from '../errors.ts'
import { DEFAULT_MANIFEST } from './commands/devnet.ts'

export const WALLET_FLAGS = {
  manifest: { type: 'string' },
  key: { type: 'string' },
} as const

export const WALLET_HELP = `  --manifest FILE  devnet manifest (default build/devnet.json)
  --key K          the account's private key, 0x and 64 hex digits (or $XMARGIN_KEY)`

export function privateKeyFlag(value: string | undefined): Hex {
  const key = value ?? process.env['XMARGIN_KEY']
  if (key === undefined)
    throw new InputError('--key', 'missing_field', '--key is required (or set XMARGIN_KEY)')
  if (!isHex(key) || key.length !== 66)
    throw new InputError('--key', 'wrong_type', '--key must be 0x followed by 64 hex digits')
  return key
}

export async function manifestFlag(value: string | undefined): Promise<DevnetManifest> {
  return readManifest(value ?? DEFAULT_MANIFEST)
}

export function chainFlag(manifest: DevnetManifest, value: string | undefined): ChainManifest {
  if (value === undefined) throw new InputError('--chain', 'missing_field', '--chain is required')
  return chainNamed(manifest, value)
}

export function tokenFlag(value: string | undefined): TokenSymbol {
  const symbols = DEVNET_TOKENS.map((t) => t.symbol) as string[]
  if (value === undefined) throw new InputError('--token', 'missing_field', '--token is required')
  if (!symbols.includes(value))
    throw new InputError(
      '--token',
      'out_of_range',
      `--token must be one of ${symbols.join(', ')}, got ${value}`,
    )
  return value as TokenSymbol
}
