/** The market table: what the circuit cannot commit to is refused by name, before any hashing. */
import { beforeAll, describe, expect, it } from 'vitest'
import { InputError } from '../aggregator/errors.ts'
import type { Instrument } from '../aggregator/risk/types.ts'
import { validateInputs } from '../aggregator/risk/validate.ts'
import { clone, readDocuments, SPEC_EXAMPLE_DIR } from '../test/helpers/documents.ts'
import { buildMarketTable } from './market-table.ts'
import { type Hasher, poseidonHasher } from './poseidon.ts'

type Docs = ReturnType<typeof readDocuments>
let hash: Hasher
beforeAll(async () => {
  hash = await poseidonHasher()
})

function table(change: (docs: Docs) => void, extra: Instrument[] = []) {
  const docs = clone(readDocuments(SPEC_EXAMPLE_DIR)) as Docs
  change(docs)
  const inputs = validateInputs(docs.market, docs.params, docs.portfolio)
  const instruments = [...inputs.portfolio.positions.map((p) => p.instrument), ...extra]
  return () => buildMarketTable(hash, inputs.market, inputs.params, instruments)
}

const underlying = (docs: Docs, name: string) =>
  (docs.market['underlyings'] as Record<string, Record<string, number>>)[name]!
const asset = (docs: Docs, name: string) =>
  (docs.market['assets'] as Record<string, Record<string, number>>)[name]!

describe('building the market table', () => {
  it('commits the spec example', () => {
    const built = table(() => {})()
    expect(built.marketRoot).toBeGreaterThan(0n)
    expect(built.instruments.every((r) => r.mark < 1n << 64n && r.som < 1n << 64n)).toBe(true)
  })

  it.each([
    {
      name: 'a perp whose mark is 2^64 in 1e-6 USD or more',
      build: () => table((d) => (underlying(d, 'BTC')['price'] = 2e13)),
      field: 'instrument perp|BTC.mark',
    },
    {
      name: 'an asset whose value per unit is 2^64 in 1e-6 USD or more',
      build: () => table((d) => (asset(d, 'USDC')['price'] = 2e13)),
      field: 'asset USDC.mark',
    },
    {
      name: 'more spread credits than the circuit takes',
      build: () =>
        table((d) => {
          d.params['spreadCredits'] = Array(5).fill({ legs: ['BTC', 'ETH'], rate: 0.1 })
        }),
      field: 'params.spreadCredits',
    },
    {
      name: 'more instruments than the market table holds',
      build: () =>
        table(
          () => {},
          Array.from({ length: 64 }, (_, i) => ({
            kind: 'future' as const,
            underlying: 'BTC',
            expiry: 1_800_000_000 + i * 86_400,
          })),
        ),
      field: 'instruments',
    },
  ])('refuses $name, naming $field', ({ build, field }) => {
    const attempt = build()
    expect(attempt).toThrow(InputError)
    expect(attempt).toThrow(expect.objectContaining({ field }))
  })
})
