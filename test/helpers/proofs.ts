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

/** One leaf of a test epoch: whose, which example (healthy or liquidatable), at which index. */
export interface TestLeaf {
  readonly accountId: bigint
  readonly shape: 'healthy' | 'liquidatable'
  readonly index: number
  readonly salt: bigint
}

/**
 * An epoch of `leaves` in one state tree and one market table (the spec's
 * example market), with each leaf's prepared proof, in the leaves' order. A
 * hostile operator's epoch may hold two leaves naming one account.
 */
export async function epochOf(
  leaves: readonly TestLeaf[],
  epoch: bigint,
): Promise<{ proofs: PreparedProof[]; tree: StateTree }> {
  const hash = await poseidonHasher()
  const shapes = { healthy: specInputs(), liquidatable: liquidatableInputs() }
  const table = buildMarketTable(
    hash,
    shapes.healthy.market,
    shapes.healthy.params,
    [...shapes.healthy.portfolio.positions, ...shapes.liquidatable.portfolio.positions].map(
      (p) => p.instrument,
    ),
  )
  const tree = new StateTree(hash)
  for (const l of leaves)
    tree.set(l.index, leafHash(hash, accountLeaf(shapes[l.shape], table, l.accountId, l.salt)))
  const proofs: PreparedProof[] = []
  for (const l of leaves)
    proofs.push(
      await prepareAccountProof({
        inputs: shapes[l.shape],
        accountId: l.accountId,
        salt: l.salt,
        epoch,
        table,
        state: { tree, leafIndex: l.index },
      }),
    )
  return { proofs, tree }
}

/**
 * Two accounts in one state tree and one market table, at `epoch`, at the
 * leaf indices the hub assigned them (by default 0 and 1: the healthy one
 * credited first).
 */
export async function twoAccountEpoch(
  ids: { healthy: bigint; liquidatable: bigint },
  epoch: bigint,
  indices: { healthy: number; liquidatable: number } = { healthy: 0, liquidatable: 1 },
): Promise<EpochAccounts> {
  const { proofs, tree } = await epochOf(
    [
      { accountId: ids.healthy, shape: 'healthy', index: indices.healthy, salt: 11n },
      {
        accountId: ids.liquidatable,
        shape: 'liquidatable',
        index: indices.liquidatable,
        salt: 13n,
      },
    ],
    epoch,
  )
  return { healthy: proofs[0]!, liquidatable: proofs[1]!, tree }
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
