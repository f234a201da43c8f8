import { describe, expect, it } from 'vitest'
import { finalRange } from './final-range.ts'

describe('finalRange', () => {
  it.each([
    { name: 'all final, within the limit', from: 10n, head: 20n, c: 2, max: 100, want: [10n, 18n] },
    { name: 'capped by maxBlockRange', from: 10n, head: 200n, c: 2, max: 5, want: [10n, 14n] },
    { name: 'one block a poll', from: 0n, head: 5n, c: 0, max: 1, want: [0n, 0n] },
    {
      name: 'the head itself with no confirmations',
      from: 7n,
      head: 7n,
      c: 0,
      max: 10,
      want: [7n, 7n],
    },
    { name: 'exactly head - confirmations', from: 18n, head: 20n, c: 2, max: 10, want: [18n, 18n] },
    {
      name: 'the cursor past the final blocks',
      from: 19n,
      head: 20n,
      c: 2,
      max: 10,
      want: undefined,
    },
    { name: 'a chain younger than its depth', from: 0n, head: 2n, c: 5, max: 10, want: undefined },
  ])('$name', ({ from, head, c, max, want }) => {
    const range = finalRange(from, head, { confirmations: c, maxBlockRange: max })
    expect(range && [range.from, range.to]).toEqual(want)
  })
})
