/**
 * What every fuzz case must end in: a report whose figures are finite and
 * consistent (spec section 6), or a clean input error naming a field; never
 * another error class, a hang or a crash of the engine thread.
 */
import { expect } from 'vitest'
import type { Answer } from './harness/deadline.ts'
import type { EngineOutcome, ThrownError } from './harness/tasks.ts'
import type { Expected } from './mutations.ts'

const INPUT_RULES = new Set([
  'wrong_type',
  'not_finite',
  'out_of_range',
  'missing_field',
  'unknown_field',
  'unknown_reference',
  'exactly_one',
  'missing_risk_params',
  'expired',
  'invalid_json',
  'invalid_argument',
  'too_many',
  'too_deep',
  'too_long',
  'duplicate_key',
])

function describeAnswer(answer: Answer): string {
  switch (answer.kind) {
    case 'deadline':
      return `no answer within the deadline (${Math.round(answer.ms)} ms): a hang`
    case 'crash':
      return `the engine process crashed: ${answer.message}`
    case 'failure':
      return `the harness failed: ${answer.error.stack}`
    case 'error':
      return `${answer.error.name}: ${answer.error.message}\n${answer.error.stack}`
    default:
      return answer.kind
  }
}

/** The answer came back from the engine (no hang, no crash). */
export function engineOutcome(answer: Answer): EngineOutcome {
  if (answer.kind !== 'report' && answer.kind !== 'error') expect.fail(describeAnswer(answer))
  if (answer.mutated) expect.fail('the engine changed its input documents')
  return answer
}

/** A clean input error: InputError with a known rule and a message naming its field. */
export function expectInputError(error: ThrownError, expected?: Expected): void {
  if (!error.inputError)
    expect.fail(`expected an InputError, got ${error.name}: ${error.message}\n${error.stack}`)
  expect(INPUT_RULES).toContain(error.rule)
  expect(error.field).toMatch(/\S/)
  expect(error.message).toContain(error.field)
  expect(error.message).not.toMatch(/\n/)
  if (expected) expect({ field: error.field, rule: error.rule }).toEqual(expected)
}

export interface ReportOptions {
  /** Collateral amounts in portfolio order, to bound each withdrawal. */
  readonly amounts: readonly number[]
  /** A profile past float64's range may end in computation_failed instead. */
  readonly mayOverflow: boolean
}

const finite = (x: unknown) => typeof x === 'number' && Number.isFinite(x)

/** Valid documents: a consistent report (or, past float64, a clean computation error). */
export function expectReport(answer: Answer, options: ReportOptions): void {
  const outcome = engineOutcome(answer)
  if (outcome.kind === 'error') {
    if (options.mayOverflow && outcome.error.computationError) return
    expect.fail(`valid documents were refused: ${describeAnswer(outcome)}`)
  }
  const r = outcome.report
  for (const key of [
    'equity',
    'spreadCredit',
    'scanRisk',
    'shortOptionMinimum',
    'maintenanceMargin',
    'initialMargin',
  ] as const) {
    if (!finite(r[key])) expect.fail(`${key} is ${r[key]}`)
  }
  expect(r.spreadCredit).toBeGreaterThanOrEqual(0)
  expect(r.shortOptionMinimum).toBeGreaterThanOrEqual(0)
  expect(r.maintenanceMargin).toBe(Math.max(r.scanRisk, r.shortOptionMinimum))
  expect(r.maintenanceMargin).toBeGreaterThanOrEqual(0)
  expect(r.initialMargin).toBeGreaterThanOrEqual(r.maintenanceMargin)
  if (r.maintenanceMargin === 0) expect(r.marginRatio).toBeNull()
  else expect(r.marginRatio).toBe(r.equity / r.maintenanceMargin)
  for (const [name, u] of Object.entries(r.underlyings)) {
    if (!finite(u.scanRisk) || u.scanRisk < 0) expect.fail(`${name}.scanRisk is ${u.scanRisk}`)
    if (u.scanRisk === 0) expect(u.scenario).toBeNull()
    else expect(u.scenario).toBeGreaterThanOrEqual(1)
    expect([null, ...Array.from({ length: 16 }, (_, k) => k + 1)]).toContain(u.scenario)
    expect([-1, 0, 1]).toContain(u.direction)
  }
  const status =
    r.equity >= r.initialMargin
      ? 'healthy'
      : r.equity >= r.maintenanceMargin
        ? 'restricted'
        : r.equity >= 0
          ? 'liquidatable'
          : 'bankrupt'
  expect(r.status).toBe(status)
  expect(Object.keys(r.liquidationPrices).sort()).toEqual(Object.keys(r.underlyings).sort())
  for (const [name, price] of Object.entries(r.liquidationPrices)) {
    if (price !== null && !(finite(price) && price > 0))
      expect.fail(`liquidationPrices.${name} is ${price}`)
  }
  expect(r.withdrawable).toHaveLength(options.amounts.length)
  r.withdrawable.forEach((w, i) => {
    const amount = options.amounts[i]!
    if (!(finite(w.amount) && w.amount >= 0 && w.amount <= amount))
      expect.fail(`withdrawable[${i}].amount is ${w.amount} of ${amount}`)
    if (!(finite(w.resolution) && w.resolution > 0))
      expect.fail(`withdrawable[${i}].resolution is ${w.resolution}`)
    if (r.status !== 'healthy') expect(w.amount).toBe(0)
    if (w.amount > 0 && !outcome.withdrawalsHold[i])
      expect.fail(`withdrawing ${w.amount} of holding ${i} leaves equity below initial margin`)
  })
  // The batch engine agrees up to float summation order, at the scale of the terms summed.
  const b = outcome.batch
  const tolerance = (x: number, y: number) =>
    Math.max(1e-6, 1e-9 * Math.max(Math.abs(x), Math.abs(y)), 1e-12 * outcome.gross * 16)
  for (const key of [
    'equity',
    'scanRisk',
    'spreadCredit',
    'shortOptionMinimum',
    'maintenanceMargin',
  ] as const) {
    if (!(Math.abs(r[key] - b[key]) <= tolerance(r[key], b[key])))
      expect.fail(`batch ${key} ${b[key]} vs reference ${r[key]} (gross ${outcome.gross})`)
  }
}

/** Invalid documents: a clean InputError, naming the expected field when one rule is broken. */
export function expectRefused(answer: Answer, expected?: Expected): void {
  const outcome = engineOutcome(answer)
  if (outcome.kind === 'report') {
    expect.fail(
      `broken documents were accepted${expected ? ` (expected ${expected.rule} at ${expected.field})` : ''}`,
    )
  }
  expectInputError(outcome.error, expected)
}

/** Any documents at all: a report, or a clean input error. */
export function expectReportOrRefusal(answer: Answer, options: ReportOptions): void {
  const outcome = engineOutcome(answer)
  if (outcome.kind === 'error' && outcome.error.inputError) expectInputError(outcome.error)
  else expectReport(outcome, options)
}
