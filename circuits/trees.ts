/**
 * The Poseidon Merkle trees the circuit opens: quaternary trees for the
 * market rows and the binary depth-20 state tree of account leaves. Empty
 * leaves are 0.
 */
import type { Hasher } from './poseidon.ts'

export const STATE_DEPTH = 20

/** Every level of a quaternary tree, leaves first. */
export function quadLevels(hash: Hasher, leaves: readonly bigint[], depth: number): bigint[][] {
  const width = 4 ** depth
  if (leaves.length > width)
    throw new RangeError(`${leaves.length} leaves do not fit a depth-${depth} tree`)
  const levels = [Array.from({ length: width }, (_, i) => leaves[i] ?? 0n)]
  for (let d = 0; d < depth; d++) {
    const below = levels[d]!
    const level: bigint[] = []
    for (let i = 0; i < below.length; i += 4) level.push(hash(below.slice(i, i + 4)))
    levels.push(level)
  }
  return levels
}

/** A sparse binary tree: only non-empty nodes are stored. */
export class StateTree {
  private readonly nodes: Map<number, bigint>[]
  private readonly zeros: bigint[]

  constructor(
    private readonly hash: Hasher,
    readonly depth = STATE_DEPTH,
  ) {
    this.nodes = Array.from({ length: depth + 1 }, () => new Map())
    this.zeros = [0n]
    for (let d = 0; d < depth; d++) this.zeros.push(hash([this.zeros[d]!, this.zeros[d]!]))
  }

  private node(level: number, index: number): bigint {
    return this.nodes[level]!.get(index) ?? this.zeros[level]!
  }

  set(index: number, leaf: bigint): void {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth)
      throw new RangeError(`leaf index ${index} is outside a depth-${this.depth} tree`)
    this.nodes[0]!.set(index, leaf)
    let i = index
    for (let d = 0; d < this.depth; d++) {
      i = Math.floor(i / 2)
      this.nodes[d + 1]!.set(i, this.hash([this.node(d, 2 * i), this.node(d, 2 * i + 1)]))
    }
  }

  get root(): bigint {
    return this.node(this.depth, 0)
  }

  path(index: number): { bits: number[]; siblings: bigint[] } {
    const bits: number[] = []
    const siblings: bigint[] = []
    let i = index
    for (let d = 0; d < this.depth; d++) {
      bits.push(i % 2)
      siblings.push(this.node(d, i ^ 1))
      i = Math.floor(i / 2)
    }
    return { bits, siblings }
  }
}
