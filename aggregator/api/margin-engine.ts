/**
 * What the API needs to margin a request: the body in, the report out. Two
 * implementations share one conformance suite: the worker pool the server
 * runs (MarginPool) and InlineMargin, on the caller's thread, for tools and
 * tests that want no threads.
 */
import { DEFAULT_JSON_LIMITS, type JsonLimits } from '../risk/json-text.ts'
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../risk/limits.ts'
import type { MarginReport } from '../risk/types.ts'
import { runMarginTask, taskError } from './margin-task.ts'

export interface MarginEngine {
  /** Throws InputError (400), UnavailableError (503) or DeadlineExceededError (504). */
  margin(body: string): Promise<MarginReport>
  close(): Promise<void>
}

export class InlineMargin implements MarginEngine {
  readonly #limits: InputLimits
  readonly #json: JsonLimits

  constructor(options: { readonly limits?: InputLimits; readonly json?: JsonLimits } = {}) {
    this.#limits = options.limits ?? DEFAULT_INPUT_LIMITS
    this.#json = options.json ?? DEFAULT_JSON_LIMITS
  }

  async margin(body: string): Promise<MarginReport> {
    const result = runMarginTask({ body, limits: this.#limits, json: this.#json })
    if (!result.ok) throw taskError(result)
    return result.report
  }

  async close(): Promise<void> {}
}
