/**
 * The circuit at witness level (no proving): its figures against the engine,
 * the outcome bits, and witnesses that must fail.
 */
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { computeMargin } from '../aggregator/risk/reference.ts'
import type { MarginInputs } from '../aggregator/risk/types.ts'
import { validateInputs } from '../aggregator/risk/validate.ts'
import { PORTFOLIO, SPREAD_CREDITS } from '../test/helpers/arbitraries.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from '../test/helpers/circuits.ts'
import { handDocuments } from '../test/helpers/documents.ts'
import { liquidatableInputs, specInputs } from '../test/helpers/proofs.ts'
import { prepareAccountProof } from './account-proof.ts'
import { FIELD } from './poseidon.ts'
import { type CircuitFigures, calculateWitness, circuitFigures, WitnessError } from './prover.ts'
import type { CircuitInput } from './witness.ts'

async function figures(inputs: MarginInputs): Promise<CircuitFigures> {
  const { input } = await prepareAccountProof({ inputs, accountId: 0x42n, salt: 9n, epoch: 3n })
  return circuitFigures(await calculateWitness(input))
}

/**
 * Spec section 8: the circuit never claims more than the engine (beyond the
 * engine's float error), and its conservative gap is the rounding of per-unit
 * figures: 1e-6 USD per unit held per holding, plus the rounding of rates and
 * the IM factor.
 */
function gap(inputs: MarginInputs): number {
  const units = [
    ...inputs.portfolio.positions.map((p) => Math.abs(p.quantity)),
    ...inputs.portfolio.collateral.map((c) => c.amount),
  ]
  return 2e-6 * (units.reduce((a, b) => a + b, 0) + units.length + 1)
}

function expectAgreement(circuit: CircuitFigures, inputs: MarginInputs): void {
  const engine = computeMargin(inputs)
  const floatError = 1e-9 * Math.max(1, Math.abs(engine.equity), engine.maintenanceMargin)
  const slack = gap(inputs)
  const credit = 1e-6 * (engine.scanRisk + engine.spreadCredit)
  expect(circuit.equity).toBeLessThanOrEqual(engine.equity + floatError)
  expect(circuit.equity).toBeGreaterThanOrEqual(engine.equity - slack - floatError)
  expect(circuit.maintenanceMargin).toBeGreaterThanOrEqual(engine.maintenanceMargin - floatError)
  expect(circuit.maintenanceMargin).toBeLessThanOrEqual(
    engine.maintenanceMargin + slack + credit + floatError,
  )
  // the outcome bits follow the status, except within the conservative gap of a threshold
  const near = (a: number, b: number) =>
    Math.abs(a - b) <= 2 * (slack + credit + floatError) + 1e-6 * Math.abs(b)
  if (!near(engine.equity, engine.maintenanceMargin))
    expect(circuit.coversMaintenance).toBe(engine.equity >= engine.maintenanceMargin)
  if (!near(engine.equity, engine.initialMargin))
    expect(circuit.coversInitial).toBe(engine.equity >= engine.initialMargin)
}

// needs the circuit's build: wait for it (test/helpers/circuits.ts)
beforeAll(() => circuitsReady(), CIRCUIT_WAIT_MS)

describe('the circuit against the engine', () => {
  it('the spec example: healthy, with figures within the section 8 bound', async () => {
    const inputs = specInputs()
    const circuit = await figures(inputs)
    expect(circuit).toMatchObject({ coversMaintenance: true, coversInitial: true })
    expectAgreement(circuit, inputs)
    expect(circuit.equity).toBeCloseTo(76_887.361026, 4)
    expect(circuit.maintenanceMargin).toBeCloseTo(6_443.418746, 4)
  })

  it.each([
    ['liquidatable', () => liquidatableInputs(), false, false],
    ['restricted', () => specInputs((p) => (p['cash'] = -70_100)), true, false],
    ['bankrupt', () => specInputs((p) => (p['cash'] = -90_000)), false, false],
  ])('a %s account has the outcome bits of its status', async (_, inputs, mm, im) => {
    const circuit = await figures(inputs())
    expect([circuit.coversMaintenance, circuit.coversInitial]).toEqual([mm, im])
  })

  it('on 200 random accounts, equity and margin agree within the bound and the bits match the status', async () => {
    const accounts = fc.sample(fc.tuple(PORTFOLIO, SPREAD_CREDITS), {
      numRuns: 200,
      seed: 20261122,
    })
    for (const [portfolio, spreadCredits] of accounts) {
      const docs = handDocuments(portfolio, { spreadCredits })
      const inputs = validateInputs(docs.market, docs.params, docs.portfolio)
      expectAgreement(await figures(inputs), inputs)
    }
  }, 600_000)
})

