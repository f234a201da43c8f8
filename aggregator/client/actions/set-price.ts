/**
 * POST /v1/admin/prices: the operator moves (`move: -0.3` is 30 % down) or
 * sets (`set: 2100`, USD) an underlying's price on the local feed, to show
 * what a price shock does to accounts. Authorised by the operator token, not
 * by an account's signature; a service on a real feed refuses it `not_local`.
 */
import { InputError } from '../../errors.ts'
import { type Http, postJson, sendJson } from '../http.ts'
import type { PriceChange } from '../types.ts'

export interface SetPriceParameters {
  /** The underlying's symbol, as GET /v1/markets lists it ("ETH"). */
  readonly underlying: string
  /** A relative move: -0.3 is 30 % down, 0.1 is 10 % up. Exactly one of move and set. */
  readonly move?: number
  /** A new price, USD per unit, > 0. Exactly one of move and set. */
  readonly set?: number
}

export interface SetPriceOptions {
  /** The operator token the service was started with (`<data dir>/operator-token` locally). */
  readonly token: string
}

export async function setPrice(
  http: Http,
  params: SetPriceParameters,
  options: SetPriceOptions,
): Promise<PriceChange> {
  return sendJson<PriceChange>(http, '/v1/admin/prices', {
    ...postJson(priceRequest(params)),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token(options)}` },
  })
}

/** The body, checked before anything is sent: which fields are wrong is clear here, not after a 400. */
function priceRequest(params: SetPriceParameters): Record<string, string | number> {
  const { underlying, move, set } = params
  if (typeof underlying !== 'string' || underlying === '')
    throw new InputError('underlying', 'missing_field', 'underlying is required')
  if ((move === undefined) === (set === undefined))
    throw new InputError('move', 'exactly_one', 'exactly one of move and set is required')
  if (move !== undefined) {
    if (!Number.isFinite(move))
      throw new InputError('move', 'not_finite', `move must be a finite number, got ${move}`)
    return { underlying, move }
  }
  if (!Number.isFinite(set) || set! <= 0)
    throw new InputError('set', 'out_of_range', `set must be a price above 0 USD, got ${set}`)
  return { underlying, set: set! }
}

function token(options: SetPriceOptions): string {
  // A header cannot carry a line break; a token read from a file may end with one.
  const t = options.token?.trim()
  if (!t) throw new InputError('token', 'missing_field', 'the operator token is required')
  if (/[^\x21-\x7e]/.test(t))
    throw new InputError('token', 'wrong_type', 'the operator token must be printable ASCII')
  return t
}
