/**
 * `xmargin proof`: ask a running service for a solvency proof of the account
 * in the latest epoch (a signed ProofRequest), optionally posted to a chain's
 * SolvencyRegistry; with --wait, follow the job until it is done or failed,
 * and with --out, write the proof file that `xmargin verify` checks. Exit 0
 * done (or queued, without --wait); 1 failed, refused (no epoch yet, not in
 * the tree) or a service that does not answer; 2 bad input, naming the flag.
 */
import { writeFile } from 'node:fs/promises'
import { ApiError, type ProofJob } from '../../client/index.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_FAILURE, EXIT_OK, parseFlags, wholeNumberFlag } from '../command.ts'
import { API_FLAGS, API_HELP, clientFromFlags } from './account.ts'
import { refused } from './order.ts'

export const proofCommand: Command = {
  name: 'proof',
  summary: 'a solvency proof of the account in the latest epoch, from a running service',
  help: `Usage: xmargin proof [--chain C] [--wait] [--out proof.json] [--timeout S] [--json]
                     [--api URL] [--key K] [--account ADDRESS]

Asks the service to prove the account solvent in the latest committed epoch
(a signed ProofRequest): the service computes the circuit input and queues
the job; a prover worker proves it (seconds to a minute). The proof reveals
the state and market roots, the epoch, the account's hash and whether equity
covers maintenance and initial margin; nothing else.

  --chain C          also post the proof to chain C's SolvencyRegistry (its tx hash is shown)
  --wait             follow the job until it is done or failed (progress on stderr)
  --out F            write the proof file there (implies --wait); check it with 'xmargin verify'
  --timeout S        give up waiting after S seconds (default 600)
${API_HELP}
  --json             print the job as the API shows it (GET /v1/proofs/{id})

Exit status: 0 done (without --wait: queued); 1 failed or refused (no_epoch:
none committed yet; not_indexed: the account is not in the latest epoch);
2 bad input.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      ...API_FLAGS,
      chain: { type: 'string' },
      wait: { type: 'boolean' },
      out: { type: 'string' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    })
    if (values.chain !== undefined && !/^[a-z0-9-]{1,64}$/i.test(values.chain))
      throw new InputError(
        '--chain',
        'wrong_type',
        `--chain must be a chain's name, got ${values.chain}`,
      )
    const timeoutMs = wholeNumberFlag(values.timeout, 'timeout', 600) * 1000
    const client = clientFromFlags(values)
    const json = values.json === true
    let job: ProofJob
    try {
      job = await client.requestProof(values.chain !== undefined ? { chain: values.chain } : {})
    } catch (err) {
      if (err instanceof ApiError && err.field === 'message.chain')
        throw new InputError('--chain', 'unknown_reference', err.shortMessage)
      if (err instanceof ApiError) return refused(err, 'proof', io, json)
      throw err
    }
    if (!values.wait && values.out === undefined) {
      io.out(
        json
          ? `${JSON.stringify(job, null, 2)}\n`
          : `proof ${job.id}: ${job.state} (epoch ${job.epoch})\n`,
      )
      return EXIT_OK
    }
    io.err(`proof ${job.id}: ${job.state} (epoch ${job.epoch})\n`)
    let last = job.state
    const started = performance.now()
    job = await client.waitForProof(job.id, {
      timeoutMs,
      onPoll: (j) => {
        if (j.state === last) return
        last = j.state
        const s = ((performance.now() - started) / 1000).toFixed(1)
        io.err(`proof ${j.id}: ${j.state} (${s} s)\n`)
      },
    })
    if (values.out !== undefined && job.proof)
      await writeFile(values.out, `${JSON.stringify(job.proof, null, 2)}\n`)
    if (json) io.out(`${JSON.stringify(job, null, 2)}\n`)
    if (job.state === 'failed') {
      io.err(`xmargin proof: failed: ${job.error}\n`)
      return EXIT_FAILURE
    }
    if (!json) {
      const st = job.proof!.statement
      const what = st.coversMaintenance
        ? st.coversInitial
          ? 'solvent, covers initial margin'
          : 'solvent, below initial margin'
        : 'liquidatable'
      const where = values.out !== undefined ? `: proof written to ${values.out}` : ''
      io.out(`${what} in epoch ${job.epoch}${where}\n`)
      if (job.txHash) io.out(`posted to ${job.chain}: ${job.txHash}\n`)
    }
    return EXIT_OK
  },
}
