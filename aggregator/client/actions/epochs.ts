/**
 * Epochs as a trader audits them: the posted epochs and their published
 * market tables (public), and the account's own leaf opening with its
 * Merkle path in each (a signed ReadAccount).
 */

import type { MarketTableDocument } from '../../epochs/market.ts'
import type { LeafOpening } from '../../epochs/opening.ts'
import type { ClientContext } from '../context.ts'
import { ApiError } from '../errors.ts'
import { type Http, sendJson } from '../http.ts'
import { readAuth } from './account.ts'

export interface EpochSummaryView {
  readonly number: number
  readonly stateRoot: string
  readonly marketRoot: string
}

export interface EpochOpeningView {
  readonly epoch: number
  readonly leafIndex: string
  readonly leafHash: string
  readonly opening: LeafOpening
  readonly siblings: readonly string[]
  readonly stateRoot: string
}

/** Every committed epoch, oldest first (all pages of GET /v1/epochs). */
export async function listEpochs(http: Http): Promise<EpochSummaryView[]> {
  const all: EpochSummaryView[] = []
  let before: number | null = null
  for (;;) {
    const query: string = before === null ? '' : `&before=${before}`
    const page: { epochs: EpochSummaryView[]; next: number | null } = await sendJson(
      http,
      `/v1/epochs?limit=100${query}`,
    )
    all.push(...page.epochs)
    if (page.next === null) break
    before = page.next
  }
  return all.reverse()
}

/** The epoch's published market table (GET /v1/epochs/{n}). */
export async function epochMarket(http: Http, n: number): Promise<MarketTableDocument> {
  const { market } = await sendJson<{ market: MarketTableDocument }>(http, `/v1/epochs/${n}`)
  return market
}

/** The account's leaf in epoch n with its path; undefined when it has none there. */
export async function epochOpening(
  ctx: ClientContext,
  n: number,
): Promise<EpochOpeningView | undefined> {
  try {
    return await sendJson<EpochOpeningView>(
      ctx,
      `/v1/accounts/${ctx.address}/epochs/${n}/opening`,
      {
        headers: { 'x-xmargin-auth': await readAuth(ctx) },
      },
    )
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.code === 'not_indexed')
      return undefined
    throw err
  }
}
