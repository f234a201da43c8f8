/**
 * The HTTP edge of the error hierarchy: every failure leaves as
 * `{ error: { code, message, field } }` with a status that says whose fault it was.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import {
  ComputationError,
  ConflictError,
  DeadlineExceededError,
  ForbiddenError,
  InputError,
  UnauthenticatedError,
  UnavailableError,
  XmarginError,
} from '../errors.ts'

export interface ApiErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly field: string | null }
}

export function errorBody(
  code: string,
  message: string,
  field: string | null = null,
): ApiErrorBody {
  return { error: { code, message, field } }
}

function statusOf(err: XmarginError): ContentfulStatusCode {
  if (err instanceof InputError) return 400
  if (err instanceof ComputationError) return 422
  if (err instanceof UnauthenticatedError) return 401
  if (err instanceof ForbiddenError) return 403
  if (err instanceof ConflictError) return 409
  if (err instanceof UnavailableError) return 503
  if (err instanceof DeadlineExceededError) return 504
  return 500
}

/** hono `onError` handler: maps our errors and HTTPExceptions, hides anything else. */
export function toErrorResponse(
  err: Error,
  c: Context,
  onUnexpected: (err: Error) => void,
): Response {
  if (err instanceof XmarginError) {
    const field = err instanceof InputError || err instanceof ConflictError ? err.field : null
    if (err instanceof UnavailableError) c.header('Retry-After', String(err.retryAfterSeconds))
    return c.json(errorBody(err.code, err.shortMessage, field), statusOf(err))
  }
  if (err instanceof HTTPException) {
    return c.json(errorBody('http_error', err.message || 'request failed'), err.status)
  }
  onUnexpected(err)
  return c.json(errorBody('internal', 'internal error'), 500)
}
