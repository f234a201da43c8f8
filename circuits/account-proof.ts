/**
 * From the engine's documents to a circuit input: the market table of the
 * account's instruments and every asset, the account's leaf, and (when no
 * state tree is given) a one-account state tree with the leaf at index 0.
 */
import type { MarginInputs } from '../aggregator/risk/types.ts'
import { buildMarketTable, type MarketTable } from './market-table.ts'
import { poseidonHasher } from './poseidon.ts'
import { StateTree } from './trees.ts'
import {
  type AccountLeaf,
  accountLeaf,
  type CircuitInput,
  circuitInput,
  leafHash,
  type Statement,
} from './witness.ts'

export interface AccountProofRequest {
  readonly inputs: MarginInputs
  readonly accountId: bigint
  readonly salt: bigint
  readonly epoch: bigint
  /** A state tree that already holds the leaf at `leafIndex`; omitted: a one-account tree. */
  readonly state?: { tree: StateTree; leafIndex: number }
  /** The epoch's market table; omitted: built from the account's own instruments. */
  readonly table?: MarketTable
}

export interface PreparedProof {
  readonly input: CircuitInput
  readonly statement: Statement
  readonly table: MarketTable
  readonly leaf: AccountLeaf
  readonly leafHash: bigint
}

export async function marketTableFor(inputs: MarginInputs): Promise<MarketTable> {
  const hash = await poseidonHasher()
  return buildMarketTable(
    hash,
    inputs.market,
    inputs.params,
    inputs.portfolio.positions.map((p) => p.instrument),
  )
}

export async function prepareAccountProof(req: AccountProofRequest): Promise<PreparedProof> {
  const hash = await poseidonHasher()
  const table = req.table ?? (await marketTableFor(req.inputs))
  const leaf = accountLeaf(req.inputs, table, req.accountId, req.salt)
  const leafValue = leafHash(hash, leaf)
  let state = req.state
  if (state === undefined) {
    const tree = new StateTree(hash)
    tree.set(0, leafValue)
    state = { tree, leafIndex: 0 }
  }
  const { input, statement } = circuitInput(
    table,
    state.tree,
    state.leafIndex,
    leaf,
    req.epoch,
    hash,
  )
  return { input, statement, table, leaf, leafHash: leafValue }
}
