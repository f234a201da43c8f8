/**
 * The Poseidon commitments the circuit opens: the market tables (hashed
 * whole, 16 rows a permutation) and the binary depth-20 state tree of
 * account leaves. Empty rows and leaves are 0.
 */
import type { Hasher } from './poseidon.ts'

export const STATE_DEPTH = 20

/** A market table's row digests, padded with empty rows (0) to 2^bits. */
export function padTable(digests: readonly bigint[], bits: number): bigint[] {
  const width = 2 ** bits
  if (digests.length > width)
    throw new RangeError(`${digests.length} rows do not fit a table of ${width}`)
  return Array.from({ length: width }, (_, i) => digests[i] ?? 0n)
}

/** Poseidon over each group of 16 row digests, then Poseidon over the groups' digests. */
export function tableRoot(hash: Hasher, digests: readonly bigint[]): bigint {
  const groups: bigint[] = []
  for (let i = 0; i < digests.length; i += 16) groups.push(hash(digests.slice(i, i + 16)))
  return hash(groups)
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

  /**
   * Set many leaves at once, bottom-up: each node above them is hashed once
   * per call, not once per leaf (a cold build of n leaves is about n hashes,
   * not 20 n). Later entries for the same index win.
   */
  setMany(entries: Iterable<readonly [number, bigint]>): void {
    let dirty = new Set<number>()
    for (const [index, leaf] of entries) {
      if (!Number.isInteger(index) || index < 0 || index >= 2 ** this.depth)
        throw new RangeError(`leaf index ${index} is outside a depth-${this.depth} tree`)
      this.nodes[0]!.set(index, leaf)
      dirty.add(Math.floor(index / 2))
    }
    for (let d = 0; d < this.depth && dirty.size > 0; d++) {
      const above = new Set<number>()
      for (const i of dirty) {
        this.nodes[d + 1]!.set(i, this.hash([this.node(d, 2 * i), this.node(d, 2 * i + 1)]))
        above.add(Math.floor(i / 2))
      }
      dirty = above
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