describe('witnesses the circuit must reject', () => {
  let base: CircuitInput
  beforeAll(async () => {
    base = (
      await prepareAccountProof({ inputs: specInputs(), accountId: 0x42n, salt: 9n, epoch: 3n })
    ).input
  })

  type Signal = string | Signal[]
  /** A copy of the base input with `value` written at `field[...at]`. */
  const edit = (...changes: [field: string, at: number[], value: Signal][]): CircuitInput => {
    const input = structuredClone(base) as Record<string, Signal>
    for (const [field, at, value] of changes) {
      if (at.length === 0) input[field] = value
      else {
        let node = input[field] as Signal[]
        for (const i of at.slice(0, -1)) node = node[i] as Signal[]
        node[at.at(-1)!] = value
      }
    }
    return input as CircuitInput
  }
  const p = FIELD
  const big = (x: bigint) => x.toString()

  it.each<[string, string, number[], Signal]>([
    ['a quantity of 2^64', 'posQAbs', [0], big(1n << 64n)],
    ['a quantity of p - 1', 'posQAbs', [0], big(p - 1n)],
    ['a negative collateral amount smuggled as p - 5', 'colAmount', [0], big(p - 5n)],
    ['a collateral amount of 2^64', 'colAmount', [0], big(1n << 64n)],
    ['cash of 2^64', 'cashAbs', [], big(1n << 64n)],
    ['cash of p - 1', 'cashAbs', [], big(p - 1n)],
    ['an entry price of 2^48', 'posEntry', [0], big(1n << 48n)],
    ['a short flag of 2', 'posQNeg', [0], '2'],
    ['a wrong state root (leaf not in the tree)', 'stateRoot', [], '12345'],
    ['a wrong leaf index (the path of another leaf)', 'leafIndex', [], '1'],
    ['a leaf index of 2^20 (beyond the tree)', 'leafIndex', [], big(1n << 20n)],
    ['a leaf index of p - 1', 'leafIndex', [], big(p - 1n)],
    ['a changed position (the leaf no longer matches)', 'posQAbs', [0], '49999999'],
    ['a market row changed (a kinder risk array)', 'rowEntries', [2, 10], '0'],
    ['a wrong market root', 'marketRoot', [], '777'],
    ["a row digest of the market's instrument table changed", 'instrumentRows', [0], '5'],
    ["an unused row digest of the market's asset table changed", 'assetRows', [15], '5'],
    ['a wrong account id hash', 'accountIdHash', [], '1'],
    ["a holding placed in another underlying's slot", 'slotOf', [0], ['0', '1', '0', '0']],
    ['a holding in no slot', 'slotOf', [0], ['0', '0', '0', '0']],
    ['two slots with the same underlying', 'slotU', [2], '0'],
  ])('%s', async (_, field, at, value) => {
    await expect(calculateWitness(edit([field, at, value]))).rejects.toBeInstanceOf(WitnessError)
  })

  it('a market row re-split to hash alike (mark + 2^64, som - 1) fails the row range checks', async () => {
    // tag + 2^4 mark + 2^68 som is unchanged, so only the 64-bit checks stand in the way
    const marks = base['rowMark'] as string[]
    const soms = base['rowSom'] as string[]
    const held = base['posQAbs'] as string[]
    const h = soms.findIndex((som, i) => som !== '0' && held[i] !== '0')
    expect(h).toBeGreaterThanOrEqual(0)
    const resplit = edit(
      ['rowMark', [h], big(BigInt(marks[h]!) + (1n << 64n))],
      ['rowSom', [h], big(BigInt(soms[h]!) - 1n)],
    )
    const error = await calculateWitness(resplit).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WitnessError)
    expect(String((error as WitnessError).cause)).toMatch(/RowHash/)
  })

  it('garbage in an unused slot with quantity 0 is harmless', async () => {
    // the leaf fixes the slot's index and quantity; the row data is the prover's to choose
    const input = edit(
      ['rowEntries', [15], Array(16).fill(big(p - 999_999_999n))],
      ['rowMark', [15], '123456789'],
      ['rowSom', [15], '5'],
    )
    expect(circuitFigures(await calculateWitness(input))).toEqual(
      circuitFigures(await calculateWitness(base)),
    )
  })
})
