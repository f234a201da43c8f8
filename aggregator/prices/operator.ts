/**
 * The operator's hand on the local feed: set a price or move it by a
 * fraction, on purpose (demos, tests). The shape the operator HTTP route
 * calls; only the local feed offers it.
 */

export interface PriceMoved {
  /** The price now published. */
  readonly price: number
  /** The price before the move. */
  readonly previous: number
  /** When the moved price was published (unix seconds). */
  readonly publishTime: number
}

export interface PriceOperator {
  set(underlying: string, price: number): PriceMoved
  /** price *= 1 + fraction. */
  move(underlying: string, fraction: number): PriceMoved
}
