/**
 * A prover worker: takes proof jobs from the queue, `concurrency` at a time,
 * proves each (circuits/prover.ts), posts it when the job names a chain, and
 * ends the job with the proof file or the reason it failed. Workers share
 * nothing but the queue, so any number of them, on any machines, can serve
 * one PostgreSQL.
 *
 * A circuit refusal (WitnessError) fails the job for good: the same input
 * fails again. A proof that the registry refuses, or that cannot be posted,
 * fails the job with the reason and keeps the proof. A worker that dies
 * leaves its job to expire and be retried (queue.ts).
 */
import type { Logger } from 'pino'
import { type ProofFile, proofFile } from '../../circuits/proof-file.ts'
import type { ProofResult } from '../../circuits/prover.ts'
import type { CircuitInput } from '../../circuits/witness.ts'
import { XmarginError } from '../errors.ts'
import { silentLogger } from '../log.ts'
import type { PostProof } from './post.ts'
import type { ProofJobOutput, ProofQueue, TakenJob } from './queue.ts'

export interface ProofWorkerOptions {
  readonly queue: ProofQueue
  /** Jobs proved at once. Default 1 (a proof already uses every core). */
  readonly concurrency?: number
  /** Default circuits/prover.ts prove. */
  readonly prove?: (input: CircuitInput) => Promise<ProofResult>
  /** Posts a proof to a chain's registry; absent: a job naming a chain fails. */
  readonly post?: PostProof
  /** Resolves once the proving key is ready; no job is taken before. */
  readonly ready?: () => Promise<void>
  /** Between looks at an empty queue. Default 500 ms. */
  readonly pollMs?: number
  readonly logger?: Logger
  /** Each job's progress, for the CLI's stderr and the tests. */
  readonly onEvent?: (event: WorkerEvent) => void
}

export type WorkerEvent =
  | { readonly kind: 'taken'; readonly id: string; readonly attempt: number }
  | { readonly kind: 'proved'; readonly id: string; readonly proveMs: number }
  | { readonly kind: 'done'; readonly id: string; readonly ended: boolean }
  | {
      readonly kind: 'failed'
      readonly id: string
      readonly error: string
      readonly ended: boolean
    }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export class ProofWorker {
  #stopping = false
  #proved = false
  #loops: Promise<void>[] = []
  #wake: (() => void)[] = []
  #stopped!: () => void
  readonly #stop = new Promise<false>((resolve) => {
    this.#stopped = () => resolve(false)
  })
  readonly #logger: Logger

  constructor(private readonly options: ProofWorkerOptions) {
    this.#logger = options.logger ?? silentLogger
  }

  start(): this {
    const n = Math.max(1, this.options.concurrency ?? 1)
    const ready = Promise.race([
      (this.options.ready?.() ?? Promise.resolve()).then(
        () => true,
        (err: unknown) => {
          this.#logger.error({ err }, 'the proving key is not ready; this worker takes no jobs')
          return false
        },
      ),
      // stopped before the key was ready: no job was taken, nothing to wait for
      this.#stop,
    ])
    for (let i = 0; i < n; i++)
      this.#loops.push(ready.then((ok) => (ok ? this.#loop() : undefined)))
    return this
  }

  /** Stop taking jobs; the jobs being proved finish first. */
  async stop(): Promise<void> {
    this.#stopping = true
    this.#stopped()
    for (const w of this.#wake) w()
    await Promise.all(this.#loops)
    // the default prover's thread pool would keep the process alive after everything stopped
    if (this.#proved && this.options.prove === undefined)
      await (await import('../../circuits/prover.ts')).releaseProver()
  }

  async #loop(): Promise<void> {
    const pollMs = this.options.pollMs ?? 500
    while (!this.#stopping) {
      let job: TakenJob | undefined
      try {
        job = await this.options.queue.take()
      } catch (err) {
        if (this.#stopping) return
        this.#logger.error({ err }, 'taking a proof job failed')
      }
      if (job) {
        await this.#run(job)
        continue
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs)
        this.#wake.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
      this.#wake = []
    }
  }

  async #run(job: TakenJob): Promise<void> {
    const { queue, onEvent } = this.options
    const log = this.#logger.child({ job: job.id, account: job.data.account })
    onEvent?.({ kind: 'taken', id: job.id, attempt: job.attempt })
    log.info({ attempt: job.attempt }, 'proving')
    let file: ProofFile | undefined
    try {
      const prove = this.options.prove ?? (await import('../../circuits/prover.ts')).prove
      this.#proved = true
      const result = await prove(job.data.input)
      file = proofFile(result.proof, result.publicSignals)
      onEvent?.({ kind: 'proved', id: job.id, proveMs: result.proveMs })
      const output: ProofJobOutput = { proof: file }
      if (job.data.chain !== null) {
        if (!this.options.post)
          throw new XmarginError(`this prover posts to no chain (asked: ${job.data.chain})`, {
            code: 'cannot_post',
          })
        const txHash = await this.options.post(job.data.chain, file)
        Object.assign(output, { txHash })
      }
      const ended = await this.#end(() => queue.complete(job, output))
      log.info({ ended, proveMs: Math.round(result.proveMs) }, 'proved')
      onEvent?.({ kind: 'done', id: job.id, ended })
    } catch (err) {
      const error = err instanceof XmarginError ? err.message : String(err)
      const ended = await this.#end(() =>
        queue.fail(job, { error, ...(file !== undefined && { proof: file }) }),
      )
      log.warn({ err, ended }, 'proof job failed')
      onEvent?.({ kind: 'failed', id: job.id, error, ended })
    }
  }

  /** End the attempt; a store that fails now is retried a few times, then the job is left to expire. */
  async #end(end: () => Promise<boolean>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await end()
      } catch (err) {
        if (attempt >= 4) {
          this.#logger.error({ err }, 'ending a proof job failed; it will expire and be retried')
          return false
        }
        await sleep(250 * 2 ** attempt)
      }
    }
  }
}
