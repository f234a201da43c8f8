/**
 * `xmargin order`: trade through a venue on a running service (a signed
 * Order through the typed client's placeOrder), and print the fill with the
 * account's margin after it. Exit 0 for a fill; 1 for a refusal (its code,
 * reason and, for a margin refusal, the figures behind it) or a service or
 * venue that does not answer; 2 for bad input, naming the flag.
 */

import {
  ApiError,
  type FillResult,
  formatAmount,
  parseOrder,
  resolveVenue,
  SLIPPAGE_CAP_BPS,
} from '../../client/index.ts'
import { InputError, XmarginError } from '../../errors.ts'
import { formatInstrumentId } from '../../risk/instrument-id.ts'
import {
  type CliIo,
  type Command,
  EXIT_FAILURE,
  EXIT_OK,
  parseFlags,
  requireFlag,
} from '../command.ts'
import { table, usd } from '../text-table.ts'
import { API_FLAGS, API_HELP, clientFromFlags } from './account.ts'

const ORDER_FLAGS = {
  ...API_FLAGS,
  venue: { type: 'string' },
  perp: { type: 'string' },
  future: { type: 'string' },
  option: { type: 'string' },
  expiry: { type: 'string' },
  strike: { type: 'string' },
  call: { type: 'boolean' },
  put: { type: 'boolean' },
  side: { type: 'string' },
  size: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const

export const orderCommand: Command = {
  name: 'order',
  summary: 'trade through a venue on a running service: the fill and the margin after it',
  help: `Usage: xmargin order (--perp U | --future U --expiry T | --option U --call|--put --strike K --expiry T)
                     --side buy|sell --size N [--limit P] [--venue V] [--json]
                     [--api URL] [--key K] [--account ADDRESS]

Signs an Order (EIP-712, with --key) for the venue, which fills it at its
own price and submits it to the service; the service checks initial margin
after the fill and books it or refuses it with the reason. A refusal exits 1
and prints the figures behind it.

  --perp U           a perpetual on U (ETH)
  --future U         a future on U; --expiry T, its unix second
  --option U         an option on U; --call or --put, --strike K (USD), --expiry T
  --side buy|sell
  --size N           units of the underlying, at most 8 decimals (2, 0.5)
  --limit P          the worst price, USD per unit, at most 6 decimals; without it, the
                     venue's quote ${Number(SLIPPAGE_CAP_BPS) / 100} % worse (a cap on slippage, not a price)
  --venue V          the venue by name (default the first the service lists: the first spoke's)
${API_HELP}
  --json             print the API's body: { fill, margin }, or { error } on a refusal`,
  async run(argv, io) {
    const { values } = parseFlags(argv, ORDER_FLAGS)
    const instrument = instrumentFlags(values)
    const side = requireFlag(values.side, 'side')
    const asked = {
      instrument,
      side: side as 'buy' | 'sell',
      size: requireFlag(values.size, 'size'),
      ...(values.limit !== undefined && { limit: values.limit }),
    }
    // Everything that needs no service is checked before asking it anything.
    parseOrder(asked, (f) => (f === 'instrument' ? `--${kindOf(values)}` : `--${f}`))
    const client = clientFromFlags(values)
    const status = await client.status()
    const venue =
      values.venue !== undefined
        ? resolveVenue(status, values.venue, '--venue')
        : status.venues?.[0]
    if (!venue) {
      throw new XmarginError(`the service at ${client.api} lists no venues to trade through`, {
        code: 'no_venues',
      })
    }
    let result: FillResult
    try {
      result = await client.placeOrder({ ...asked, venue: venue.name })
    } catch (err) {
      if (err instanceof ApiError) return refused(err, 'order', io, values.json === true)
      throw err
    }
    io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : formatFill(result))
    return EXIT_OK
  },
}

type InstrumentValues = {
  perp?: string | undefined
  future?: string | undefined
  option?: string | undefined
  expiry?: string | undefined
  strike?: string | undefined
  call?: boolean | undefined
  put?: boolean | undefined
}

const KINDS = ['perp', 'future', 'option'] as const
const UNDERLYING = /^[A-Z][A-Z0-9]{0,15}$/
const EXPIRY = /^[1-9][0-9]{0,11}$/
const STRIKE = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/

function kindOf(values: InstrumentValues): (typeof KINDS)[number] {
  return KINDS.find((k) => values[k] !== undefined) ?? 'perp'
}

