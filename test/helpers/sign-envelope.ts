/** Signed-request envelopes as a client sends them (aggregator/auth/README.md), for tests. */
import type { LocalAccount } from 'viem'
import { REQUEST_TYPES, type RequestType } from '../../aggregator/auth/typed-data.ts'

export type WireMessage = Record<string, unknown>

/**
 * Sign `message` (in its wire form: uint256 fields as decimal strings) as
 * `type` over `domain`; `tamper` changes fields after signing.
 */
export async function signEnvelope(
  domain: object,
  type: RequestType,
  message: WireMessage,
  by: LocalAccount,
  tamper: WireMessage = {},
): Promise<{ message: WireMessage; signer: `0x${string}`; signature: `0x${string}` }> {
  const typed = Object.fromEntries(
    REQUEST_TYPES[type].map((f) => [
      f.name,
      f.type.startsWith('uint') && f.name !== 'chain'
        ? BigInt(message[f.name] as string | number)
        : message[f.name],
    ]),
  )
  const signature = await by.signTypedData({
    domain,
    types: REQUEST_TYPES,
    primaryType: type,
    message: typed,
  } as never)
  return { message: { ...message, ...tamper }, signer: by.address, signature }
}
