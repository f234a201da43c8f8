/**
 * Signed requests as they travel (aggregator/auth/README.md): the EIP-712
 * message signed over the service's domain, then the JSON envelope, whose
 * uint256 fields are decimal strings and whose unix times are numbers. Each
 * request gets a fresh random nonce, since the service accepts a nonce once.
 */
import { type Address, bytesToBigInt, type Hex } from 'viem'
import { REQUEST_TYPES, type RequestMessages, type RequestType } from '../auth/typed-data.ts'
import type { Signer } from './signer.ts'
import type { SigningDomain } from './types.ts'

/** How long a request stays valid: long enough for a slow link, short enough to be worthless later. */
export const REQUEST_LIFETIME_SECONDS = 60

export interface Envelope {
  readonly message: Record<string, string | number | boolean>
  readonly signer: Address
  readonly signature: Hex
}

/** A nonce no one will have used: 256 random bits. */
export function randomNonce(): bigint {
  return bytesToBigInt(crypto.getRandomValues(new Uint8Array(32)))
}

/** The nonce and expiry every message carries. */
export function freshness(now = Date.now()): { nonce: bigint; expiry: bigint } {
  return {
    nonce: randomNonce(),
    expiry: BigInt(Math.floor(now / 1000) + REQUEST_LIFETIME_SECONDS),
  }
}

export async function signRequest<T extends RequestType>(
  signer: Signer,
  domain: SigningDomain,
  type: T,
  message: RequestMessages[T],
): Promise<Envelope> {
  const signature = await signer.signTypedData({
    domain: { ...domain },
    types: REQUEST_TYPES,
    primaryType: type,
    message: { ...message },
  })
  return { message: wire(message), signer: signer.address, signature }
}

/** The GET form: the envelope as base64url JSON, for X-Xmargin-Auth. */
export function authHeader(envelope: Envelope): string {
  // The envelope is ASCII (hex, digits, field names), so btoa needs no UTF-8 step.
  return btoa(JSON.stringify(envelope)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

const UNIX_TIMES = new Set(['expiry', 'keyExpiry'])

function wire(message: object): Envelope['message'] {
  return Object.fromEntries(
    Object.entries(message).map(([k, v]) => [
      k,
      typeof v !== 'bigint' ? v : UNIX_TIMES.has(k) ? Number(v) : v.toString(),
    ]),
  )
}
