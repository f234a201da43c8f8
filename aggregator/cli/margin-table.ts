/** The human-readable form of a margin report. */
import type { MarginReport } from '../risk/types.ts'
import { table, usd } from './text-table.ts'

const amount = (x: number): string => x.toLocaleString('en-US', { maximumFractionDigits: 6 })
const DIRECTION = { '-1': 'down', '0': '-', '1': 'up' } as const

export function formatMarginReport(r: MarginReport): string {
  const summary = table([
    ['status', r.status],
    ['equity', `${usd(r.equity)} USD`],
    ['maintenance margin', usd(r.maintenanceMargin)],
    ['initial margin', usd(r.initialMargin)],
    ['margin ratio', r.marginRatio === null ? '-' : r.marginRatio.toFixed(4)],
    ['scan risk', `${usd(r.scanRisk)} (after spread credit ${usd(r.spreadCredit)})`],
    ['short option minimum', usd(r.shortOptionMinimum)],
  ])
  const underlyings = table([
    ['underlying', 'scan risk', 'scenario', 'direction', 'liquidation price'],
    ...Object.entries(r.underlyings).map(([u, x]) => {
      const liq = r.liquidationPrices[u]
      return [
        u,
        usd(x.scanRisk),
        x.scenario === null ? '-' : String(x.scenario),
        DIRECTION[x.direction],
        liq == null ? '-' : usd(liq),
      ]
    }),
  ])
  const withdrawals = table([
    ['chain', 'asset', 'withdrawable'],
    ...r.withdrawable.map((w) => [w.chain, w.asset, amount(w.amount)]),
  ])
  return `${summary}\n\n${underlyings}\n\n${withdrawals}\n`
}
