/**
 * What the live margin runs on besides prices: the collateral assets (fixed
 * price or tracking an underlying, with haircuts) and the XM-1 risk
 * parameters, as the spec's JSON documents (section 2), validated once at
 * start. The defaults are the devnet's assets and the spec's example
 * parameters.
 */

import { DEVNET_ASSETS, DEVNET_RISK_PARAMS } from '../devnet/market.ts'
import type { RiskParams } from '../risk/types.ts'
import { validateParams } from '../risk/validate.ts'

export interface MarginConfig {
  /** market.assets of spec 2.1. */
  readonly assets: Readonly<
    Record<string, { price?: number; underlying?: string; haircut: number }>
  >
  /** Spec 2.2. */
  readonly params: unknown
  /** How often the book is re-priced for the passage of time alone (options decay). */
  readonly timePassSeconds: number
}

export const DEFAULT_MARGIN_CONFIG: MarginConfig = {
  assets: DEVNET_ASSETS,
  params: DEVNET_RISK_PARAMS,
  timePassSeconds: 60,
}

export function riskParamsOf(config: MarginConfig): RiskParams {
  return validateParams(config.params, 'margin.params')
}
