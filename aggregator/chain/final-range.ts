/**
 * Which blocks a chain reader may read next: from its cursor up to
 * head - confirmations, at most `maxBlockRange` of them. Stopping short of
 * the head by the confirmation depth is what makes a reorg shallower than
 * that depth harmless: no block it can replace is ever read. Shared by the
 * relayer's watcher and the aggregator's chain adapters.
 */

export interface FinalRangeOptions {
  /** Blocks below the head before one counts as final (0: the head itself is). */
  readonly confirmations: number
  /** The most blocks one read may span (a node's getLogs limit; at least 1). */
  readonly maxBlockRange: number
}

/** The blocks [from, to] (inclusive), both final. */
export interface BlockRange {
  readonly from: bigint
  readonly to: bigint
}

/** The final blocks to read from `from` with the chain at `head`; undefined if none is final yet. */
export function finalRange(
  from: bigint,
  head: bigint,
  options: FinalRangeOptions,
): BlockRange | undefined {
  const safe = head - BigInt(options.confirmations)
  if (from > safe) return undefined
  const last = from + BigInt(options.maxBlockRange) - 1n
  return { from, to: last < safe ? last : safe }
}
