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

/**
 * Sized so that the costliest admitted request (every position an option,
 * every holding a tracking asset, every underlying held) finishes well inside
 * the API's 5 s deadline on one core: about 1 s here.
 */
export const DEFAULT_INPUT_LIMITS: InputLimits = {
  maxPositions: 128,
  maxCollateral: 16,
  maxUnderlyings: 16,
  maxAssets: 16,
  maxSpreadCredits: 16,
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
