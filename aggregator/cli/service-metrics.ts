/** The service's own Prometheus samples: the book and its statuses, the account log. */
import type { MetricSample } from '../../relayer/metrics.ts'
import type { AccountService } from '../accounts/index.ts'
import type { MarginService } from '../margin/index.ts'

export function serviceMetrics(accounts: AccountService, margin: MarginService): MetricSample[] {
  const statuses = margin.statusCounts()
  return [
    {
      name: 'xmargin_accounts',
      help: 'Accounts in the margin book',
      type: 'gauge',
      values: [{ value: margin.accountCount }],
    },
    {
      name: 'xmargin_accounts_by_status',
      help: 'Accounts per XM-1 status at the live prices',
      type: 'gauge',
      values: Object.entries(statuses).map(([status, value]) => ({ labels: { status }, value })),
    },
    {
      name: 'xmargin_account_log_seq',
      help: 'The last event recorded in the account log',
      type: 'counter',
      values: [{ value: Number(accounts.seq) }],
    },
  ]
}
