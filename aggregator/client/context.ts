/**
 * What every action needs: the service, the signer, the account it acts for,
 * and the signing block of /v1/status (fetched once, then kept: the domain
 * and the chains' tokens do not change while a service runs).
 */
import type { Address } from 'viem'
import { DOMAIN_NAME, DOMAIN_VERSION } from '../auth/typed-data.ts'
import { XmarginError } from '../errors.ts'
import type { Http } from './http.ts'
import type { Signer } from './signer.ts'
import type { ServiceStatus, SigningInfo } from './types.ts'

export interface ClientContext extends Http {
  readonly signer: Signer
  /** The account requests act for: the signer's own, or the account that delegated it. */
  readonly address: Address
  /** The signing block, from /v1/status on first use. */
  signing(): Promise<SigningInfo>
}

/** The signing block of a status, checked: a domain of another protocol is never signed over. */
export function signingOf(status: ServiceStatus, api: string): SigningInfo {
  const signing = status.signing
  if (!signing) {
    throw new XmarginError(
      `the service at ${api} runs no accounts (GET /v1/status has no signing block)`,
      { code: 'no_accounts' },
    )
  }
  const { name, version } = signing.domain
  if (name !== DOMAIN_NAME || version !== DOMAIN_VERSION) {
    throw new XmarginError(
      `the service at ${api} asks for signatures over domain ${name} ${version}, not ${DOMAIN_NAME} ${DOMAIN_VERSION}`,
      { code: 'wrong_domain' },
    )
  }
  return signing
}
