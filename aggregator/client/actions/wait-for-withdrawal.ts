/**
 * Follow a withdrawal to where it ends (paid, failed, expired or rejected)
 * on the account's stream: the snapshot says where it stands, and each event
 * that names it (its approval or rejection, the vault's payout or refusal
 * under its payout id) is checked against a fresh view, so the status is
 * always the service's own, never re-derived here.
 */
import { XmarginError } from '../../errors.ts'
import type { ClientContext } from '../context.ts'
import { WaitTimeoutError } from '../errors.ts'
import type { AccountEvent, AccountView, WithdrawalView } from '../types.ts'
import { FINAL_STATUSES } from '../types.ts'
import { getAccount } from './account.ts'
import { accountMessages } from './stream.ts'

export interface WaitOptions {
  /** Give up after this long with a WaitTimeoutError; default 10 minutes. */
  readonly timeoutMs?: number
  /** Before reopening a dropped stream; default 1 s. */
  readonly reconnectMs?: number
}

export async function waitForWithdrawal(
  ctx: ClientContext,
  id: string,
  options: WaitOptions = {},
): Promise<WithdrawalView> {
  const timeoutMs = options.timeoutMs ?? 600_000
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), timeoutMs)
  let current: WithdrawalView | undefined
  try {
    const messages = accountMessages(ctx, {
      signal: controller.signal,
      ...(options.reconnectMs !== undefined && { reconnectMs: options.reconnectMs }),
    })
    for await (const m of messages) {
      if (m.type === 'event' && !(current && names(m.event, current))) continue
      current = find(m.type === 'snapshot' ? m.view : await getAccount(ctx), id)
      if (FINAL_STATUSES.has(current.status)) return current
    }
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
  throw new WaitTimeoutError(id, current?.status ?? 'unknown', timeoutMs)
}

function find(view: AccountView, id: string): WithdrawalView {
  const w = view.withdrawals.find((x) => x.id === id)
  if (!w)
    throw new XmarginError(`${view.account} has no withdrawal ${id}`, {
      code: 'unknown_withdrawal',
    })
  return w
}

/** Whether `e` may change withdrawal `w`. */
function names(e: AccountEvent, w: WithdrawalView): boolean {
  switch (e.kind) {
    case 'withdrawal_approved':
    case 'withdrawal_rejected':
      return e.withdrawal === w.id
    case 'payout':
    case 'payout_refused':
      return w.payoutId !== null && e.payoutId.toString() === w.payoutId
    default:
      return false
  }
}
