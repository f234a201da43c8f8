/**
 * `xmargin withdraw`: ask a running service to withdraw collateral (a signed
 * Withdraw through the typed client) and, with --wait, follow it to where it
 * ends. Exit 0 only for a withdrawal that was accepted (and, with --wait,
 * paid); 1 for one refused, rejected, failed or expired; 2 for bad input.
 */
import {
  ApiError,
  decimalParts,
  formatAmount,
  type ResolvedWithdrawal,
  resolveWithdrawal,
  signingOf,
  type WithdrawalView,
} from '../../client/index.ts'
import {
  type CliIo,
  type Command,
  EXIT_FAILURE,
  EXIT_OK,
  parseFlags,
  requireFlag,
  wholeNumberFlag,
} from '../command.ts'
import { API_FLAGS, API_HELP, clientFromFlags } from './account.ts'

const DEFAULT_TIMEOUT_SECONDS = 900

export const withdrawCommand: Command = {
  name: 'withdraw',
  summary: 'withdraw collateral through a running service (and wait for the payout)',
  help: `Usage: xmargin withdraw --chain C --token T --amount A [--wait [--timeout S]] [--json]
                        [--api URL] [--key K] [--account ADDRESS]

Asks the service to withdraw: it checks the amount against what the account
can withdraw now (initial margin must still hold after it), then the hub
approves it and the relayer carries the approval to the chain's vault, which
pays. A refusal beyond withdrawable prints the most that can be withdrawn.

  --chain C          the chain, by name (arbitrum) or Wormhole chain id (23)
  --token T          the token, by symbol (USDC) or address
  --amount A         in token units, at most the token's decimals (2500.5)
  --wait             follow the withdrawal until paid, failed or expired; exit 0 only if paid
  --timeout S        with --wait, give up after S seconds (default ${DEFAULT_TIMEOUT_SECONDS}; exit 1)
${API_HELP}
  --json             print the withdrawal as the API returns it`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      ...API_FLAGS,
      chain: { type: 'string' },
      token: { type: 'string' },
      amount: { type: 'string' },
      wait: { type: 'boolean' },
      timeout: { type: 'string' },
      json: { type: 'boolean' },
    })
    const asked = {
      chain: requireFlag(values.chain, 'chain'),
      token: requireFlag(values.token, 'token'),
      amount: requireFlag(values.amount, 'amount'),
    }
    // What needs no service is checked before asking it anything: the amount's form first.
    decimalParts(asked.amount, '--amount')
    const timeoutSeconds = wholeNumberFlag(values.timeout, 'timeout', DEFAULT_TIMEOUT_SECONDS)
    const client = clientFromFlags(values)
    const plan = resolveWithdrawal(
      signingOf(await client.status(), client.api),
      asked,
      (f) => `--${f}`,
    )
    let withdrawal: WithdrawalView
    try {
      withdrawal = await client.withdraw({
        chain: plan.chain.wormholeChainId,
        token: plan.token.address,
        amount: asked.amount,
      })
    } catch (err) {
      if (err instanceof ApiError && err.code === 'exceeds_withdrawable')
        return refused(err, plan, io)
      throw err
    }
    if (values.wait && withdrawal.status !== 'rejected') {
      if (!values.json) io.err(`${describe(withdrawal, plan)}; waiting for the payout\n`)
      withdrawal = await client.waitForWithdrawal(withdrawal.id, {
        timeoutMs: timeoutSeconds * 1000,
      })
    }
    io.out(
      values.json ? `${JSON.stringify(withdrawal, null, 2)}\n` : `${describe(withdrawal, plan)}\n`,
    )
    const ok = values.wait ? withdrawal.status === 'paid' : withdrawal.status !== 'rejected'
    return ok ? EXIT_OK : EXIT_FAILURE
  },
}

function refused(err: ApiError, plan: ResolvedWithdrawal, io: CliIo): number {
  const allowed =
    err.allowed === undefined
      ? 'less'
      : `${formatAmount(err.allowed, plan.token.decimals)} ${plan.token.symbol}`
  io.err(
    `xmargin withdraw: exceeds_withdrawable: at most ${allowed} on ${plan.chain.name} can be withdrawn now (asked ${formatAmount(plan.amount, plan.token.decimals)})\n`,
  )
  return EXIT_FAILURE
}

function describe(w: WithdrawalView, plan: ResolvedWithdrawal): string {
  const what = `withdrawal ${w.id}: ${formatAmount(w.amount, plan.token.decimals)} ${plan.token.symbol} on ${w.chain}`
  const detail =
    w.status === 'paid'
      ? ` (tx ${w.paidTx})`
      : w.reason
        ? ` (${w.reason})`
        : w.expiry !== null
          ? ` (payout ${w.payoutId}, valid until ${new Date(w.expiry * 1000).toISOString()})`
          : ''
  return `${what} ${w.status}${detail}`
}
