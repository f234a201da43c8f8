/**
 * Checking a signed request: fresh, really signed by the signer it names,
 * that signer holding authority over the account for this kind of request,
 * and its nonce unused. The checks that change nothing run first; the nonce is
 * claimed last, so a refused request never burns the nonce of a good one.
 */
import { type Address, isAddressEqual, recoverTypedDataAddress, type TypedDataDomain } from 'viem'
import { ForbiddenError, InputError, UnauthenticatedError } from '../errors.ts'
import {
  MAX_REQUEST_LIFETIME_SECONDS,
  REQUEST_TYPES,
  REQUIRED_SCOPE,
  type RequestType,
  type Scope,
  type SignedRequest,
} from './typed-data.ts'

export interface Delegation {
  readonly account: Address
  readonly key: Address
  readonly scopes: Readonly<Record<Scope, boolean>>
  readonly keyExpiry: bigint
  readonly revoked: boolean
}

/** Who may sign for whom, as the account log says. */
export interface Authority {
  delegation(account: Address, key: Address): Delegation | undefined
  /** An account the service has seen, or a key that some account delegated. */
  isKnown(address: Address): boolean
}

/** Nonces used per account; claim is atomic: of two claims of one nonce, one wins. */
export interface NonceLedger {
  /** False if the account used this nonce before. */
  claim(account: Address, nonce: bigint, expiry: bigint): Promise<boolean>
}

export interface VerifyContext {
  readonly domain: TypedDataDomain
  readonly authority: Authority
  readonly nonces: NonceLedger
  /** Unix seconds. */
  readonly now: bigint
}

export interface Verified {
  readonly account: Address
  readonly signer: Address
  readonly delegated: boolean
}

export async function verifyRequest(
  request: SignedRequest,
  context: VerifyContext,
): Promise<Verified> {
  const { message } = request
  checkExpiry(message.expiry, context.now)
  await checkSignature(request, context.domain)
  const delegated = !isAddressEqual(request.signer, message.account)
  if (delegated) checkDelegation(request, context)
  if (!(await context.nonces.claim(message.account, message.nonce, message.expiry))) {
    throw new UnauthenticatedError(
      'replayed',
      `nonce ${message.nonce} was already used by ${message.account}`,
    )
  }
  return { account: message.account, signer: request.signer, delegated }
}

function checkExpiry(expiry: bigint, now: bigint): void {
  if (expiry <= now) {
    throw new UnauthenticatedError('expired', `the request expired at ${expiry} (now ${now})`)
  }
  if (expiry > now + BigInt(MAX_REQUEST_LIFETIME_SECONDS)) {
    throw new InputError(
      'expiry',
      'out_of_range',
      `expiry must be at most ${MAX_REQUEST_LIFETIME_SECONDS} s ahead, got ${expiry - now} s`,
    )
  }
}

async function checkSignature(request: SignedRequest, domain: TypedDataDomain): Promise<void> {
  let recovered: Address
  try {
    recovered = await recoverTypedDataAddress({
      domain,
      types: REQUEST_TYPES,
      primaryType: request.type,
      message: request.message as never,
      signature: request.signature,
    })
  } catch {
    throw new UnauthenticatedError(
      'bad_signature',
      'the signature is not a valid secp256k1 signature',
    )
  }
  if (!isAddressEqual(recovered, request.signer)) {
    throw new UnauthenticatedError(
      'tampered',
      `the signature is not ${request.signer}'s over this request: a field was changed after signing, or another key signed it`,
    )
  }
}

function checkDelegation(request: SignedRequest, context: VerifyContext): void {
  const scope = REQUIRED_SCOPE[request.type as RequestType]
  checkKeyAuthority(request.message.account, request.signer, scope, request.type, context)
}

/**
 * That `signer`, a key other than the account itself, may sign a `what` for
 * the account: delegated, not revoked, not expired, holding `scope` (null:
 * only the account itself may). Orders use it too, with the trade scope.
 */
export function checkKeyAuthority(
  account: Address,
  signer: Address,
  scope: Scope | null,
  what: string,
  context: { readonly authority: Authority; readonly now: bigint },
): void {
  const d = context.authority.delegation(account, signer)
  if (d === undefined) {
    if (context.authority.isKnown(signer)) {
      throw new ForbiddenError('wrong_signer', `${signer} may not sign for ${account}`)
    }
    throw new UnauthenticatedError('unknown_key', `${signer} is not a key ${account} delegated`)
  }
  if (d.revoked) throw new ForbiddenError('key_revoked', `${account} revoked ${signer}`)
  if (d.keyExpiry <= context.now) {
    throw new UnauthenticatedError(
      'key_expired',
      `${signer}'s delegation expired at ${d.keyExpiry}`,
    )
  }
  if (scope === null || !d.scopes[scope]) {
    throw new ForbiddenError(
      'scope_missing',
      scope === null
        ? `only ${account} itself may sign a ${what}`
        : `${signer} was not given the ${scope} scope`,
    )
  }
}
