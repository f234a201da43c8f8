/**
 * How much one request may ask of the engine. A margin report costs about
 * (positions + holdings) x (underlyings + holdings) x a few hundred valuations,
 * so each count is bounded; the API and the CLI take these from their flags.
 * The circuit's own, smaller capacity binds only what is admitted to an
 * account (trust model E9), not what a what-if margin request may hold.
 */
import { InputError } from '../errors.ts'

export interface InputLimits {
  /** Positions in `portfolio.positions`. */
  readonly maxPositions: number
  /** Holdings in `portfolio.collateral`. */
  readonly maxCollateral: number
  /** Entries in `market.underlyings` and in `params.underlyings`, each. */
  readonly maxUnderlyings: number
  /** Entries in `market.assets`. */
  readonly maxAssets: number
  /** Entries in `params.spreadCredits`. */
  readonly maxSpreadCredits: number
}

export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxPositions: 128,
  maxCollateral: 32,
  maxUnderlyings: 32,
  maxAssets: 32,
  maxSpreadCredits: 32,
}

/** Throws `too_many` naming the field when a list or map holds more than `max` entries. */
export function checkCount(count: number, max: number, path: string, what: string): void {
  if (count > max) {
    throw new InputError(
      path,
      'too_many',
      `${path} holds ${count} ${what}; at most ${max} are allowed`,
    )
  }
}
