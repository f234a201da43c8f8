/**
 * Poseidon over many input lists at once, on worker threads (piscina): a
 * cold epoch hashes every account's 14-input leaf (about 0.3 ms each), which
 * is most of its time on one core. Below `minBatch` lists, or with one core,
 * it hashes inline; the pool starts on first use and ends with `close`.
 */
import { availableParallelism } from 'node:os'
import { Piscina } from 'piscina'
import type { Hasher } from '../../circuits/poseidon.ts'

const WORKER = new URL('./hash-worker.js', import.meta.url)

export interface HashPoolOptions {
  /** Worker threads; default one per core (none with one core). */
  readonly threads?: number
  /** Fewer lists than this are hashed inline; default 4096. */
  readonly minBatch?: number
}

export class HashPool {
  readonly #threads: number
  readonly #minBatch: number
  #pool: Piscina<bigint[][], bigint[]> | undefined

  constructor(
    private readonly hash: Hasher,
    options: HashPoolOptions = {},
  ) {
    this.#threads = options.threads ?? availableParallelism()
    this.#minBatch = options.minBatch ?? 4096
  }

  /** Poseidon of each list, in order: the same values as `hash` gives one by one. */
  async hashMany(inputs: readonly bigint[][]): Promise<bigint[]> {
    if (inputs.length < this.#minBatch || this.#threads < 2)
      return inputs.map((xs) => this.hash(xs))
    this.#pool ??= new Piscina({
      filename: WORKER.href,
      minThreads: this.#threads,
      maxThreads: this.#threads,
      idleTimeout: 30_000,
    })
    const pool = this.#pool
    // a few chunks per thread, so a thread slowed by another process does not hold the rest back
    const size = Math.ceil(inputs.length / (this.#threads * 4))
    const chunks: Promise<bigint[]>[] = []
    for (let i = 0; i < inputs.length; i += size) chunks.push(pool.run(inputs.slice(i, i + size)))
    return (await Promise.all(chunks)).flat()
  }

  async close(): Promise<void> {
    const pool = this.#pool
    this.#pool = undefined
    await pool?.destroy()
  }
}
