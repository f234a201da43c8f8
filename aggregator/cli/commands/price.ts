/**
 * `xmargin price`: the operator moves or sets an underlying's price on the
 * local feed of a running service (POST /v1/admin/prices), to see what a
 * price shock does to the accounts. Authorised by the operator token, which
 * `xmargin up` writes into its data directory. Exit 0 for the new price; 1
 * for a refusal (a wrong token, a feed that is not the local one); 2 for bad
 * input, naming the flag.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ApiError, type PriceChange, setPrice } from '../../client/index.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_OK, parseFlags, requireFlag } from '../command.ts'
import { OPERATOR_TOKEN_FILE } from '../operator-token.ts'
import { apiFlag, DEFAULT_API } from './account.ts'
import { refused } from './order.ts'

/** Where `xmargin up` keeps its data (its --data default), and so the operator token. */
const DEFAULT_DATA_DIR = '.xmargin'

export const priceCommand: Command = {
  name: 'price',
  summary: "the operator moves or sets a price on a running service's local feed",
  help: `Usage: xmargin price --underlying U (--move F | --set P) [--json]
                     [--api URL] [--token T] [--data DIR]

Moves (--move -0.3 is 30 % down, 0.1 is 10 % up) or sets (--set 2100, USD)
the price of an underlying on the service's local price feed; the accounts
are re-margined at once. A service on a real feed (Pyth) refuses it.

  --underlying U     the underlying, as GET /v1/markets lists it (ETH)
  --move F           a relative move, above -1 (-0.3, or --move=-0.3)
  --set P            a new price, USD per unit, above 0
  --api URL          the xmargin service (default ${DEFAULT_API}, or $XMARGIN_API)
  --token T          the operator token (or $XMARGIN_OPERATOR_TOKEN; default: read
                     from DIR/${OPERATOR_TOKEN_FILE}, which xmargin up writes)
  --data DIR         xmargin up's data directory (default ${DEFAULT_DATA_DIR})
  --json             print the API's body: { underlying, price, previous, publishTime }`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      api: { type: 'string' },
      token: { type: 'string' },
      data: { type: 'string' },
      underlying: { type: 'string' },
      move: { type: 'string' },
      set: { type: 'string' },
      json: { type: 'boolean' },
    })
    const underlying = requireFlag(values.underlying, 'underlying').toUpperCase()
    const change = changeFlags(values)
    const api = apiFlag(values.api)
    const token = await tokenFlag(values)
    let result: PriceChange
    try {
      result = await setPrice(
        { api: api.replace(/\/+$/, ''), fetch: globalThis.fetch.bind(globalThis) },
        { underlying, ...change },
        { token },
      )
    } catch (err) {
      if (err instanceof ApiError) return refused(err, 'price', io, values.json === true)
      throw err
    }
    io.out(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${describe(result)}\n`)
    return EXIT_OK
  },
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/

function changeFlags(values: { move?: string | undefined; set?: string | undefined }) {
  if ((values.move === undefined) === (values.set === undefined)) {
    const flag = values.move === undefined ? '--move' : '--set'
    throw new InputError(flag, 'exactly_one', 'exactly one of --move and --set is required')
  }
  if (values.move !== undefined) {
    const move = NUMBER.test(values.move) ? Number(values.move) : Number.NaN
    // -1 would take the price to 0; a percentage (-30) is the likely slip.
    if (!(move > -1)) {
      throw new InputError(
        '--move',
        'out_of_range',
        `--move must be a fraction above -1 (-0.3 is 30 % down), got ${values.move}`,
      )
    }
    return { move }
  }
  const set = NUMBER.test(values.set!) ? Number(values.set) : Number.NaN
  if (!(set > 0) || !Number.isFinite(set))
    throw new InputError(
      '--set',
      'out_of_range',
      `--set must be a price above 0 USD, got ${values.set}`,
    )
  return { set }
}

/** --token, else $XMARGIN_OPERATOR_TOKEN, else the file xmargin up wrote. */
async function tokenFlag(values: { token?: string | undefined; data?: string | undefined }) {
  const given = values.token ?? process.env['XMARGIN_OPERATOR_TOKEN']
  if (given !== undefined) {
    if (given.trim() === '') throw new InputError('--token', 'missing_field', '--token is empty')
    return given
  }
  const path = join(values.data ?? DEFAULT_DATA_DIR, OPERATOR_TOKEN_FILE)
  try {
    const token = (await readFile(path, 'utf8')).trim()
    if (token !== '') return token
  } catch {}
  throw new InputError(
    '--token',
    'missing_field',
    `--token is required (or $XMARGIN_OPERATOR_TOKEN); there is no token in ${path}`,
  )
}

const price = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 6 })

function describe(r: PriceChange): string {
  const at = Number.isFinite(r.publishTime) ? new Date(r.publishTime * 1000).toISOString() : '-'
  return `${r.underlying} ${price(r.price)} USD (was ${price(r.previous)}, published ${at})`
}
