/**
 * One margin request's work, as a pool worker runs it: parse the body,
 * validate, report. Errors come back as values, because an error's class does
 * not survive the trip between threads and the edge maps them by class.
 */
import { ComputationError, InputError, type InputRule } from '../errors.ts'
import { readObject } from '../risk/fields.ts'
import { type JsonLimits, parseJsonText } from '../risk/json-text.ts'
import type { InputLimits } from '../risk/limits.ts'
import { marginReport } from '../risk/report.ts'
import type { MarginReport } from '../risk/types.ts'

export interface MarginTask {
  /** The request body as received: parsing is part of the work kept off the event loop. */
  readonly body: string
  readonly limits: InputLimits
  readonly json: JsonLimits
}

export type MarginTaskResult =
  | { readonly ok: true; readonly report: MarginReport }
  | {
      readonly ok: false
      readonly error:
        | {
            readonly kind: 'input'
            readonly field: string
            readonly rule: InputRule
            readonly message: string
          }
        | { readonly kind: 'computation'; readonly message: string }
    }

export function runMarginTask(task: MarginTask): MarginTaskResult {
  try {
    const body = readObject(
      parseJsonText(task.body, { root: '', label: 'body', limits: task.json }),
      'body',
      ['market', 'params', 'portfolio'],
    )
    return {
      ok: true,
      report: marginReport(body['market'], body['params'], body['portfolio'], task.limits),
    }
  } catch (err) {
    if (err instanceof InputError) {
      return {
        ok: false,
        error: { kind: 'input', field: err.field, rule: err.rule, message: err.shortMessage },
      }
    }
    if (err instanceof ComputationError) {
      return { ok: false, error: { kind: 'computation', message: err.shortMessage } }
    }
    throw err
  }
}

/** The error a result stands for, rebuilt on the calling thread. */
export function taskError(result: Extract<MarginTaskResult, { ok: false }>): Error {
  const { error } = result
  return error.kind === 'input'
    ? new InputError(error.field, error.rule, error.message)
    : new ComputationError(error.message)
}
