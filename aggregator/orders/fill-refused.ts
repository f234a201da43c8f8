/**
 * A fill the pre-trade check refused, with its reason and its figures. It is
 * recorded (the fill id answers the same way for good) and leaves the API as
 * 422 with `error.figures`.
 */
import { XmarginError } from '../errors.ts'

export type RefusalCode =
  | 'insufficient_margin'
  | 'capacity'
  | 'stale_price'
  | 'limit_price'
  | 'overfilled'
  | 'not_listed'
  | 'order_expired'

export class FillRefused extends XmarginError {
  override name = 'FillRefused'
  constructor(
    readonly reason: RefusalCode,
    /** The submission's field the refusal is about. */
    readonly field: string,
    shortMessage: string,
    readonly figures: Readonly<Record<string, number>> | null = null,
  ) {
    super(shortMessage, { code: reason })
  }
}
