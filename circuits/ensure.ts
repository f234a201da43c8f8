/**
 * Make sure the circuit is built, by whichever process gets there first:
 * take the build lock and build (reporting progress), or, if another process
 * holds it, follow that build's progress until it ends and look again. Used
 * by `xmargin prove`, the setup child of `xmargin up`, and the tests.
 */

import { buildCircuits, type CircuitInfo, readCircuitInfo } from './build.ts'
import { tryLock } from './build-lock.ts'
import { PHASE_LABELS, type Phase, SetupProgress } from './setup-progress.ts'
import {
  CIRCUIT_LOCK,
  type CircuitStatus,
  clearProgress,
  readCircuitStatus,
  type SettingUp,
  writeProgress,
} from './setup-status.ts'

export interface EnsureOptions {
  /** Each report while setting up (about twice a second), then `ready`. */
  readonly onStatus?: (status: CircuitStatus) => void
  readonly intervalMs?: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function buildLocked(onStatus: (s: CircuitStatus) => void, intervalMs: number) {
  const progress = new SetupProgress(readCircuitInfo()?.phaseMs)
  // an up-to-date check reports nothing: only a build, from its first phase on
  let building = false
  const reporter = {
    enter: (phase: Phase) => {
      building = true
      progress.enter(phase)
    },
    log: (line: string) => progress.log(line),
    finish: () => progress.finish(),
  }
  const report = () => {
    if (!building) return
    const s = progress.snapshot()
    const status: SettingUp = {
      state: 'setting_up',
      phase: PHASE_LABELS[s.phase],
      percent: s.percent,
      etaSeconds: s.etaSeconds,
    }
    writeProgress(status)
    onStatus(status)
  }
  const timer = setInterval(report, intervalMs)
  try {
    return await buildCircuits({ reporter })
  } finally {
    clearInterval(timer)
    clearProgress()
  }
}

export async function ensureCircuits(options: EnsureOptions = {}): Promise<CircuitInfo> {
  const onStatus = options.onStatus ?? (() => {})
  const intervalMs = options.intervalMs ?? 500
  for (;;) {
    const lock = tryLock(CIRCUIT_LOCK)
    if (lock) {
      try {
        const { info } = await buildLocked(onStatus, intervalMs)
        onStatus({ state: 'ready' })
        return info
      } finally {
        lock.release()
      }
    }
    // another process is building: follow it, then look again (its build may have failed)
    for (let s = readCircuitStatus(); s?.state === 'setting_up'; s = readCircuitStatus()) {
      onStatus(s)
      await sleep(intervalMs)
    }
  }
}
