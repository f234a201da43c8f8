/** The full answer for one account: spec section 7 plus liquidation prices and withdrawals. */
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './limits.ts'
import { liquidationPrice } from './liquidation-price.ts'
import { computeMargin } from './reference.ts'
import type { MarginInputs, MarginReport } from './types.ts'
import { validateInputs } from './validate.ts'
import { withdrawable } from './withdrawable.ts'

export function marginReportFor(inputs: MarginInputs): MarginReport {
  const figures = computeMargin(inputs)
  const liquidationPrices = Object.fromEntries(
    Object.keys(figures.underlyings).map((u) => [u, liquidationPrice(inputs, u)]),
  )
  return { ...figures, liquidationPrices, withdrawable: withdrawable(inputs, figures) }
}

/** Validate the three JSON documents and report; throws InputError on bad input. */
export function marginReport(
  market: unknown,
  params: unknown,
  portfolio: unknown,
  limits: InputLimits = DEFAULT_INPUT_LIMITS,
): MarginReport {
  return marginReportFor(validateInputs(market, params, portfolio, limits))
}
