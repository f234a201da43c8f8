/**
 * The account as its owner sees it: collateral per chain and token (what the
 * aggregator credited, what the hub's ledger holds, what is reserved for
 * withdrawals, its value after haircut), the XM-1 report on the live state,
 * and its withdrawals. Amounts of tokens are base units as decimal strings;
 * money is USD as JSON numbers.
 */
import type { Address } from 'viem'
import { marginReport } from '../risk/report.ts'
import type { MarginReport } from '../risk/types.ts'
import type { AccountState, Withdrawal } from './account-book.ts'
import { type Directory, toBase, toUnits } from './directory.ts'
import type { MarketSource } from './market-source.ts'
import { type CollateralLineSource, collateralLines, portfolioOf, positionOf } from './portfolio.ts'

export { reservedOf } from './reserved.ts'

export interface CollateralLine {
  readonly chain: string
  readonly token: Address
  readonly asset: string
  readonly decimals: number
  /** Deposits the adapters credited, minus payouts they saw. */
  readonly credited: string
  /** The hub ledger's balance; null when it could not be read. */
  readonly onHub: string | null
  /** Held back for withdrawals not yet paid, failed or expired. */
  readonly reserved: string
  /** (credited - reserved) at the market price, after haircut. */
  readonly valueUsd: number
  /** The most that can be withdrawn now, keeping equity >= initial margin. */
  readonly withdrawable: string
}

export interface WithdrawalView {
  readonly id: string
  readonly chain: string
  readonly token: Address
  readonly amount: string
  readonly status: Withdrawal['status']
  readonly requestedAt: number
  readonly payoutId: string | null
  readonly expiry: number | null
  readonly hubTx: string | null
  readonly paidTx: string | null
  readonly reason: string | null
}

export interface PositionLine {
  readonly chain: string
  readonly instrument: string
  /** Units of the underlying, signed, as a decimal string (exact: 1e-8 units). */
  readonly quantity: string
  /** Average entry price of a perp or future; null for options (their premium is in cash). */
  readonly entryPrice: number | null
}

export interface AccountView {
  readonly account: Address
  /** The last log event reflected here: a stream resumes after it. */
  readonly seq: string
  /** USD: premiums, realised PnL, fees, funding and settlements. */
  readonly cash: number
  readonly positions: readonly PositionLine[]
  readonly collateral: readonly CollateralLine[]
  readonly margin: MarginReport
  readonly withdrawals: readonly WithdrawalView[]
}

/**
 * The engine's withdrawable amount (asset units, to its resolution) as base
 * units, never above what is free; where the engine says all of it, exactly
 * all of it, so float rounding leaves no dust that can never leave.
 */
export function withdrawableBase(
  w: { readonly amount: number; readonly resolution: number },
  free: bigint,
  decimals: number,
): bigint {
  if (free <= 0n) return 0n
  if (w.amount >= toUnits(free, decimals) - w.resolution) return free
  const base = toBase(w.amount, decimals, w.resolution)
  return base < free ? base : free
}

/** The XM-1 report on what the account holds now, net of reservations, and the market it used. */
export function liveReport(
  state: AccountState,
  directory: Directory,
  source: MarketSource,
): {
  report: MarginReport
  lines: CollateralLineSource[]
  market: unknown
} {
  const held = collateralLines(state, directory)
  const { market, params } = source.current()
  const portfolio = portfolioOf(state, directory, held)
  return { report: marginReport(market, params, portfolio), lines: held, market }
}

export function accountView(
  state: AccountState,
  directory: Directory,
  source: MarketSource,
  onHub: readonly (bigint | null)[] | undefined,
): AccountView {
  // One snapshot of the market for the report and the values beside it, as a feed may move between reads.
  const live = liveReport(state, directory, source)
  const { report, lines: held } = live
  const market = live.market as MarketDocument
  return {
    account: state.account,
    seq: state.seq.toString(),
    cash: state.cash,
    positions: [...state.positions.values()].map((p) => {
      const position = positionOf(p)
      return {
        chain: p.chain,
        instrument: p.instrument,
        quantity: unitsText(p.quantity),
        entryPrice: 'entryPrice' in position ? position.entryPrice : null,
      }
    }),
    collateral: held.map((l, i) => {
      const w = report.withdrawable[i]!
      return {
        chain: l.chain,
        token: l.token,
        asset: l.asset,
        decimals: l.decimals,
        credited: l.credited.toString(),
        onHub: onHub?.[i]?.toString() ?? null,
        reserved: l.reserved.toString(),
        valueUsd: valueAfterHaircut(l, market),
        withdrawable: withdrawableBase(w, l.credited - l.reserved, l.decimals).toString(),
      }
    }),
    margin: report,
    withdrawals: [...state.withdrawals.values()].map(withdrawalView),
  }
}

interface MarketDocument {
  readonly underlyings: Record<string, { price: number }>
  readonly assets: Record<string, { price?: number; underlying?: string; haircut: number }>
}

/** The holding's units at the market price, after haircut (what it adds to equity). */
function valueAfterHaircut(l: CollateralLineSource, market: MarketDocument): number {
  const asset = market.assets[l.asset]
  if (!asset) return 0
  const price = asset.price ?? market.underlyings[asset.underlying ?? '']?.price ?? 0
  const units = toUnits(l.credited > l.reserved ? l.credited - l.reserved : 0n, l.decimals)
  return units * price * (1 - asset.haircut)
}

export function withdrawalView(w: Withdrawal): WithdrawalView {
  return {
    id: w.id,
    chain: w.chain,
    token: w.token,
    amount: w.amount.toString(),
    status: w.status,
    requestedAt: w.requestedAt,
    payoutId: w.payoutId?.toString() ?? null,
    expiry: w.expiry ?? null,
    hubTx: w.hubTx ?? null,
    paidTx: w.paidTx ?? null,
    reason: w.reason ?? null,
  }
}

/** 1e-8 units as exact decimal text. */
function unitsText(q: bigint): string {
  const sign = q < 0n ? '-' : ''
  const a = q < 0n ? -q : q
  const fraction = (a % 100_000_000n).toString().padStart(8, '0').replace(/0+$/, '')
  return `${sign}${a / 100_000_000n}${fraction ? `.${fraction}` : ''}`
}
