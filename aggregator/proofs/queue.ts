/**
 * The proof job queue: pg-boss 10 on the project's store. On PostgreSQL it
 * gets the connection string and its own pool; on PGlite it runs through the
 * store's handle (`db` option: parameterised SQL to query, multi-statement
 * migrations to exec), so one embedded store holds the accounts and the jobs.
 *
 * A worker takes one job at a time (FOR UPDATE SKIP LOCKED: two workers
 * never take the same job). A worker that dies mid-proof leaves its job
 * active; once the job's expiry passes, pg-boss's maintenance (run by every
 * queue with `supervise`) puts it back for another attempt, up to the retry
 * limit. A job ends once: completing or failing is fenced on the attempt
 * that took it (retry_count), so a worker whose job expired and was taken
 * again cannot write over the newer attempt, and nothing ends a job twice.
 */
import PgBoss from 'pg-boss'
import type { Address, Hex } from 'viem'
import { type ProofFile, proofFile } from '../../circuits/proof-file.ts'
import type { CircuitInput } from '../../circuits/witness.ts'
import type { Database } from '../../relayer/store/database.ts'
import { XmarginError } from '../errors.ts'

export const PROOF_QUEUE = 'solvency-proof'
const SCHEMA = 'pgboss'

/** What a job carries: enough for a worker anywhere that holds only the proving key. */
export interface ProofJobData {
  readonly account: Address
  /** Decimal. */
  readonly epoch: string
  /** The chain to post the proof to; null for none. */
  readonly chain: string | null
  readonly input: CircuitInput
}

/** What a finished job holds: the proof file, and the posting's tx hash when it named a chain. */
export interface ProofJobOutput {
  readonly proof?: ProofFile
  readonly txHash?: Hex
  readonly error?: string
}

export type ProofState = 'queued' | 'proving' | 'done' | 'failed'

/** A job as clients see it. */
export interface ProofJobView {
  readonly id: string
  readonly state: ProofState
  readonly account: Address
  readonly epoch: string
  /** '' for none. */
  readonly chain: string
  readonly proof?: ProofFile
  readonly txHash?: Hex
  readonly error?: string
  /** How many times a worker took it (1 on the first attempt). */
  readonly attempts: number
}

/** A job a worker took: fenced on `attempt`. */
export interface TakenJob {
  readonly id: string
  readonly data: ProofJobData
  readonly attempt: number
}

export interface ProofQueueOptions {
  /** Attempts after the first, when a worker dies (the job expires). Default 3. */
  readonly retryLimit?: number
  /**
   * How long one attempt may stay active before it counts as a dead worker's
   * and is retried. Must exceed a proof's time. Default 600.
   */
  readonly expireInSeconds?: number
  /** How often expired attempts are looked for (one queue per interval does it). Default 10. */
  readonly maintenanceIntervalSeconds?: number
  /** Run the maintenance here. Default true. */
  readonly supervise?: boolean
}

const STATES: Record<PgBoss.JobWithMetadata['state'], ProofState> = {
  created: 'queued',
  retry: 'queued',
  active: 'proving',
  completed: 'done',
  cancelled: 'failed',
  failed: 'failed',
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** pg-boss on the store's own handle: no parameters, the SQL may hold several statements. */
function bossDb(db: Database): PgBoss.Db {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: values && values.length > 0 ? await db.query(text, values) : await db.exec(text),
    }),
  }
}

export class ProofQueue {
  private constructor(
    private readonly boss: PgBoss,
    private readonly options: ProofQueueOptions,
  ) {}

