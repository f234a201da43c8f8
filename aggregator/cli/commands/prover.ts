/**
 * `xmargin prover`: a proof worker against the service's PostgreSQL. It
 * builds or loads the proving key first (progress on stderr, as `xmargin
 * prove`), then takes proof jobs, proves them, posts those that name a chain,
 * and records the proof file. Any number of them, on any machines, share one
 * database; a worker killed mid-proof loses no job (it is retried once its
 * attempt expires) and no job is done twice.
 */
import { existsSync } from 'node:fs'
import { releaseProver } from '../../../circuits/prover.ts'
import { DEVNET_DEPLOYER_KEY } from '../../devnet/chains.ts'
import { readManifest } from '../../devnet/manifest.ts'
import { InputError } from '../../errors.ts'
import { createLogger } from '../../log.ts'
import { type PostProof, ProofQueue, ProofWorker, registryPoster } from '../../proofs/index.ts'
import { type Command, EXIT_OK, parseFlags, wholeNumberFlag } from '../command.ts'
import { untilStopped } from '../until-stopped.ts'
import { privateKeyFlag } from '../wallet-flags.ts'
import { DEFAULT_MANIFEST } from './devnet.ts'
import { circuitReady } from './prove.ts'

export const proverCommand: Command = {
  name: 'prover',
  summary: "a proof worker on the service's PostgreSQL: takes proof jobs and proves them",
  help: `Usage: xmargin prover [--database URL] [--concurrency N] [--manifest FILE] [--key K]

Takes solvency proof jobs (POST /v1/proofs, 'xmargin proof') from the queue
in the service's store, proves each with the proving key (built or loaded
first, progress on stderr), posts it to the SolvencyRegistry of the chain
the job names, and records the proof file. Run as many as you like, on any
machines: they share the jobs through the database. A worker killed
mid-proof loses no job: another takes it once the attempt expires.
'xmargin up' runs one in process on its own store.

  --database URL     the service's PostgreSQL (default $DATABASE_URL)
  --concurrency N    jobs proved at once (default 1: one proof uses every core)
  --manifest FILE    the devnet manifest, for posting (default build/devnet.json
                     when it exists; without one, a job naming a chain fails)
  --key K            who pays for posting (default $XMARGIN_KEY, else the devnet deployer)

Progress on stderr, one line per job. Stops on SIGINT or SIGTERM once the
jobs being proved are done.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      database: { type: 'string' },
      concurrency: { type: 'string' },
      manifest: { type: 'string' },
      key: { type: 'string' },
    })
    const database = values.database ?? process.env['DATABASE_URL']
    if (database === undefined)
      throw new InputError(
        '--database',
        'missing_field',
        "--database is required (or set DATABASE_URL): the service's postgres:// URL",
      )
    if (!/^postgres(ql)?:\/\//.test(database))
      throw new InputError(
        '--database',
        'wrong_type',
        `--database must be a postgres:// URL (an embedded store is the service's own: 'xmargin up' proves in process), got ${database}`,
      )
    const concurrency = wholeNumberFlag(values.concurrency, 'concurrency', 1)
    if (concurrency < 1)
      throw new InputError('--concurrency', 'out_of_range', '--concurrency must be at least 1')
    const key =
      values.key !== undefined || process.env['XMARGIN_KEY'] !== undefined
        ? privateKeyFlag(values.key)
        : DEVNET_DEPLOYER_KEY
    const manifestPath = values.manifest ?? (existsSync(DEFAULT_MANIFEST) ? DEFAULT_MANIFEST : null)
    let post: PostProof | undefined
    if (manifestPath !== null) post = registryPoster(await readManifest(manifestPath), key)

    await circuitReady((line) => io.err(line))
    const queue = await ProofQueue.open(database)
    const worker = new ProofWorker({
      queue,
      concurrency,
      ...(post && { post }),
      logger: createLogger('xmargin-prover'),
      onEvent: (e) => {
        if (e.kind === 'taken') io.err(`proof ${e.id}: proving (attempt ${e.attempt + 1})\n`)
        else if (e.kind === 'proved')
          io.err(`proof ${e.id}: proved in ${(e.proveMs / 1000).toFixed(1)} s\n`)
        else if (e.kind === 'done')
          io.err(`proof ${e.id}: ${e.ended ? 'done' : 'already ended by another attempt'}\n`)
        else io.err(`proof ${e.id}: failed: ${e.error}\n`)
      },
    }).start()
    io.err(`prover: taking proof jobs (concurrency ${concurrency})\n`)
    await untilStopped()
    try {
      await worker.stop()
    } finally {
      await queue.stop()
      await releaseProver()
    }
    return EXIT_OK
  },
}
