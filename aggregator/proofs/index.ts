/**
 * aggregator/proofs: the proofs capability. It owns solvency proofs on
 * demand: the job queue on the store (pg-boss 10 on PostgreSQL or PGlite,
 * queue.ts), what a job carries (the account, the epoch, the chain to post
 * to, and the circuit input computed here when the job is asked for, so a
 * worker anywhere needs only the proving key), the states clients see
 * (queued, proving, done with the proof file, failed with the reason), the
 * prover workers (worker.ts) and the posting of a proof to a chain's
 * SolvencyRegistry (post.ts). ProofService, here, is its entry: the API asks
 * it for jobs and reads them back.
 *
 * What it does not own: which epoch is latest and the account's place in its
 * tree (the epochs capability answers through ProofInputs), nor who may ask
 * (the API checks the signed request first).
 */
import type { Address } from 'viem'
import { InputError, XmarginError } from '../errors.ts'
import type { ProofInputRefusal, ProofInputs } from './inputs.ts'
import type { ProofJobView, ProofQueue } from './queue.ts'

export {
  NO_EPOCHS,
  type ProofInputAnswer,
  type ProofInputRefusal,
  type ProofInputs,
} from './inputs.ts'
export { type PostProof, registryPoster } from './post.ts'
export {
  PROOF_QUEUE,
  type ProofJobData,
  type ProofJobOutput,
  type ProofJobView,
  ProofQueue,
  type ProofQueueOptions,
  type ProofState,
  type TakenJob,
} from './queue.ts'
export { ProofWorker, type ProofWorkerOptions, type WorkerEvent } from './worker.ts'

/** No proof can be made for this account now: no epoch yet, or the account is not in its tree (409). */
export class ProofRefused extends XmarginError {
  override name = 'ProofRefused'
  constructor(
    readonly reason: ProofInputRefusal,
    shortMessage: string,
  ) {
    super(shortMessage, { code: reason })
  }
}

export interface ProofServiceOptions {
  readonly queue: ProofQueue
  readonly inputs: ProofInputs
  /** The chains a proof may be posted to, by name. */
  readonly chains: () => readonly string[]
}

export class ProofService {
  constructor(private readonly options: ProofServiceOptions) {}

  get queue(): ProofQueue {
    return this.options.queue
  }

  /**
   * Queue a proof of `account` in the latest epoch, posted to `chain` ('' for
   * none). InputError (field `field`) for an unknown chain; ProofRefused when
   * there is nothing to prove against.
   */
  async request(account: Address, chain: string, field = 'chain'): Promise<ProofJobView> {
    const chains = this.options.chains()
    if (chain !== '' && !chains.includes(chain)) {
      throw new InputError(
        field,
        'unknown_reference',
        `${field}: no chain ${JSON.stringify(chain)} (${chains.join(', ') || 'none'}; '' for none)`,
      )
    }
    const answer = await this.options.inputs.inputFor(account)
    if ('refused' in answer) throw new ProofRefused(answer.refused, answer.message)
    const id = await this.options.queue.send({
      account,
      epoch: answer.epoch.toString(),
      chain: chain === '' ? null : chain,
      input: answer.input,
    })
    return { id, state: 'queued', account, epoch: answer.epoch.toString(), chain, attempts: 0 }
  }

  /** The job, or undefined for an unknown id. */
  job(id: string): Promise<ProofJobView | undefined> {
    return this.options.queue.get(id)
  }
}