  /** `store`: the service's Database (PGlite or PostgreSQL), or a postgres:// URL. */
  static async open(
    store: Database | string,
    options: ProofQueueOptions = {},
  ): Promise<ProofQueue> {
    const boss = new PgBoss({
      ...(typeof store === 'string' ? { connectionString: store, max: 4 } : { db: bossDb(store) }),
      schema: SCHEMA,
      schedule: false,
      supervise: options.supervise ?? true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 10,
      // the states are read by id; no one watches counts
      monitorStateIntervalSeconds: 3600,
    })
    // pg-boss reports its own maintenance failures here; the next interval tries again
    boss.on('error', () => {})
    await boss.start()
    // idempotent: every service and worker creates it
    await boss.createQueue(PROOF_QUEUE, { name: PROOF_QUEUE }).catch(async (err) => {
      if (!(await boss.getQueue(PROOF_QUEUE))) throw err
    })
    return new ProofQueue(boss, options)
  }

  async send(data: ProofJobData): Promise<string> {
    const id = await this.boss.send(PROOF_QUEUE, data as unknown as object, {
      retryLimit: this.options.retryLimit ?? 3,
      retryDelay: 0,
      expireInSeconds: this.options.expireInSeconds ?? 600,
    })
    if (id === null) throw new XmarginError('the proof job was not queued', { code: 'not_queued' })
    return id
  }

  /** The job, or undefined for an id the queue never gave. */
  async get(id: string): Promise<ProofJobView | undefined> {
    if (!UUID.test(id)) return undefined
    const job = await this.boss.getJobById<ProofJobData>(PROOF_QUEUE, id, { includeArchive: true })
    if (!job) return undefined
    const output = (job.output ?? {}) as ProofJobOutput & { value?: { message?: string } }
    const state = STATES[job.state]
    const attempts = job.startedOn ? job.retryCount + 1 : 0
    const error =
      state !== 'failed'
        ? undefined
        : (output.error ?? output.value?.message ?? 'the job was cancelled or failed')
    return {
      id: job.id,
      state,
      account: job.data.account,
      epoch: job.data.epoch,
      chain: job.data.chain ?? '',
      ...(output.proof && { proof: canonical(output.proof) }),
      ...(output.txHash && { txHash: output.txHash }),
      ...(error !== undefined && { error: describeError(error, attempts) }),
      attempts,
    }
  }

  /** Take the next job, or undefined when none waits. */
  async take(): Promise<TakenJob | undefined> {
    const [job] = await this.boss.fetch<ProofJobData>(PROOF_QUEUE, {
      batchSize: 1,
      includeMetadata: true,
    })
    if (!job) return undefined
    return { id: job.id, data: job.data, attempt: job.retryCount }
  }

  /** End the attempt `job` with `output`: false when it is no longer this attempt's to end. */
  complete(job: TakenJob, output: ProofJobOutput): Promise<boolean> {
    return this.#end(job, 'completed', output)
  }

  /** End the attempt for good (a proof the circuit refuses does not get better on retry). */
  fail(job: TakenJob, output: ProofJobOutput & { error: string }): Promise<boolean> {
    return this.#end(job, 'failed', output)
  }

  async #end(job: TakenJob, state: 'completed' | 'failed', output: ProofJobOutput) {
    const { rows } = await this.boss.getDb().executeSql(
      `UPDATE ${SCHEMA}.job SET state = '${state}', completed_on = now(), output = $4::jsonb
         WHERE name = $1 AND id = $2 AND state = 'active' AND retry_count = $3 RETURNING id`,
      [PROOF_QUEUE, job.id, job.attempt, JSON.stringify(output)],
    )
    return rows.length === 1
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true, close: true })
  }
}

/**
 * jsonb keeps no key order, and `xmargin verify` compares the statement as
 * written: the file is rebuilt in the order proofFile writes it.
 */
function canonical(file: ProofFile): ProofFile {
  const { pi_a, pi_b, pi_c, protocol, curve } = file.proof
  return proofFile({ pi_a, pi_b, pi_c, protocol, curve }, file.publicSignals)
}

function describeError(error: string, attempts: number): string {
  return /failed by timeout/.test(error)
    ? `no prover finished it: ${attempts} attempts, each ended by its worker stopping or running past the expiry`
    : error
}
