import { requireCircuits } from '../../../circuits/build.ts'
import { parseProofFile, statementMatches } from '../../../circuits/proof-file.ts'
import { releaseProver, verify } from '../../../circuits/prover.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_FAILURE, EXIT_OK, parseFlags } from '../command.ts'
import { readJsonFile } from '../read-json.ts'

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check a solvency proof',
  help: `Usage: xmargin verify proof.json [--json]

Checks a proof written by 'xmargin prove' against this build's verification key
and prints its statement. It does not check that the roots were posted for the
epoch: the SolvencyRegistry on each chain does that.

Exit status: 0 valid, 1 invalid, 2 bad input (unreadable or malformed file).`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } })
    const path = positionals[0]
    if (path === undefined)
      throw new InputError(
        'proof',
        'missing_field',
        'name the proof file: xmargin verify proof.json',
      )
    const file = parseProofFile(await readJsonFile(path, 'proof'))
    requireCircuits()
    const valid =
      statementMatches(file) &&
      (await verify(file.proof, file.publicSignals).finally(releaseProver))
    if (values.json) io.out(`${JSON.stringify({ valid, statement: file.statement })}\n`)
    else io.out(valid ? `valid: ${JSON.stringify(file.statement)}\n` : 'invalid proof\n')
    return valid ? EXIT_OK : EXIT_FAILURE
  },
}
