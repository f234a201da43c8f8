import { marginReport } from '../../risk/report.ts'
import { type Command, EXIT_OK, parseFlags, requireFlag } from '../command.ts'
import { LIMIT_FLAG_OPTIONS, LIMIT_FLAGS_HELP, readLimitFlags } from '../limit-flags.ts'
import { formatMarginReport } from '../margin-table.ts'
import { readJsonFile } from '../read-json.ts'

export const marginCommand: Command = {
  name: 'margin',
  summary: 'margin one account under XM-1',
  help: `Usage: xmargin margin --market M.json --params P.json --portfolio F.json [--json] [--max-* N]

Values the portfolio and computes its XM-1 requirements (spec section 7),
the liquidation price per underlying and the withdrawable amount per
collateral holding.

  --market F     market snapshot (prices, vols, assets)
  --params F     risk parameters
  --portfolio F  the account's cash, collateral and positions
  --json         print one JSON object instead of a table
${LIMIT_FLAGS_HELP}
Each document is at most 1 MiB, nested at most 32 deep, with strings and keys
of at most 256 characters and no key twice in one object.

Exit status: 0 ok, 2 bad input (one line on stderr naming the field).`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      market: { type: 'string' },
      params: { type: 'string' },
      portfolio: { type: 'string' },
      json: { type: 'boolean' },
      ...LIMIT_FLAG_OPTIONS,
    })
    const limits = readLimitFlags(values)
    const paths = {
      market: requireFlag(values.market, 'market'),
      params: requireFlag(values.params, 'params'),
      portfolio: requireFlag(values.portfolio, 'portfolio'),
    }
    const market = await readJsonFile(paths.market, 'market')
    const params = await readJsonFile(paths.params, 'params')
    const portfolio = await readJsonFile(paths.portfolio, 'portfolio')
    const report = marginReport(market, params, portfolio, limits)
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatMarginReport(report))
    return EXIT_OK
  },
}
