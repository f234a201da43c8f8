/**
 * The fuzz suite's hang detector: every engine, CLI and API call under test
 * runs in a child process (tasks.ts, over IPC with structured-clone
 * serialization), and the test waits for its answer at most a deadline
 * (generous: 5 s where a case takes milliseconds). A call that misses it is
 * killed with its process and answers `deadline`, so a hang fails its case,
 * with the case's seed, instead of hanging vitest; the next call gets a
 * fresh process.
 *
 * Why a deadline on a separate process and not a budget of computeMargin
 * calls: a budget sees only the loops that call the engine, while a deadline
 * also catches a hang in parsing, validation, the batch engine, the CLI or
 * the HTTP layer, and needs no hook in the code under test. Why a process
 * and not a worker thread: the CLI's modules load snarkjs, whose
 * `web-worker` dependency takes over any worker thread that imports it; a
 * process also survives a stack overflow or memory exhaustion of the case
 * (it gets `--max-old-space-size`), which comes back as `crash`.
 *
 * Not a timed assertion: the deadline is three orders of magnitude above a
 * case's time, so only a hang (or a pathological slowdown, a bug too)
 * misses it, even on a loaded 2-core CI machine; nothing asserts how fast a
 * case runs.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Outcome, Task, ThrownError } from './tasks.ts'

export const DEADLINE_MS = 5_000
/** Starting the process (tsx, then the engine's and the CLI's modules) is not part of any case. */
const STARTUP_MS = 60_000

export type Answer =
  | Outcome
  | { readonly kind: 'deadline'; readonly ms: number }
  | { readonly kind: 'crash'; readonly message: string }
  | { readonly kind: 'failure'; readonly error: ThrownError }

const ENTRY = fileURLToPath(new URL('./tasks.ts', import.meta.url))
const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

interface Host {
  readonly child: ChildProcess
  readonly ready: Promise<void>
}

export class DeadlineHost {
  #host: Host | undefined
  #next = 0
  readonly #pending = new Map<number, (answer: Answer) => void>()

  #start(): Host {
    if (this.#host) return this.#host
    const child = fork(ENTRY, [], {
      cwd: ROOT,
      execArgv: ['--import', 'tsx', '--max-old-space-size=512'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    })
    let stderr = ''
    child.stderr!.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-4000)
    })
    const host: Host = {
      child,
      ready: new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error('engine process did not start')),
          STARTUP_MS,
        )
        child.once('message', () => {
          clearTimeout(timer)
          resolve()
        })
        child.once('exit', () => {
          clearTimeout(timer)
          reject(new Error(`engine process exited while starting: ${stderr}`))
        })
      }),
    }
    host.ready.catch(() => {})
    child.on('message', (message: { id?: number; outcome?: Outcome; failure?: ThrownError }) => {
      if (message.id === undefined) return
      const settle = this.#pending.get(message.id)
      this.#pending.delete(message.id)
      settle?.(message.outcome ?? { kind: 'failure', error: message.failure! })
    })
    child.on('exit', (code, signal) => {
      if (this.#host !== host) return
      this.#host = undefined
      this.#failAll(`engine process exited (code ${code}, signal ${signal}): ${stderr}`)
    })
    this.#host = host
    return host
  }

  #failAll(message: string): void {
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const settle of pending) settle({ kind: 'crash', message })
  }

  /** Run one task; answers `deadline` if it takes longer than `deadlineMs` once the process is up. */
  async run(task: Task, deadlineMs = DEADLINE_MS): Promise<Answer> {
    const host = this.#start()
    await host.ready
    const id = this.#next++
    const started = performance.now()
    return new Promise<Answer>((resolve) => {
      const timer = setTimeout(() => {
        if (!this.#pending.delete(id)) return
        if (this.#host === host) this.#host = undefined
        this.#failAll('engine process killed at a deadline')
        host.child.kill('SIGKILL')
        resolve({ kind: 'deadline', ms: performance.now() - started })
      }, deadlineMs)
      this.#pending.set(id, (answer) => {
        clearTimeout(timer)
        resolve(answer)
      })
      host.child.send({ id, task })
    })
  }

  close(): void {
    const host = this.#host
    this.#host = undefined
    host?.child.kill('SIGKILL')
  }
}
