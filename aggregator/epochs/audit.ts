/**
 * The trader's audit of one epoch (trust model: positions, market data): the
 * account's opened leaf and its path must fold to the state root the HUB
 * holds (read from the hub, not from the operator's API), the published
 * market table must hash to the hub's market root, and the leaf is margined
 * again from those two alone, by the circuit's own witness.
 *
 * Does not check that the positions in the leaf are the ones the trader
 * signed: the audit prints them, and the trader compares them with their
 * fills (a position without the trader's signature is evidence against the
 * operator).
 */
import type { Address } from 'viem'
import { marketRootOf } from '../../circuits/market-table.ts'
import type { Hasher } from '../../circuits/poseidon.ts'
import type { StateTree } from '../../circuits/trees.ts'
import { circuitInput } from '../../circuits/witness.ts'
import { type MarketTableDocument, tableFromDocument } from './market.ts'
import { type LeafOpening, leafOf, rootOf } from './opening.ts'

export interface EpochEvidence {
  readonly epoch: bigint
  /** The roots the hub holds for the epoch. */
  readonly posted: { readonly stateRoot: bigint; readonly marketRoot: bigint }
  /** The market table the operator published for it. */
  readonly market: MarketTableDocument
  /** The account's leaf as the operator opens it; undefined when it says there is none. */
  readonly opening:
    | {
        readonly leafIndex: bigint
        readonly opening: LeafOpening
        readonly siblings: readonly bigint[]
      }
    | undefined
}

export interface MarginFigures {
  readonly equity: number
  readonly maintenanceMargin: number
  readonly initialMargin: number
  readonly coversMaintenance: boolean
  readonly coversInitial: boolean
}

export interface EpochAudit {
  readonly epoch: bigint
  /** ok: everything checks; absent: no leaf for the account; differs: see differences. */
  readonly status: 'ok' | 'absent' | 'differs'
  readonly differences: readonly string[]
  readonly leafIndex?: bigint
  readonly figures?: MarginFigures
}

/** The circuit's figures for a prepared input (the witness calculator, injected so tests can run it). */
export type Margin = (input: ReturnType<typeof circuitInput>['input']) => Promise<MarginFigures>

export async function auditEpoch(
  account: Address,
  e: EpochEvidence,
  hash: Hasher,
  margin: Margin,
): Promise<EpochAudit> {
  const differences: string[] = []
  const table = tableFromDocument(e.market)
  if (marketRootOf(hash, table) !== e.posted.marketRoot)
    differences.push("the published market table does not hash to the hub's market root")
  if (!e.opening) {
    return differences.length > 0
      ? { epoch: e.epoch, status: 'differs', differences }
      : { epoch: e.epoch, status: 'absent', differences }
  }
  const { leafIndex, opening, siblings } = e.opening
  if (BigInt(opening.accountId) !== BigInt(account))
    differences.push(
      `the opened leaf is about account ${opening.accountId}, not ${BigInt(account)}`,
    )
  if (rootOf(hash, opening, leafIndex, siblings) !== e.posted.stateRoot)
    differences.push("the opened leaf and its path do not fold to the hub's state root")
  if (differences.length > 0) return { epoch: e.epoch, status: 'differs', differences, leafIndex }
  const figures = await margin(statementInput(e, table, hash))
  return { epoch: e.epoch, status: 'ok', differences, leafIndex, figures }
}

/** The circuit input of the opened leaf: the path is the opening's, the root the hub's. */
function statementInput(
  e: EpochEvidence,
  table: ReturnType<typeof tableFromDocument>,
  hash: Hasher,
): ReturnType<typeof circuitInput>['input'] {
  const o = e.opening!
  // circuitInput reads only the root and the leaf's path of a tree
  const path = {
    root: e.posted.stateRoot,
    path: () => ({ bits: [], siblings: [...o.siblings] }),
  } as unknown as StateTree
  return circuitInput(table, path, Number(o.leafIndex), leafOf(o.opening), e.epoch, hash).input
}
