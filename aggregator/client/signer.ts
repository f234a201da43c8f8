/**
 * Who signs: any viem LocalAccount (a private key, a mnemonic, a custom
 * source) or a WalletClient with an account (a JSON-RPC wallet such as a
 * browser extension or a node's unlocked account, which signs with
 * eth_signTypedData_v4). Both become one Signer.
 */
import type { Account, Address, Chain, Hex, LocalAccount, Transport, WalletClient } from 'viem'
import { InputError } from '../errors.ts'

export type XmarginSigner = LocalAccount | WalletClient<Transport, Chain | undefined, Account>

/** The typed data of one request; checked by the service's recovery, not by viem's inference. */
export interface TypedRequest {
  readonly domain: Record<string, unknown>
  readonly types: Record<string, readonly { readonly name: string; readonly type: string }[]>
  readonly primaryType: string
  readonly message: Record<string, unknown>
}

export interface Signer {
  readonly address: Address
  signTypedData(request: TypedRequest): Promise<Hex>
}

type Wallet = WalletClient<Transport, Chain | undefined, Account>

// A client's `type` is typed as any string, so it cannot narrow the union by itself.
const isWallet = (source: XmarginSigner): source is Wallet => source.type === 'walletClient'

export function toSigner(source: XmarginSigner): Signer {
  if (isWallet(source)) {
    const account = source.account as Account | undefined
    if (!account) {
      throw new InputError(
        'account',
        'missing_field',
        'the WalletClient has no account: create it with { account }',
      )
    }
    return {
      address: account.address,
      signTypedData: (request) => source.signTypedData({ ...request, account } as never),
    }
  }
  return {
    address: source.address,
    signTypedData: (request) => source.signTypedData(request as never),
  }
}
