/**
 * `xmargin account`: the account view from a running service (the typed
 * client, signed with --key), as a table or, with --json, exactly the API's
 * object. Also the flags every command against the service shares.
 */

import { type Address, isAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import {
  type AccountView,
  type ChainInfo,
  createXmarginClient,
  formatAmount,
  type XmarginClient,
} from '../../client/index.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_OK, parseFlags } from '../command.ts'
import { table, usd } from '../text-table.ts'
import { privateKeyFlag } from '../wallet-flags.ts'

export const DEFAULT_API = 'http://127.0.0.1:8080'

export const API_FLAGS = {
  api: { type: 'string' },
  key: { type: 'string' },
  account: { type: 'string' },
} as const

export const API_HELP = `  --api URL          the xmargin service (default ${DEFAULT_API}, or $XMARGIN_API)
  --key K            the signing key, 0x and 64 hex digits (or $XMARGIN_KEY)
  --account ADDRESS  the account to act for (default: the key's own; for a delegated key)`

/** The service's URL: --api, else $XMARGIN_API, else the local default; checked. */
export function apiFlag(value: string | undefined): string {
  const api = value ?? process.env['XMARGIN_API'] ?? DEFAULT_API
  if (!/^https?:\/\/[^/\s]+/.test(api) || !URL.canParse(api)) {
    throw new InputError('--api', 'wrong_type', `--api must be an http(s) URL, got ${api}`)
  }
  return api
}

/** The client the flags describe; every flag checked before anything is sent. */
export function clientFromFlags(values: {
  api?: string | undefined
  key?: string | undefined
  account?: string | undefined
}): XmarginClient {
  const api = apiFlag(values.api)
  let address: Address | undefined
  if (values.account !== undefined) {
    if (!isAddress(values.account, { strict: false }))
      throw new InputError(
        '--account',
        'wrong_type',
        `--account must be an address, got ${values.account}`,
      )
    address = values.account
  }
  const account = privateKeyToAccount(privateKeyFlag(values.key))
  return createXmarginClient({ api, account, ...(address && { address }) })
}

export const accountCommand: Command = {
  name: 'account',
  summary: 'the account on a running service: collateral, positions, margin, withdrawals',
  help: `Usage: xmargin account [--api URL] [--key K] [--account ADDRESS] [--json]

The account as the service keeps it: per chain and asset what was credited,
what the hub's ledger holds, what withdrawals reserve and what can be
withdrawn now (token units), the XM-1 margin figures on the live state, and
the withdrawals. The read is signed with --key (EIP-712 ReadAccount).

${API_HELP}
  --json             print exactly the API's object (GET /v1/accounts/{address})`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { ...API_FLAGS, json: { type: 'boolean' } })
    const client = clientFromFlags(values)
    const view = await client.account()
    if (values.json) {
      io.out(`${JSON.stringify(view, null, 2)}\n`)
      return EXIT_OK
    }
    const { chains } = await client.signing()
    io.out(formatAccount(view, chains))
    return EXIT_OK
  },
}

export function formatAccount(view: AccountView, chains: readonly ChainInfo[]): string {
  const collateral = table([
    ['chain', 'asset', 'credited', 'on hub', 'reserved', 'withdrawable', 'value USD'],
    ...view.collateral.map((l) => {
      const units = (x: string | null) => (x === null ? '-' : formatAmount(x, l.decimals))
      return [
        l.chain,
        l.asset,
        units(l.credited),
        units(l.onHub),
        units(l.reserved),
        units(l.withdrawable),
        usd(l.valueUsd),
      ]
    }),
  ])
  const m = view.margin
  const margin = table([
    ['status', m.status],
    ['equity', `${usd(m.equity)} USD`],
    ['maintenance margin', usd(m.maintenanceMargin)],
    ['initial margin', usd(m.initialMargin)],
    ['margin ratio', m.marginRatio === null ? '-' : m.marginRatio.toFixed(4)],
  ])
  const withdrawals =
    view.withdrawals.length === 0
      ? 'no withdrawals'
      : table([
          ['withdrawal', 'chain', 'asset', 'amount', 'status', 'requested'],
          ...view.withdrawals.map((w) => {
            const token = chains
              .find((c) => c.name === w.chain)
              ?.tokens.find((t) => t.address.toLowerCase() === w.token.toLowerCase())
            return [
              w.id,
              w.chain,
              token?.symbol ?? w.token,
              token ? formatAmount(w.amount, token.decimals) : `${w.amount} base units`,
              w.reason ? `${w.status} (${w.reason})` : w.status,
              new Date(w.requestedAt * 1000).toISOString(),
            ]
          }),
        ])
  const holdings = view.collateral.length === 0 ? 'no collateral' : collateral
  const positions =
    view.positions.length === 0
      ? `no positions; cash ${usd(view.cash)} USD`
      : `${table([
          ['chain', 'instrument', 'quantity', 'entry price'],
          ...view.positions.map((p) => [
            p.chain,
            p.instrument,
            p.quantity,
            p.entryPrice === null ? '-' : usd(p.entryPrice),
          ]),
        ])}\ncash ${usd(view.cash)} USD`
  return `account ${view.account} (seq ${view.seq})\n\n${holdings}\n\n${positions}\n\n${margin}\n\n${withdrawals}\n`
}
