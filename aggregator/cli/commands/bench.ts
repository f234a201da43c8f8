import { runRiskBench } from '../../bench/risk-bench.ts'
import { BENCH_SHAPE } from '../../bench/synthetic-book.ts'
import { needsBuild } from '../../chain/built.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_OK, parseFlags, wholeNumberFlag } from '../command.ts'

const TARGETS = `Targets: accountsPerSecond >= 1,000,000; tickMs <= 20; fullPassOverFloor <= 2; maxRelativeDifference <= 1e-9.`
const ORDERS_TARGETS = `Targets: fillsPerSecond >= 5,000 (one core); p99Ms <= 10 at 1,000 fills/s offered; tickToStreamMs <= 50.`
const ACCOUNTS_TARGETS = `Targets: creditsPerSecond >= 200 (the chains being the limit); p99Ms <= 1000; restartMs <= 5000.`

export const benchCommand: Command = {
  name: 'bench',
  summary: 'run a benchmark (risk, relay, prove, api, accounts, orders, epoch)',
  help: `Usage: xmargin bench risk [--accounts N] [--json]
       xmargin bench orders [--accounts N] [--database URL] [--json]
       xmargin bench epoch [--accounts N] [--json]
       xmargin bench accounts [--accounts N] [--json]
       xmargin bench api [--json]
       xmargin bench relay [--accounts N] [--json]
       xmargin bench prove [--json]

accounts: a burst of N (default 900) deposits on three local chains (one
publisher process each, confirmation depth 0) credited by the accounts service:
creditsPerSecond beside the chains' own minedPerSecond, p50Ms and p99Ms from
mined to credited; then restartMs, reopening a log of 1,000,000 events from its
latest snapshot, beside replayMs, folding all of it. ${ACCOUNTS_TARGETS}

orders: signed fills through POST /v1/fills with the pre-trade check over a
book of N (default 100,000) accounts, the service on one core, the load from a
worker thread: fillsPerSecond (closed loop) beside echoPerSecond (the same
server and client on a trivial route), p50Ms and p99Ms at 1,000 fills/s
offered, and tickToStreamMs: a price update to the last of 1,000 exposed
accounts' status events, p99. The store is PGlite in memory unless --database
names an empty PostgreSQL database (the production store). ${ORDERS_TARGETS}

epoch: an epoch over a synthetic book of N (default 100,000) accounts, each
with 8 positions over 2 of 4 underlyings and 3 collateral holdings, the store
PGlite in memory, the hub in memory: coldMs (every leaf derived, hashed and
stored, the tree built bottom-up) and incrementalMs (the next epoch after 1,000
accounts changed). Targets: coldMs <= 10000; incrementalMs <= 500.

api: POST /v1/margin on 16-position portfolios at 64 concurrent clients against
'xmargin serve' in its own process (10 s after a 2 s warm-up): requestsPerSecond,
p50Ms, p99Ms, and /health's latency probed meanwhile; beside it, the bare engine
on one thread over the same bodies. Target: healthP99Ms <= 50.

prove: one account at the solvency circuit's capacity: constraints, witnessMs,
proveMs (median of 5), verifyMs, and verifyGas of the generated verifier on a
local chain. Targets: proveMs <= 5,000; verifyGas <= 300,000.

relay: N (default 1,000) collateral updates from two spokes through the relayer
on local chains (confirmation depth 0): deliveriesPerSecond, p50Ms and p99Ms from
publish to delivered receipt. Targets: >= 50 per second, p99 <= 1,000 ms.

risk: ${BENCH_SHAPE.accounts.toLocaleString('en-US')} synthetic accounts, each with ${BENCH_SHAPE.positionsPerAccount} positions over ${BENCH_SHAPE.underlyingsPerAccount} underlyings
drawn from ${BENCH_SHAPE.instruments} instruments (half options) and ${BENCH_SHAPE.collateralPerAccount} collateral holdings. Reports
the batch engine's full pass, a one-underlying tick, the reference engine's
pass over the same book, peak RSS and the largest difference between them.
${TARGETS}

  --accounts N  book size (default ${BENCH_SHAPE.accounts}); for relay, the message count;
                for accounts, the deposits in the burst
  --json        print one JSON object`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      accounts: { type: 'string' },
      database: { type: 'string' },
      json: { type: 'boolean' },
    })
    if (positionals[0] === 'relay') {
      const { runRelayBench } = await needsBuild(() => import('../../bench/relay-bench.ts'))
      const result = await runRelayBench(wholeNumberFlag(values.accounts, 'accounts', 1000))
      io.out(
        values.json
          ? `${JSON.stringify(result)}\n`
          : `${table(result)}\nTargets: deliveriesPerSecond >= 50; p99Ms <= 1000.\n`,
      )
      return EXIT_OK
    }
    if (positionals[0] === 'accounts') {
      const { runAccountsBench, BURST_DEPOSITS } = await needsBuild(
        () => import('../../bench/accounts-bench.ts'),
      )
      const deposits = wholeNumberFlag(values.accounts, 'accounts', BURST_DEPOSITS)
      // at least one deposit per chain, or there is no burst to time
      if (deposits < 3)
        throw new InputError('--accounts', 'out_of_range', '--accounts must be >= 3 for accounts')
      const result = await runAccountsBench({ deposits, log: (line) => io.err(`${line}\n`) })
      io.out(
        values.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n${ACCOUNTS_TARGETS}\n`,
      )
      return EXIT_OK
    }
    if (positionals[0] === 'orders') {
      const { runOrdersBench } = await import('../../bench/orders-bench.ts')
      const accounts = wholeNumberFlag(values.accounts, 'accounts', 100_000)
      if (accounts < 3_000)
        throw new InputError('--accounts', 'out_of_range', '--accounts must be >= 3000 for orders')
      const result = await runOrdersBench({
        accounts,
        ...(values.database !== undefined && { database: values.database }),
        log: (line) => io.err(`${line}\n`),
      })
      io.out(values.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n${ORDERS_TARGETS}\n`)
      return EXIT_OK
    }
    if (positionals[0] === 'epoch') {
      const { runEpochBench, EPOCH_TARGETS } = await import('../../bench/epoch-bench.ts')
      const accounts = wholeNumberFlag(values.accounts, 'accounts', 100_000)
      if (accounts < 1_000)
        throw new InputError('--accounts', 'out_of_range', '--accounts must be >= 1000 for epoch')
      const result = await runEpochBench({
        accounts,
        changed: 1_000,
        log: (line) => io.err(`${line}\n`),
      })
      io.out(values.json ? `${JSON.stringify(result)}\n` : `${table(result)}\n${EPOCH_TARGETS}\n`)
      return EXIT_OK
    }
    if (positionals[0] === 'api') {
      const { runApiBench } = await import('../../bench/api-bench.ts')
      const result = await runApiBench((line) => io.err(`${line}\n`))
      io.out(
        values.json
          ? `${JSON.stringify(result)}\n`
          : `${table(result)}\nTarget: healthP99Ms <= 50.\n`,
      )
      return EXIT_OK
    }
    if (positionals[0] === 'prove') {
      const { runProveBench } = await needsBuild(() => import('../../bench/prove-bench.ts'))
      const { ensureCircuits } = await import('../../../circuits/ensure.ts')
      const { progressBar } = await import('../../../circuits/progress-bar.ts')
      // the proving key first (a fresh clone has none), with its progress on stderr
      await ensureCircuits({ onStatus: progressBar() })
      const result = await runProveBench(5, (line) => io.err(`${line}\n`))
      io.out(
        values.json
          ? `${JSON.stringify(result)}\n`
          : `${table(result)}\nTargets: proveMs <= 5000; verifyGas <= 300000.\n`,
      )
      return EXIT_OK
    }
    if (positionals[0] !== 'risk') {
      throw new InputError(
        'benchmark',
        'invalid_argument',
        `unknown benchmark ${JSON.stringify(positionals[0] ?? '')}; try 'risk', 'relay', 'prove', 'api', 'accounts', 'orders' or 'epoch'`,
      )
    }
    const accounts = values.accounts === undefined ? BENCH_SHAPE.accounts : Number(values.accounts)
    if (!Number.isSafeInteger(accounts) || accounts < 1) {
      throw new InputError(
        '--accounts',
        'out_of_range',
        `--accounts must be a whole number >= 1, got ${values.accounts}`,
      )
    }
    const result = runRiskBench({ ...BENCH_SHAPE, accounts })
    if (values.json) io.out(`${JSON.stringify(result)}\n`)
    else
      io.out(
        `${Object.entries(result)
          .map(([k, v]) => `${k.padEnd(22)} ${v}`)
          .join('\n')}\n${TARGETS}\n`,
      )
    return EXIT_OK
  },
}

function table(result: object): string {
  return Object.entries(result)
    .map(([k, v]) => `${k.padEnd(22)} ${v}`)
    .join('\n')
}
