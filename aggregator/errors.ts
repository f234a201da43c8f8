/**
 * One error hierarchy for the whole project. Every error carries a short
 * message for humans, a stable machine `code`, optional `details` and the
 * underlying `cause`. The edges (CLI, HTTP) map these to exit codes and
 * status codes; nothing below them knows about either.
 */
export interface XmarginErrorOptions {
  code: string
  details?: string
  cause?: unknown
}

export class XmarginError extends Error {
  override name = 'XmarginError'
  readonly code: string
  readonly shortMessage: string
  readonly details: string | undefined

  constructor(shortMessage: string, options: XmarginErrorOptions) {
    const message = options.details
      ? `${shortMessage}\n\nDetails: ${options.details}`
      : shortMessage
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = options.code
    this.shortMessage = shortMessage
    this.details = options.details
  }
}

/** The rule an input broke; stable strings that API clients may switch on. */
export type InputRule =
  | 'wrong_type'
  | 'not_finite'
  | 'out_of_range'
  | 'missing_field'
  | 'unknown_field'
  | 'unknown_reference'
  | 'exactly_one'
  | 'missing_risk_params'
  | 'expired'
  | 'invalid_json'
  | 'invalid_argument'
  | 'too_many'
  | 'too_deep'
  | 'too_long'
  | 'duplicate_key'

/** Bad input: names the field (a dotted path) and the rule it broke. */
export class InputError extends XmarginError {
  override name = 'InputError'
  readonly field: string
  readonly rule: InputRule

  constructor(field: string, rule: InputRule, shortMessage: string, cause?: unknown) {
    super(shortMessage, { code: rule, cause })
    this.field = field
    this.rule = rule
  }
}

/** A computation produced a figure that is not a finite number. */
export class ComputationError extends XmarginError {
  override name = 'ComputationError'
  constructor(shortMessage: string, details?: string) {
    super(
      shortMessage,
      details === undefined
        ? { code: 'computation_failed' }
        : { code: 'computation_failed', details },
    )
  }
}

/** The service cannot take this request now; the client may retry after `retryAfterSeconds`. */
export class UnavailableError extends XmarginError {
  override name = 'UnavailableError'
  readonly retryAfterSeconds: number
  constructor(
    code: 'overloaded' | 'shutting_down' | 'setting_up',
    shortMessage: string,
    retryAfterSeconds: number,
    details?: string,
  ) {
    super(shortMessage, details === undefined ? { code } : { code, details })
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** A request ran past its deadline and was stopped. */
export class DeadlineExceededError extends XmarginError {
  override name = 'DeadlineExceededError'
  readonly deadlineMs: number
  constructor(deadlineMs: number) {
    super(`the request did not finish within its ${deadlineMs} ms deadline`, {
      code: 'deadline_exceeded',
    })
    this.deadlineMs = deadlineMs
  }
}

/** Why a signed request was refused; stable strings that clients may switch on. */
export type AuthCode =
  | 'bad_signature'
  | 'tampered'
  | 'unknown_key'
  | 'wrong_signer'
  | 'expired'
  | 'replayed'
  | 'key_expired'
  | 'key_revoked'
  | 'scope_missing'
  | 'unknown_venue'
  | 'wrong_venue'
  | 'bad_token'

/** The request does not prove who sent it: unsigned, altered, expired, replayed or from an unknown key (401). */
export class UnauthenticatedError extends XmarginError {
  override name = 'UnauthenticatedError'
  constructor(
    code: Extract<
      AuthCode,
      | 'bad_signature'
      | 'tampered'
      | 'unknown_key'
      | 'expired'
      | 'replayed'
      | 'key_expired'
      | 'unknown_venue'
      | 'bad_token'
    >,
    shortMessage: string,
  ) {
    super(shortMessage, { code })
  }
}

/** The signer is known, but has no authority for this request (403). */
export class ForbiddenError extends XmarginError {
  override name = 'ForbiddenError'
  constructor(
    code: Extract<AuthCode, 'wrong_signer' | 'key_revoked' | 'scope_missing' | 'wrong_venue'>,
    shortMessage: string,
  ) {
    super(shortMessage, { code })
  }
}

/** The request contradicts one already taken under the same id (409): a fill id or order nonce reused. */
export class ConflictError extends XmarginError {
  override name = 'ConflictError'
  readonly field: string
  constructor(code: 'fill_id_reused' | 'nonce_reused', field: string, shortMessage: string) {
    super(shortMessage, { code })
    this.field = field
  }
}
