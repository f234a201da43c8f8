import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { isAddress } from 'viem'
import { prepareAccountProof } from '../../../circuits/account-proof.ts'
import { ensureCircuits } from '../../../circuits/ensure.ts'
import { progressBar } from '../../../circuits/progress-bar.ts'
import { proofFile } from '../../../circuits/proof-file.ts'
import { calculateWitness, circuitFigures, prove, releaseProver } from '../../../circuits/prover.ts'
import { readCircuitStatus } from '../../../circuits/setup-status.ts'
import { InputError, XmarginError } from '../../errors.ts'
import { validateInputs } from '../../risk/validate.ts'
import { type Command, EXIT_OK, parseFlags, requireFlag, wholeNumberFlag } from '../command.ts'
import { readJsonFile } from '../read-json.ts'

/** Not solvent, and no liquidation proof was asked for. */
export class NotSolventError extends XmarginError {
  override name = 'NotSolventError'
  constructor(equity: number, maintenance: number) {
    super(
      `the account is not solvent (equity ${equity.toFixed(6)} < maintenance margin ${maintenance.toFixed(6)} USD); pass --liquidation to prove that`,
      { code: 'not_solvent' },
    )
  }
}

/** Solvent, but a liquidation proof was asked for. */
export class NotLiquidatableError extends XmarginError {
  override name = 'NotLiquidatableError'
  constructor(equity: number, maintenance: number) {
    super(
      `the account is not liquidatable (equity ${equity.toFixed(6)} >= maintenance margin ${maintenance.toFixed(6)} USD)`,
      { code: 'not_liquidatable' },
    )
  }
}

function accountFlag(value: string | boolean | undefined): bigint {
  if (value === undefined) return 0n
  if (typeof value !== 'string' || !isAddress(value, { strict: false }))
    throw new InputError(
      '--account',
      'invalid_argument',
      `--account must be a 20-byte hex address, got ${String(value)}`,
    )
  return BigInt(value)
}

/**
 * Wait for the proving key: follow a build another process runs (`xmargin up`),
 * or build it here; either way with its progress on stderr. A build in place
 * is checked against its inputs and rebuilt if stale.
 */
export async function circuitReady(err: (line: string) => void): Promise<void> {
  const status = readCircuitStatus()
  if (status?.state === 'setting_up')
    err(
      'circuit: setting_up (another process is building the proving key); proving once it is ready\n',
    )
  else if (status === undefined)
    err(
      'circuit: setting_up (not built yet: building the proving key, minutes); proving once it is ready\n',
    )
  await ensureCircuits({ onStatus: progressBar() })
}

export const proveCommand: Command = {
  name: 'prove',
  summary: 'prove an account solvent (or liquidatable) without revealing it',
  help: `Usage: xmargin prove --market M.json --params P.json --portfolio F.json --out proof.json
                     [--epoch N] [--account 0x...] [--liquidation]

Builds the account's leaf and market table in the fixed point of spec section 8,
a one-account state tree, and a Groth16 proof of the solvency statement
(circuits/README.md). The proof reveals the state and market roots, the epoch,
Poseidon(account) and two bits: equity >= maintenance margin, equity >= initial
margin; nothing about positions or balances.

  --market F, --params F, --portfolio F   the XM-1 documents (as for 'margin')
  --out F          where to write the proof
  --epoch N        the epoch the roots belong to (default 0)
  --account A      the account's address (default the zero address)
  --liquidation    prove that the account is liquidatable instead

Exit status: 0 proof written; 1 the account is not solvent (or, with
--liquidation, not liquidatable), no proof written; 2 bad input.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      market: { type: 'string' },
      params: { type: 'string' },
      portfolio: { type: 'string' },
      out: { type: 'string' },
      epoch: { type: 'string' },
      account: { type: 'string' },
      liquidation: { type: 'boolean' },
    })
    const out = requireFlag(values.out, 'out')
    const inputs = validateInputs(
      await readJsonFile(requireFlag(values.market, 'market'), 'market'),
      await readJsonFile(requireFlag(values.params, 'params'), 'params'),
      await readJsonFile(requireFlag(values.portfolio, 'portfolio'), 'portfolio'),
    )
    const epoch = BigInt(wholeNumberFlag(values.epoch, 'epoch', 0))
    const accountId = accountFlag(values.account)
    await circuitReady((line) => io.err(line))
    const salt = BigInt(`0x${randomBytes(31).toString('hex')}`)
    const prepared = await prepareAccountProof({ inputs, accountId, salt, epoch })
    const figures = circuitFigures(await calculateWitness(prepared.input))
    if (!values.liquidation && !figures.coversMaintenance)
      throw new NotSolventError(figures.equity, figures.maintenanceMargin)
    if (values.liquidation && figures.coversMaintenance)
      throw new NotLiquidatableError(figures.equity, figures.maintenanceMargin)
    const { proof, publicSignals, proveMs } = await prove(prepared.input).finally(releaseProver)
    await writeFile(out, `${JSON.stringify(proofFile(proof, publicSignals), null, 2)}\n`)
    const what = figures.coversMaintenance
      ? figures.coversInitial
        ? 'solvent, covers initial margin'
        : 'solvent, below initial margin'
      : 'liquidatable'
    io.out(`${what}: proof written to ${out} (${(proveMs / 1000).toFixed(1)} s)\n`)
    return EXIT_OK
  },
}
