/**
 * Instrument ids: the one readable, canonical name of a listed instrument, as
 * orders are signed over it and `GET /v1/markets` lists it.
 *
 *   ETH-PERP                     perpetual on ETH
 *   ETH-FUT-1769904000           future on ETH expiring at that unix second
 *   ETH-C-3500-1769904000        call on ETH, strike 3500 USD, that expiry
 *   ETH-P-2750.5-1769904000      put; the strike in plain decimal, no exponent
 *
 * Parsing is strict: an id is accepted only if formatting what it parses to
 * gives the same text back, so one instrument never has two ids.
 */
import { InputError } from '../errors.ts'
import type { Instrument } from './types.ts'

const UNDERLYING = /^[A-Z][A-Z0-9]{0,15}$/
const EXPIRY = /^[1-9][0-9]{0,11}$/
const STRIKE = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/

export function formatInstrumentId(i: Instrument): string {
  switch (i.kind) {
    case 'perp':
      return `${i.underlying}-PERP`
    case 'future':
      return `${i.underlying}-FUT-${i.expiry}`
    case 'option':
      return `${i.underlying}-${i.type === 'call' ? 'C' : 'P'}-${strikeText(i.strike)}-${i.expiry}`
  }
}

/** A strike as plain decimal text with at most 6 decimals (1e-6 USD, the circuit's unit). */
function strikeText(strike: number): string {
  return Number(strike.toFixed(6)).toString()
}

export function parseInstrumentId(id: string, field = 'instrument'): Instrument {
  const bad = (why: string) =>
    new InputError(
      field,
      'out_of_range',
      `${field} ${JSON.stringify(id)} is not an instrument id: ${why}`,
    )
  if (id.length > 64) throw bad('longer than 64 characters')
  const parts = id.split('-')
  const underlying = parts[0] ?? ''
  if (!UNDERLYING.test(underlying))
    throw bad('the underlying must be A-Z0-9, starting with a letter')
  let instrument: Instrument
  if (parts.length === 2 && parts[1] === 'PERP') {
    instrument = { kind: 'perp', underlying }
  } else if (parts.length === 3 && parts[1] === 'FUT' && EXPIRY.test(parts[2]!)) {
    instrument = { kind: 'future', underlying, expiry: Number(parts[2]) }
  } else if (
    parts.length === 4 &&
    (parts[1] === 'C' || parts[1] === 'P') &&
    STRIKE.test(parts[2]!) &&
    Number(parts[2]) > 0 &&
    EXPIRY.test(parts[3]!)
  ) {
    instrument = {
      kind: 'option',
      underlying,
      type: parts[1] === 'C' ? 'call' : 'put',
      strike: Number(parts[2]),
      expiry: Number(parts[3]),
    }
  } else {
    throw bad('expected U-PERP, U-FUT-expiry, U-C-strike-expiry or U-P-strike-expiry')
  }
  if (formatInstrumentId(instrument) !== id)
    throw bad(`its canonical form is ${formatInstrumentId(instrument)}`)
  return instrument
}
