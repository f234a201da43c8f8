/**
 * What the circuit's setup is doing, as the API, `xmargin prove` and the
 * tests report it: ready, setting up (phase, percent, an estimate of the time
 * left), or failed. A builder writes its progress to build/circuits.progress.json
 * while it holds build/circuits.lock, so any process can read it.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { writeAtomic } from '../contracts/build.ts'
import { CIRCUIT_BUILD_DIR, circuitsBuilt } from './build.ts'
import { lockHolder } from './build-lock.ts'

export type CircuitStatus =
  | { state: 'ready' }
  | { state: 'setting_up'; phase: string; percent: number; etaSeconds: number | null }
  | { state: 'failed'; reason: string }

export type SettingUp = Extract<CircuitStatus, { state: 'setting_up' }>

export const CIRCUIT_LOCK = join(CIRCUIT_BUILD_DIR, '../circuits.lock')
const PROGRESS_FILE = join(CIRCUIT_BUILD_DIR, '../circuits.progress.json')

/** Before the builder's first report. */
export const STARTING: SettingUp = {
  state: 'setting_up',
  phase: 'starting',
  percent: 0,
  etaSeconds: null,
}

export function writeProgress(status: SettingUp): void {
  writeAtomic(PROGRESS_FILE, JSON.stringify(status))
}

export function clearProgress(): void {
  rmSync(PROGRESS_FILE, { force: true })
}

/** The running build's last report (STARTING until its first). */
export function readProgress(): SettingUp {
  try {
    return JSON.parse(readFileSync(PROGRESS_FILE, 'utf8')) as SettingUp
  } catch {
    return STARTING
  }
}

/**
 * From files alone: setting up while a live process holds the lock, ready
 * when a build is in place, undefined when there is none and none running.
 */
export function readCircuitStatus(): CircuitStatus | undefined {
  if (lockHolder(CIRCUIT_LOCK) !== undefined) return readProgress()
  return circuitsBuilt() ? { state: 'ready' } : undefined
}

/** One line: `setting_up: phase-2 contribution 42% (about 3 min left)`. */
export function describeStatus(s: CircuitStatus): string {
  if (s.state !== 'setting_up') return s.state === 'ready' ? 'ready' : `failed: ${s.reason}`
  return `setting_up: ${s.phase} ${s.percent}%${s.etaSeconds === null ? '' : ` (${formatEta(s.etaSeconds)} left)`}`
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s`
  return `about ${Math.round(seconds / 60)} min`
}

export const hasProgressFile = () => existsSync(PROGRESS_FILE)