/** The instrument id the flags name, each part checked against the flag it came from. */
export function instrumentFlags(values: InstrumentValues): string {
  const given = KINDS.filter((k) => values[k] !== undefined)
  if (given.length !== 1) {
    const flag = given.length === 0 ? '--perp' : `--${given[1]}`
    const why =
      given.length === 0
        ? 'one of --perp, --future or --option is required (the underlying, e.g. --perp ETH)'
        : `--${given[0]} and --${given[1]} both given: an order is for one instrument`
    throw new InputError(flag, 'exactly_one', why)
  }
  const kind = given[0]!
  const underlying = values[kind]!.toUpperCase()
  if (!UNDERLYING.test(underlying)) {
    throw new InputError(
      `--${kind}`,
      'wrong_type',
      `--${kind} must be an underlying such as ETH (letters and digits), got ${values[kind]}`,
    )
  }
  const allowed: Record<typeof kind, readonly (keyof InstrumentValues)[]> = {
    perp: [],
    future: ['expiry'],
    option: ['expiry', 'strike', 'call', 'put'],
  }
  for (const extra of ['expiry', 'strike', 'call', 'put'] as const) {
    if (values[extra] !== undefined && !allowed[kind].includes(extra))
      throw new InputError(`--${extra}`, 'unknown_field', `--${extra} does not apply to --${kind}`)
  }
  if (kind === 'perp') return formatInstrumentId({ kind, underlying })
  const expiry = requireFlag(values.expiry, 'expiry')
  if (!EXPIRY.test(expiry))
    throw new InputError('--expiry', 'wrong_type', `--expiry must be a unix second, got ${expiry}`)
  if (kind === 'future') return formatInstrumentId({ kind, underlying, expiry: Number(expiry) })
  if (values.call === values.put)
    throw new InputError(
      '--call',
      'exactly_one',
      'one of --call or --put is required with --option',
    )
  const strike = requireFlag(values.strike, 'strike')
  if (!STRIKE.test(strike) || Number(strike) === 0) {
    throw new InputError(
      '--strike',
      'wrong_type',
      `--strike must be a price above 0 USD with at most 6 decimals, got ${strike}`,
    )
  }
  return formatInstrumentId({
    kind,
    underlying,
    type: values.call ? 'call' : 'put',
    strike: Number(strike),
    expiry: Number(expiry),
  })
}

const FIGURE_NAMES: Readonly<Record<string, string>> = {
  initialMarginRequired: 'initial margin required',
  equityAfter: 'equity after',
  maintenanceMarginBefore: 'maintenance margin before',
  maintenanceMarginAfter: 'maintenance margin after',
}

/**
 * A refusal as one line on stderr (the status, code and the service's
 * reason), then the figures behind it when there are any; with --json, the
 * error object on stdout as the API wrote it. Exit 1: the input was fine,
 * the service said no.
 */
export function refused(err: ApiError, command: string, io: CliIo, json: boolean): number {
  io.err(`xmargin ${command}: refused (${err.status} ${err.code}): ${err.shortMessage}\n`)
  const figures = Object.entries(err.figures ?? {}).filter(
    (f): f is [string, number] => f[1] !== undefined,
  )
  // The margin figures are USD; any other the service names is shown as it came.
  const shown = figures.map(([k, v]) =>
    FIGURE_NAMES[k] ? [`  ${FIGURE_NAMES[k]}`, `${usd(v)} USD`] : [`  ${k}`, String(v)],
  )
  if (shown.length > 0 && !json) io.err(`${table(shown)}\n`)
  if (json) {
    const error = {
      code: err.code,
      message: err.shortMessage,
      field: err.field,
      ...(err.figures && { figures: err.figures }),
    }
    io.out(`${JSON.stringify({ error }, null, 2)}\n`)
  }
  return EXIT_FAILURE
}

export function formatFill({ fill, margin }: FillResult): string {
  const executed = Number(fill.executedAt)
  const fillTable = table([
    ['fill', fill.fillId],
    ['venue', fill.venue === fill.chain ? fill.venue : `${fill.venue} (${fill.chain})`],
    ['instrument', fill.instrument],
    ['side', fill.side],
    ['size', formatAmount(fill.size, 8)],
    ['price', `${formatAmount(fill.price, 6)} USD`],
    ['fee', `${formatAmount(fill.fee, 6)} USD`],
    ['executed', Number.isFinite(executed) ? new Date(executed * 1000).toISOString() : '-'],
    ['seq', fill.seq],
  ])
  const marginTable = table([
    ['status', margin.status],
    ['equity', `${usd(margin.equity)} USD`],
    ['maintenance margin', usd(margin.maintenanceMargin)],
    ['initial margin', usd(margin.initialMargin)],
  ])
  return `${fillTable}\n\nmargin after the fill\n${marginTable}\n`
}
