/**
 * `xmargin <command>`: dispatch, --help, and the one place where errors
 * become exit codes (2 for bad input, with one line on stderr).
 */
import { InputError, XmarginError } from '../errors.ts'
import { type CliIo, type Command, EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK } from './command.ts'
import { accountCommand } from './commands/account.ts'
import { accountsCommand } from './commands/accounts.ts'
import { auditCommand } from './commands/audit.ts'
import { balancesCommand } from './commands/balances.ts'
import { benchCommand } from './commands/bench.ts'
import { ceremonyCommand } from './commands/ceremony.ts'
import { depositCommand } from './commands/deposit.ts'
import { devnetCommand } from './commands/devnet.ts'
import { guardianCommand } from './commands/guardian.ts'
import { marginCommand } from './commands/margin.ts'
import { orderCommand } from './commands/order.ts'
import { priceCommand } from './commands/price.ts'
import { proofCommand } from './commands/proof.ts'
import { proveCommand } from './commands/prove.ts'
import { proverCommand } from './commands/prover.ts'
import { relayerCommand } from './commands/relayer.ts'
import { serveCommand } from './commands/serve.ts'
import { upCommand } from './commands/up.ts'
import { verifyCommand } from './commands/verify.ts'
import { withdrawCommand } from './commands/withdraw.ts'

const COMMANDS: readonly Command[] = [
  upCommand,
  marginCommand,
  proveCommand,
  verifyCommand,
  serveCommand,
  accountsCommand,
  devnetCommand,
  depositCommand,
  balancesCommand,
  accountCommand,
  withdrawCommand,
  orderCommand,
  proofCommand,
  auditCommand,
  proverCommand,
  priceCommand,
  relayerCommand,
  guardianCommand,
  benchCommand,
  ceremonyCommand,
]

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`)
  return `Usage: xmargin <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun 'xmargin <command> --help' for a command's options.\n`
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage())
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.err(`xmargin: unknown command ${JSON.stringify(name)}; run 'xmargin --help'\n`)
    return EXIT_BAD_INPUT
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`${command.help}\n`)
    return EXIT_OK
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    return reportError(err, command.name, io)
  }
}

function reportError(err: unknown, command: string, io: CliIo): number {
  if (err instanceof InputError) {
    io.err(`xmargin ${command}: ${err.shortMessage.replaceAll('\n', ' ')}\n`)
    return EXIT_BAD_INPUT
  }
  if (err instanceof XmarginError) {
    io.err(`xmargin ${command}: ${err.shortMessage}\n`)
    return EXIT_FAILURE
  }
  io.err(
    `xmargin ${command}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  )
  return EXIT_FAILURE
}
