/** The range options every adapter takes, checked once where it is made. */
import type { FinalRangeOptions } from '../chain/final-range.ts'
import { XmarginError } from '../errors.ts'

export function checkRangeOptions(o: FinalRangeOptions): void {
  const whole = (n: number, min: number) => Number.isSafeInteger(n) && n >= min
  if (!whole(o.confirmations, 0) || !whole(o.maxBlockRange, 1)) {
    throw new XmarginError('chain adapter options out of range', {
      code: 'invalid_argument',
      details: `confirmations ${o.confirmations} (a whole number >= 0), maxBlockRange ${o.maxBlockRange} (>= 1)`,
    })
  }
}
