import { relative } from 'node:path'
import {
  BEACON_ITERATIONS,
  beacon,
  type Contribution,
  contribute,
  DEVELOPMENT_KEY_WARNING,
  defaultPtau,
  defaultR1cs,
  type KeyReport,
  verifyKey,
} from '../../../circuits/ceremony.ts'
import { releaseProver } from '../../../circuits/prover.ts'
import { InputError } from '../../errors.ts'
import {
  type CliIo,
  type Command,
  EXIT_FAILURE,
  EXIT_OK,
  parseFlags,
  requireFlag,
} from '../command.ts'

const DEFAULT_BEACON_NAME = 'beacon'

function iterationsFlag(value: string | boolean | undefined): number {
  if (value === undefined) return BEACON_ITERATIONS.default
  if (typeof value !== 'string' || !/^\d+$/.test(value))
    throw new InputError(
      '--iterations',
      'out_of_range',
      `--iterations must be a whole number in [${BEACON_ITERATIONS.min}, ${BEACON_ITERATIONS.max}], got ${String(value)}`,
    )
  return Number(value)
}

function describe(c: Contribution): string {
  const what =
    c.type === 'beacon'
      ? `beacon ${JSON.stringify(c.name)} (value ${c.beacon?.hash}, 2^${c.beacon?.iterationsExp} iterations)`
      : `contribution ${JSON.stringify(c.name)}`
  return `#${c.index} ${what}\n    ${c.hash}\n`
}

function printReport(report: KeyReport, paths: { r1cs: string; ptau: string }, io: CliIo) {
  const shown = (p: string) => relative(process.cwd(), p) || p
  io.out(`circuit hash ${report.circuitHash}\n`)
  const parties = `${report.parties} ${report.parties === 1 ? 'party' : 'parties'}`
  io.out(`${report.contributions.length} contributions, ${parties}:\n`)
  for (const c of report.contributions) io.out(describe(c))
  if (report.development) io.out(`${DEVELOPMENT_KEY_WARNING}\n`)
  else if (report.parties < 2)
    io.out(`warning: ${report.parties} party contributed entropy; a production key needs many\n`)
  if (report.contributions.at(-1)?.type !== 'beacon')
    io.out('note: no beacon closes the ceremony yet\n')
  io.out(
    report.valid
      ? `ok: the key derives from ${shown(paths.r1cs)} and ${shown(paths.ptau)}\n`
      : `FAILED: the key does not derive from ${shown(paths.r1cs)} and ${shown(paths.ptau)}: ${report.reason}\n`,
  )
}

async function runContribute(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    in: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    entropy: { type: 'string' },
    json: { type: 'boolean' },
  })
  const result = await contribute({
    input: requireFlag(values.in, 'in'),
    output: requireFlag(values.out, 'out'),
    name: requireFlag(values.name, 'name'),
    ...(values.entropy !== undefined && { entropy: values.entropy }),
  })
  io.out(
    values.json
      ? `${JSON.stringify(result)}\n`
      : `contribution hash ${result.hash}\nwritten to ${result.output}; publish the hash\n`,
  )
  return EXIT_OK
}

async function runBeacon(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    in: { type: 'string' },
    out: { type: 'string' },
    hash: { type: 'string' },
    iterations: { type: 'string' },
    name: { type: 'string' },
    json: { type: 'boolean' },
  })
  const result = await beacon({
    input: requireFlag(values.in, 'in'),
    output: requireFlag(values.out, 'out'),
    hash: requireFlag(values.hash, 'hash'),
    iterationsExp: iterationsFlag(values.iterations),
    name: values.name ?? DEFAULT_BEACON_NAME,
  })
  io.out(
    values.json
      ? `${JSON.stringify(result)}\n`
      : `beacon contribution hash ${result.hash}\nwritten to ${result.output}\n`,
  )
  return EXIT_OK
}

async function runVerify(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    zkey: { type: 'string' },
    r1cs: { type: 'string' },
    ptau: { type: 'string' },
    json: { type: 'boolean' },
  })
  const zkey = requireFlag(values.zkey, 'zkey')
  const r1cs = values.r1cs ?? (await defaultR1cs((line) => io.err(`${line}\n`)))
  const ptau = values.ptau ?? defaultPtau()
  const report = await verifyKey({ zkey, r1cs, ptau })
  if (values.json)
    io.out(
      `${JSON.stringify({ ...report, ...(report.development && { warning: DEVELOPMENT_KEY_WARNING }), r1cs, ptau })}\n`,
    )
  else printReport(report, { r1cs, ptau }, io)
  return report.valid ? EXIT_OK : EXIT_FAILURE
}

const SUBCOMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  contribute: runContribute,
  beacon: runBeacon,
  verify: runVerify,
}

export const ceremonyCommand: Command = {
  name: 'ceremony',
  summary: 'contribute to, close or check the Groth16 phase-2 proving key',
  help: `Usage: xmargin ceremony contribute --in K.zkey --out K2.zkey --name NAME [--entropy TEXT] [--json]
       xmargin ceremony beacon --in K.zkey --out K2.zkey --hash HEX [--iterations N] [--name NAME] [--json]
       xmargin ceremony verify --zkey K.zkey [--r1cs FILE] [--ptau FILE] [--json]

A production proving key rests on many parties (circuits/README.md, Ceremony):
each runs 'contribute' on the previous party's key in turn and publishes the
contribution hash it prints; a public random beacon closes the ceremony; anyone
runs 'verify'. The key is sound if one contributor destroyed its entropy. The
key 'npm run build:circuits' (and so 'npm start' and CI) makes has the build's
single contribution: a development key, not for production.

contribute:
  --in F, --out F   the previous key and the new one (written whole or not at all)
  --name NAME       the contributor, recorded in the key (at most 64 bytes)
  --entropy TEXT    mixed with 64 random bytes (default 32 random bytes); never printed

beacon:
  --hash HEX        the beacon's public value, fixed before it is known (a future
                    block hash, say): 16 to 255 bytes of hex
  --iterations N    it is hashed 2^N times, N in [${BEACON_ITERATIONS.min}, ${BEACON_ITERATIONS.max}] (default ${BEACON_ITERATIONS.default})
  --name NAME       recorded in the key (default "${DEFAULT_BEACON_NAME}")

verify: every contribution (name, hash), and whether the key derives from the
circuit and the powers of tau through them; says when it is the development key.
  --r1cs F          the circuit (default build/circuits/solvency.r1cs if present,
                    else circuits/solvency.circom compiled as the build does it)
  --ptau F          default the one the build used (build/circuits/info.json),
                    else ../shared/ptau/dev_16.ptau

Exit status: 0 done (verify: the key derives from them); 1 the key does not,
or a step failed; 2 bad input (naming the flag).`,
  async run(argv, io) {
    const [sub, ...rest] = argv
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub]
    if (run === undefined)
      throw new InputError(
        'subcommand',
        'invalid_argument',
        `name a subcommand: xmargin ceremony contribute|beacon|verify${sub === undefined ? '' : `, got ${JSON.stringify(sub)}`}`,
      )
    return run(rest, io).finally(releaseProver)
  },
}
