/**
 * The trader's audit of an epoch, on an epoch the service committed: honest,
 * it is ok with the circuit's own figures; a doctored leaf, market table or
 * account is named as the difference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { poseidonHasher } from '../../circuits/poseidon.ts'
import { calculateWitness, circuitFigures } from '../../circuits/prover.ts'
import { openDatabase } from '../../relayer/store/database.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from '../../test/helpers/circuits.ts'
import { auditEpoch, type EpochEvidence } from './audit.ts'
import type { MarketTableDocument } from './market.ts'
import { type EpochWorld, epochWorld, portfolio, trader } from './test-world.ts'

const hash = await poseidonHasher()
const margin = async (input: Parameters<typeof calculateWitness>[0]) =>
  circuitFigures(await calculateWitness(input))
let world: EpochWorld
let honest: EpochEvidence

beforeAll(async () => {
  await circuitsReady()
  world = await epochWorld({ shared: await openDatabase('memory') })
  world.indices.credit(trader(1))
  world.accounts.set(trader(1), portfolio(5_000, 1))
  world.indices.credit(trader(2))
  world.accounts.set(trader(2), portfolio(800))
  const record = await world.service.commitNow()
  const posted = world.poster.posted.at(-1)!
  const opened = await world.service.opening(trader(1), record.number)
  honest = {
    epoch: record.number,
    posted: { stateRoot: posted.stateRoot, marketRoot: posted.marketRoot },
    market: (await world.service.get(record.number))!.market as MarketTableDocument,
    opening: { leafIndex: opened.leafIndex, opening: opened.opening, siblings: opened.siblings },
  }
}, CIRCUIT_WAIT_MS)
afterAll(async () => {
  await world?.close()
})

type Mutable = { -readonly [K in keyof EpochEvidence]: EpochEvidence[K] }

const doctor = (change: (e: Mutable) => void) => {
  const e = structuredClone(honest) as Mutable
  change(e)
  return e
}

describe('auditEpoch', () => {
  it('an honest epoch is ok, margined again by the circuit', async () => {
    const a = await auditEpoch(trader(1), honest, hash, margin)
    expect(a).toMatchObject({ status: 'ok', differences: [], leafIndex: 0n })
    expect(a.figures?.equity).toBeGreaterThan(0)
    expect(a.figures?.coversInitial).toBe(true)
  })

  it.each([
    [
      'a leaf with more collateral than the account has',
      (e: Mutable) => {
        const o = e.opening!.opening as unknown as { collateral: { qAbs: string }[] }
        o.collateral[0]!.qAbs = (BigInt(o.collateral[0]!.qAbs) * 2n).toString()
      },
      "the opened leaf and its path do not fold to the hub's state root",
    ],
    [
      'a doctored market table (a kinder mark)',
      (e: Mutable) => {
        const m = e.market as unknown as { instruments: { mark: string }[] }
        m.instruments[0]!.mark = (BigInt(m.instruments[0]!.mark) + 1n).toString()
      },
      "the published market table does not hash to the hub's market root",
    ],
    [
      'a root the hub does not hold',
      (e: Mutable) => {
        ;(e.posted as { stateRoot: bigint }).stateRoot += 1n
      },
      "the opened leaf and its path do not fold to the hub's state root",
    ],
  ])('names %s', async (_, change, difference) => {
    const a = await auditEpoch(trader(1), doctor(change), hash, margin)
    expect(a.status).toBe('differs')
    expect(a.differences).toContain(difference)
  })

  it("names another account's leaf opened as the trader's", async () => {
    const a = await auditEpoch(trader(2), honest, hash, margin)
    expect(a.status).toBe('differs')
    expect(a.differences[0]).toMatch(/is about account/)
  })

  it('an epoch without a leaf for the account is absent, not a difference', async () => {
    const a = await auditEpoch(trader(3), { ...honest, opening: undefined }, hash, margin)
    expect(a).toMatchObject({ status: 'absent', differences: [] })
  })
})
