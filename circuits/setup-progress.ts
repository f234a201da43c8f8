/**
 * Progress through the circuit build's phases, as a percentage and an
 * estimate of the time left. Each phase is weighted by how long it took in
 * the last build (info.json's phaseMs) or, before any, by the defaults below;
 * within a phase progress follows the clock (capped short of its end), and
 * the estimate is scaled by how fast this build has run so far. snarkjs's own
 * lines ("Writing points end B1: 30000/42244") are shown as the step, not
 * counted: a phase runs several such loops of very different lengths.
 */

export const PHASES = ['compile', 'newZKey', 'contribute', 'beacon', 'verify', 'export'] as const
export type Phase = (typeof PHASES)[number]

export const PHASE_LABELS: Record<Phase, string> = {
  compile: 'compiling the circuit',
  newZKey: 'phase-2 key from the ptau',
  contribute: 'phase-2 contribution',
  beacon: 'phase-2 beacon',
  verify: 'verifying the key',
  export: 'exporting the keys',
}

/**
 * Measured on the development machine (2 cores, 42,244 constraints, dev_16.ptau):
 * 280 s for a whole build alone; the split between phases from a build there
 * beside another CPU-bound job (626 s), scaled to that total.
 */
export const DEFAULT_PHASE_MS: Record<Phase, number> = {
  compile: 30_000,
  newZKey: 135_000,
  contribute: 20_000,
  beacon: 7_000,
  verify: 87_000,
  export: 1_000,
}

export interface ProgressSnapshot {
  readonly phase: Phase
  /** 0 to 99 until the build is done. */
  readonly percent: number
  readonly etaSeconds: number | null
  /** The last line snarkjs logged, if any. */
  readonly step?: string
}

export class SetupProgress {
  private readonly expected: Record<Phase, number>
  private readonly actual: Partial<Record<Phase, number>> = {}
  private phase: Phase = 'compile'
  private phaseStarted: number
  private step: string | undefined

  constructor(
    expected: Partial<Record<Phase, number>> | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.expected = { ...DEFAULT_PHASE_MS, ...expected }
    this.phaseStarted = now()
  }

  enter(phase: Phase): void {
    this.actual[this.phase] = this.now() - this.phaseStarted
    this.phase = phase
    this.phaseStarted = this.now()
    this.step = undefined
  }

  log(line: string): void {
    this.step = line.trim().slice(0, 80)
  }

  /** How long each finished phase took: recorded for the next build's estimate. */
  finish(): Record<Phase, number> {
    this.actual[this.phase] = this.now() - this.phaseStarted
    return Object.fromEntries(PHASES.map((p) => [p, Math.round(this.actual[p] ?? 0)])) as Record<
      Phase,
      number
    >
  }

  snapshot(): ProgressSnapshot {
    const index = PHASES.indexOf(this.phase)
    const done = PHASES.slice(0, index)
    const later = PHASES.slice(index + 1)
    const sum = (ps: readonly Phase[], f: (p: Phase) => number) => ps.reduce((s, p) => s + f(p), 0)
    const expectedDone = sum(done, (p) => this.expected[p])
    // this machine's speed relative to the expectation, from the phases it has finished
    // (bounded: one short phase on a busy machine says little about the rest)
    const measured = expectedDone > 0 ? sum(done, (p) => this.actual[p] ?? 0) / expectedDone : 1
    const rate = Math.min(Math.max(measured, 0.5), 2.5)
    const elapsed = this.now() - this.phaseStarted
    const current = this.expected[this.phase]
    const inPhase = Math.min(elapsed / rate, current * 0.99)
    const total = sum(PHASES, (p) => this.expected[p])
    const leftMs =
      Math.max(current * rate - elapsed, 0) + sum(later, (p) => this.expected[p]) * rate
    return {
      phase: this.phase,
      percent: Math.min(99, Math.floor(((expectedDone + inPhase) / total) * 100)),
      etaSeconds: Math.round(leftMs / 1000),
      ...(this.step === undefined ? {} : { step: this.step }),
    }
  }
}
