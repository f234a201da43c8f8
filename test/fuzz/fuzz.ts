/** Shared plumbing of the fuzz suite: properties that replay their regression seeds first. */
import fc from 'fast-check'
import { jsonText } from '../helpers/documents.ts'
import type { Docs } from './arbitraries.ts'
import { seedsOf } from './regressions.ts'

/**
 * Check an async property: first every recorded seed of `name` (regressions.ts),
 * then `numRuns` random cases. A failure reports its seed and path: record
 * them in regressions.ts once fixed.
 */
export async function fuzz<T>(
  name: string,
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  numRuns: number,
): Promise<void> {
  const property = fc.asyncProperty(arbitrary, predicate)
  for (const { seed, path } of seedsOf(name)) {
    await fc.assert(property, { seed, path, numRuns: 1, endOnFailure: true })
  }
  await fc.assert(property, { numRuns })
}

export function texts(docs: Docs): { market: string; params: string; portfolio: string } {
  return {
    market: jsonText(docs.market),
    params: jsonText(docs.params),
    portfolio: jsonText(docs.portfolio),
  }
}

/** The collateral amounts, where the documents have them (a report exists only if they do). */
export const amounts = (docs: Docs): number[] =>
  Array.isArray(docs.portfolio?.['collateral'])
    ? docs.portfolio['collateral'].map((c: { amount: number } | null) => c?.amount as number)
    : []
