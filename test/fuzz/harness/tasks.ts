/**
 * The fuzz suite's engine process (see deadline.ts): one engine, CLI or API
 * call per IPC message, answered with a plain, cloneable outcome. Whatever
 * the call throws comes back as data; only a hang or a crash of the process
 * itself is left for the test to see. Run with `node --import tsx`.
 */
import { isDeepStrictEqual } from 'node:util'
import { main } from '../../../aggregator/cli/main.ts'
import { ComputationError, InputError } from '../../../aggregator/errors.ts'
import { BatchEngine } from '../../../aggregator/risk/batch/engine.ts'
import { parseJsonText } from '../../../aggregator/risk/json-text.ts'
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../../../aggregator/risk/limits.ts'
import { computeMargin } from '../../../aggregator/risk/reference.ts'
import { marginReportFor } from '../../../aggregator/risk/report.ts'
import type { MarginFigures, MarginInputs, MarginReport } from '../../../aggregator/risk/types.ts'
import { validateInputs } from '../../../aggregator/risk/validate.ts'

export interface EngineDocs {
  readonly market: unknown
  readonly params: unknown
  readonly portfolio: unknown
}

export type Task =
  | {
      readonly kind: 'engine'
      /** The documents as objects (structured clone keeps NaN, -0, undefined), or as JSON text. */
      readonly docs?: EngineDocs
      readonly texts?: {
        readonly market: string
        readonly params: string
        readonly portfolio: string
      }
      readonly limits?: InputLimits
    }
  | { readonly kind: 'cli'; readonly argv: readonly string[] }
  | { readonly kind: 'spin' }

export interface ThrownError {
  readonly name: string
  readonly inputError: boolean
  readonly computationError: boolean
  readonly field: string | null
  readonly rule: string | null
  readonly message: string
  readonly stack: string | null
}

export type EngineOutcome =
  | {
      readonly kind: 'report'
      readonly report: MarginReport
      /** The documents changed under the call. */
      readonly mutated: boolean
      /** The batch engine's figures for the same account. */
      readonly batch: MarginFigures
      /** Sum of the magnitudes that enter equity and the scenarios: the scale of float rounding. */
      readonly gross: number
      /** Per holding: equity >= IM after withdrawing the reported amount (reference engine). */
      readonly withdrawalsHold: readonly boolean[]
    }
  | { readonly kind: 'error'; readonly error: ThrownError; readonly mutated: boolean }

export interface CliOutcome {
  readonly kind: 'cli'
  readonly code: number
  readonly out: string
  readonly err: string
}

export type Outcome = EngineOutcome | CliOutcome

function thrown(err: unknown): ThrownError {
  const e = err instanceof Error ? err : new Error(String(err))
  return {
    name: e.name,
    inputError: err instanceof InputError,
    computationError: err instanceof ComputationError,
    field: err instanceof InputError ? err.field : null,
    rule: err instanceof InputError ? err.rule : null,
    message: err instanceof InputError ? err.shortMessage : e.message,
    stack: e.stack ?? null,
  }
}

function grossOf(inputs: MarginInputs): number {
  const { market, portfolio } = inputs
  const spot = (u: string) => market.underlyings.get(u)!.price
  let gross = Math.abs(portfolio.cash)
  for (const c of portfolio.collateral) {
    const a = market.assets.get(c.asset)!
    gross += c.amount * (a.kind === 'fixed' ? a.price : spot(a.underlying))
  }
  for (const p of portfolio.positions) {
    const q = Math.abs(p.quantity)
    const s = spot(p.instrument.underlying)
    gross +=
      'entryPrice' in p
        ? q * (s + p.entryPrice)
        : q * (s + (p.instrument as { strike: number }).strike)
  }
  return gross
}

function withHolding(inputs: MarginInputs, index: number, amount: number): MarginInputs {
  const collateral = inputs.portfolio.collateral.map((c, i) => (i === index ? { ...c, amount } : c))
  return { ...inputs, portfolio: { ...inputs.portfolio, collateral } }
}

function runEngine(task: Extract<Task, { kind: 'engine' }>): EngineOutcome {
  const before = task.docs === undefined ? undefined : structuredClone(task.docs)
  const mutated = () => before !== undefined && !isDeepStrictEqual(before, task.docs)
  try {
    const docs: EngineDocs = task.docs ?? {
      market: parseJsonText(task.texts!.market, { root: 'market', label: 'market' }),
      params: parseJsonText(task.texts!.params, { root: 'params', label: 'params' }),
      portfolio: parseJsonText(task.texts!.portfolio, { root: 'portfolio', label: 'portfolio' }),
    }
    const inputs = validateInputs(
      docs.market,
      docs.params,
      docs.portfolio,
      task.limits ?? DEFAULT_INPUT_LIMITS,
    )
    const report = marginReportFor(inputs)
    const batch = BatchEngine.build(inputs.market, inputs.params, [inputs.portfolio]).figures(0)
    const withdrawalsHold = report.withdrawable.map((w, i) => {
      const after = computeMargin(
        withHolding(inputs, i, inputs.portfolio.collateral[i]!.amount - w.amount),
      )
      return after.equity >= after.initialMargin
    })
    return {
      kind: 'report',
      report,
      mutated: mutated(),
      batch,
      gross: grossOf(inputs),
      withdrawalsHold,
    }
  } catch (err) {
    return { kind: 'error', error: thrown(err), mutated: mutated() }
  }
}

async function runCli(argv: readonly string[]): Promise<CliOutcome> {
  let out = ''
  let err = ''
  const code = await main(argv, {
    out: (t) => {
      out += t
    },
    err: (t) => {
      err += t
    },
  })
  return { kind: 'cli', code, out, err }
}

async function run(task: Task): Promise<Outcome> {
  switch (task.kind) {
    case 'engine':
      return runEngine(task)
    case 'cli':
      return runCli(task.argv)
    case 'spin':
      // The harness's own test: a call that never answers.
      for (;;) {}
  }
}

process.on('message', async ({ id, task }: { id: number; task: Task }) => {
  try {
    process.send!({ id, outcome: await run(task) })
  } catch (err) {
    process.send!({ id, failure: thrown(err) })
  }
})
process.send!({ ready: true })
