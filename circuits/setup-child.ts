/**
 * The circuit setup in a child process, so the minutes of phase-2 work never
 * hold up the event loop of the process serving the API: the child runs
 * ensureCircuits and sends each status to its parent over IPC; the parent
 * keeps the latest, readable at once by the API's status endpoint.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { XmarginError } from '../aggregator/errors.ts'
import { ensureCircuits } from './ensure.ts'
import { type CircuitStatus, STARTING } from './setup-status.ts'

export interface CircuitSetup {
  /** The latest status. */
  status(): CircuitStatus
  /** Settles when the child ends: resolves once ready, rejects if the setup failed. */
  readonly done: Promise<void>
  /** Stop the child (a build cut short leaves no files; the next one starts over). */
  stop(): Promise<void>
}

const SELF = fileURLToPath(import.meta.url)

export function startCircuitSetup(onStatus: (s: CircuitStatus) => void = () => {}): CircuitSetup {
  let current: CircuitStatus = STARTING
  const set = (s: CircuitStatus) => {
    current = s
    onStatus(s)
  }
  // tsx's loader, as the CLI uses it; stdout and stderr stay the parent's business
  const child = fork(SELF, ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  child.on('message', (m) => set(m as CircuitStatus))
  const done = new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (code === 0 && current.state === 'ready') return resolve()
      const reason =
        current.state === 'failed'
          ? current.reason
          : `the setup process ended (${signal ?? `exit ${code}`})${stderr ? `: ${stderr.trim().split('\n').at(-1)}` : ''}`
      if (current.state !== 'failed') set({ state: 'failed', reason })
      reject(
        new XmarginError('the circuit setup failed', { code: 'build_failed', details: reason }),
      )
    })
  })
  done.catch(() => {})
  return {
    status: () => current,
    done,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}

async function runChild(): Promise<void> {
  // a message is delivered before the callback: the last one must arrive before we go
  const send = (s: CircuitStatus) =>
    new Promise<void>((resolve) => (process.send ? process.send(s, () => resolve()) : resolve()))
  // the parent is gone (killed): stop building rather than run on unobserved
  const orphaned = () => process.exit(1)
  process.on('disconnect', orphaned)
  // exit (not die) on SIGTERM, so the build lock is released on the way out
  process.on('SIGTERM', () => process.exit(143))
  try {
    // progress as it comes; `ready` once, awaited, below
    await ensureCircuits({ onStatus: (s) => s.state !== 'ready' && void send(s) })
    await send({ state: 'ready' })
    process.exitCode = 0
  } catch (err) {
    const e = err as XmarginError
    await send({
      state: 'failed',
      reason: [e.shortMessage ?? e.message, e.details].filter(Boolean).join(': '),
    })
    process.exitCode = 1
  }
  process.off('disconnect', orphaned)
  process.disconnect?.()
}

if (process.argv[1] === SELF && process.argv.includes('--child')) await runChild()
