/**
 * Solvency proofs for tests: a two-account epoch (one healthy, one
 * liquidatable) over the spec's example market, and proofs cached on disk by
 * proving key and input, since each takes seconds to make.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MarginInputs } from '../../aggregator/risk/types.ts'
import { validateInputs } from '../../aggregator/risk/validate.ts'
import { type PreparedProof, prepareAccountProof } from '../../circuits/account-proof.ts'
import { readCircuitInfo } from '../../circuits/build.ts'
import { buildMarketTable } from '../../circuits/market-table.ts'
import { poseidonHasher } from '../../circuits/poseidon.ts'
import { type ProofResult, prove } from '../../circuits/prover.ts'
import { StateTree } from '../../circuits/trees.ts'
import { accountLeaf, type CircuitInput, leafHash } from '../../circuits/witness.ts'
import { readDocuments, SPEC_EXAMPLE_DIR } from './documents.ts'

const CACHE = join(import.meta.dirname, '../../.cache/test-proofs')

export function specInputs(
  portfolioChange: (p: Record<string, unknown>) => void = () => {},
): MarginInputs {
  const docs = readDocuments(SPEC_EXAMPLE_DIR)
  portfolioChange(docs.portfolio)
  return validateInputs(docs.market, docs.params, docs.portfolio)
}

/** The spec example with so little cash that equity (>= 0) falls below maintenance margin. */
export const liquidatableInputs = () => specInputs((p) => (p['cash'] = -73_200.5))

export interface EpochAccounts {
  readonly healthy: PreparedProof
  readonly liquidatable: PreparedProof
  readonly tree: StateTree
}

/** Two accounts in one state tree and one market table, at `epoch`. */
export async function twoAccountEpoch(
  ids: { healthy: bigint; liquidatable: bigint },
  epoch: bigint,
): Promise<EpochAccounts> {
  const hash = await poseidonHasher()
  const healthy = specInputs()
  const liquidatable = liquidatableInputs()
  const table = buildMarketTable(
    hash,
    healthy.market,
    healthy.params,
    [...healthy.portfolio.positions, ...liquidatable.portfolio.positions].map((p) => p.instrument),
  )
  const tree = new StateTree(hash)
  tree.set(0, leafHash(hash, accountLeaf(healthy, table, ids.healthy, 11n)))
  tree.set(5, leafHash(hash, accountLeaf(liquidatable, table, ids.liquidatable, 13n)))
  return {
    healthy: await prepareAccountProof({
      inputs: healthy,
      accountId: ids.healthy,
      salt: 11n,
      epoch,
      table,
      state: { tree, leafIndex: 0 },
    }),
    liquidatable: await prepareAccountProof({
      inputs: liquidatable,
      accountId: ids.liquidatable,
      salt: 13n,
      epoch,
      table,
      state: { tree, leafIndex: 5 },
    }),
    tree,
  }
}

/** A proof of `input`, from the cache when this proving key proved it before. */
export async function cachedProof(input: CircuitInput): Promise<ProofResult> {
  const key = createHash('sha256')
    .update(readCircuitInfo()!.inputHash)
    .update(JSON.stringify(input))
    .digest('hex')
  const file = join(CACHE, `${key}.json`)
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as ProofResult
  const result = await prove(input)
  mkdirSync(CACHE, { recursive: true })
  writeFileSync(file, JSON.stringify(result))
  return result
}
