/**
 * GET /v1/markets: what the service margins with now (each underlying's
 * price and how far it can be trusted, every listed instrument with its mark,
 * the collateral assets and the XM-1 parameters). Public: nothing is signed.
 */
import { type Http, sendJson } from '../http.ts'
import type { MarketsView } from '../types.ts'

export function getMarkets(http: Http): Promise<MarketsView> {
  return sendJson<MarketsView>(http, '/v1/markets')
}
