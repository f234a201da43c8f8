/** What outstanding withdrawals hold back of a holding: not theirs to trade or withdraw again. */
import type { Address } from 'viem'
import { type AccountState, OUTSTANDING } from './account-book.ts'

/** Per (chain, token): the amount outstanding withdrawals hold back. */
export function reservedOf(state: AccountState, chain: string, token: Address): bigint {
  let reserved = 0n
  for (const w of state.withdrawals.values()) {
    if (
      OUTSTANDING.has(w.status) &&
      w.chain === chain &&
      w.token.toLowerCase() === token.toLowerCase()
    )
      reserved += w.amount
  }
  return reserved
}
