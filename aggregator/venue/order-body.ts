/**
 * A signed Order as a venue receives it (the `order` of POST /v1/fills:
 * `{ message: { account, venue, instrument, side, size, limitPrice, nonce,
 * expiry }, signer, signature }`, every uint a decimal string), read from
 * untrusted JSON text into the typed SignedOrder, or an InputError naming
 * the field (`message.size`). Only the form is checked here; whether the
 * order is for this venue and signed by its signer is the venue's to judge.
 */
import { type Address, getAddress, type Hex, isAddress, isHex } from 'viem'
import { InputError } from '../errors.ts'
import type { OrderMessage, SignedOrder } from '../orders/typed-data.ts'
import { parseInstrumentId } from '../risk/instrument-id.ts'
import { parseJsonText } from '../risk/json-text.ts'

const UINT = /^(0|[1-9][0-9]{0,77})$/
const MAX_UINT256 = 2n ** 256n - 1n
const MAX_UINT64 = 2n ** 64n - 1n

export function readSignedOrder(text: string): SignedOrder {
  const body = object(parseJsonText(text, { root: '', label: 'body' }), 'body')
  const m = object(body['message'], 'message')
  const instrument = m['instrument']
  if (typeof instrument !== 'string')
    throw new InputError('message.instrument', 'wrong_type', 'message.instrument must be a string')
  parseInstrumentId(instrument, 'message.instrument')
  const side = m['side']
  if (side !== 'buy' && side !== 'sell')
    throw new InputError('message.side', 'out_of_range', 'message.side must be buy or sell')
  const message: OrderMessage = {
    account: address(m['account'], 'message.account'),
    venue: address(m['venue'], 'message.venue'),
    instrument,
    side,
    size: uint(m['size'], 'message.size', MAX_UINT256, true),
    limitPrice: uint(m['limitPrice'], 'message.limitPrice', MAX_UINT256, true),
    nonce: uint(m['nonce'], 'message.nonce', MAX_UINT256, false),
    expiry: uint(m['expiry'], 'message.expiry', MAX_UINT64, false),
  }
  return {
    message,
    signer: address(body['signer'], 'signer'),
    signature: signature(body['signature']),
  }
}

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InputError(field, 'wrong_type', `${field} must be an object`)
  return value as Record<string, unknown>
}

function address(value: unknown, field: string): Address {
  if (typeof value !== 'string' || !isAddress(value, { strict: false }))
    throw new InputError(field, 'wrong_type', `${field} must be a 0x address`)
  return getAddress(value)
}

/**
 * A decimal string, as the wire writes uints. A unix time (`expiry`) may also
 * come as a whole JSON number, as the auth envelopes write theirs.
 */
function uint(value: unknown, field: string, max: bigint, positive: boolean): bigint {
  const text =
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && max === MAX_UINT64
      ? String(value)
      : value
  if (typeof text !== 'string' || !UINT.test(text))
    throw new InputError(field, 'wrong_type', `${field} must be a whole number as a decimal string`)
  const n = BigInt(text)
  if (n > max) throw new InputError(field, 'out_of_range', `${field} is too large`)
  if (positive && n === 0n) throw new InputError(field, 'out_of_range', `${field} must be above 0`)
  return n
}

function signature(value: unknown): Hex {
  // 65 bytes (r, s, v); viem also reads 64-byte compact signatures.
  if (typeof value !== 'string' || !isHex(value) || (value.length !== 132 && value.length !== 130))
    throw new InputError('signature', 'wrong_type', 'signature must be 0x and 65 bytes of hex')
  return value
}
