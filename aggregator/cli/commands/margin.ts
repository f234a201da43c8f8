import { marginReport } from '../../risk/report.ts'
import { type Command, EXIT_OK, parseFlags, requireFlag } from '../command.ts'
import { formatMarginReport } from '../margin-table.ts'
import { readJsonFile } from '../read-json.ts'

export const marginCommand: Command = {
  name: 'margin',
  summary: 'margin one account under XM-1',
  help: `Usage: xmargin margin --market M.json --params P.json --portfolio F.json [--json]

Values the portfolio and computes its XM-1 requirements (spec section 7),
the liquidation price per underlying and the withdrawable amount per
collateral holding.

  --market F     market snapshot (prices, vols, assets)
  --params F     risk parameters
  --portfolio F  the account's cash, collateral and positions
  --json         print one JSON object instead of a table

Exit status: 0 ok, 2 bad input (one line on stderr naming the field).`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      market: { type: 'string' },
      params: { type: 'string' },
      portfolio: { type: 'string' },
      json: { type: 'boolean' },
    })
    const paths = {
      market: requireFlag(values.market, 'market'),
      params: requireFlag(values.params, 'params'),
      portfolio: requireFlag(values.portfolio, 'portfolio'),
    }
    const market = await readJsonFile(paths.market, 'market')
    const params = await readJsonFile(paths.params, 'params')
    const portfolio = await readJsonFile(paths.portfolio, 'portfolio')
    const report = marginReport(market, params, portfolio)
    io.out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatMarginReport(report))
    return EXIT_OK
  },
}
