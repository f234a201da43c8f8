/**
 * A leaf's opening: every field the leaf hash takes, salt included, as
 * decimal strings. With it and the siblings a trader recomputes the leaf and
 * folds it up to the posted root (trust model: positions, `xmargin audit`).
 */
import type { Hasher } from '../../circuits/poseidon.ts'
import { STATE_DEPTH } from '../../circuits/trees.ts'
import { type AccountLeaf, type LeafHolding, leafHash } from '../../circuits/witness.ts'

export interface HoldingOpening {
  readonly index: number
  readonly qAbs: string
  readonly qNeg: 0 | 1
  readonly entry: string
}

export interface LeafOpening {
  readonly accountId: string
  readonly salt: string
  readonly cashAbs: string
  readonly cashNeg: 0 | 1
  readonly positions: readonly HoldingOpening[]
  readonly collateral: readonly HoldingOpening[]
}

const holdingOpening = (h: LeafHolding): HoldingOpening => ({
  index: h.index,
  qAbs: h.qAbs.toString(),
  qNeg: h.qNeg,
  entry: h.entry.toString(),
})
const holdingOf = (h: HoldingOpening): LeafHolding => ({
  index: h.index,
  qAbs: BigInt(h.qAbs),
  qNeg: h.qNeg,
  entry: BigInt(h.entry),
})

export function openingOf(leaf: AccountLeaf): LeafOpening {
  return {
    accountId: leaf.accountId.toString(),
    salt: leaf.salt.toString(),
    cashAbs: leaf.cashAbs.toString(),
    cashNeg: leaf.cashNeg,
    positions: leaf.positions.map(holdingOpening),
    collateral: leaf.collateral.map(holdingOpening),
  }
}

export function leafOf(o: LeafOpening): AccountLeaf {
  return {
    accountId: BigInt(o.accountId),
    salt: BigInt(o.salt),
    cashAbs: BigInt(o.cashAbs),
    cashNeg: o.cashNeg,
    positions: o.positions.map(holdingOf),
    collateral: o.collateral.map(holdingOf),
  }
}

/** The root an opening and its siblings imply: what a trader compares with the posted one. */
export function rootOf(
  hash: Hasher,
  opening: LeafOpening,
  leafIndex: bigint,
  siblings: readonly bigint[],
): bigint {
  if (siblings.length !== STATE_DEPTH)
    throw new RangeError(`a path has ${STATE_DEPTH} siblings, got ${siblings.length}`)
  let node = leafHash(hash, leafOf(opening))
  let i = leafIndex
  for (const sibling of siblings) {
    node = i % 2n === 0n ? hash([node, sibling]) : hash([sibling, node])
    i /= 2n
  }
  return node
}
