/**
 * What an epoch reads of the accounts: who is live, each one's portfolio
 * (the same one the margin book holds, from the accounts' portfolioOf), the
 * instruments still held, and which accounts changed since the last epoch.
 * An interface so the benchmark can commit a synthetic book without a log.
 */
import type { Address } from 'viem'
import { CHANGES_HOLDINGS } from '../accounts/events.ts'
import type { AccountService } from '../accounts/index.ts'
import { portfolioOf } from '../accounts/portfolio.ts'
import { parseInstrumentId } from '../risk/instrument-id.ts'
import type { Instrument, Portfolio } from '../risk/types.ts'

export interface EpochAccounts {
  /** Every account the book holds. */
  accounts(): Iterable<Address>
  portfolio(account: Address): Portfolio | undefined
  /** The instrument of every open position (an expired one stays until settled), repeats allowed. */
  heldInstruments(): Iterable<Instrument>
  /** `listener` hears each account whose portfolio may have changed; returns the unsubscribe. */
  subscribe(listener: (account: Address) => void): () => void
}

export function serviceAccounts(accounts: AccountService): EpochAccounts {
  return {
    *accounts() {
      for (const s of accounts.states()) yield s.account
    },
    portfolio(account) {
      const state = accounts.state(account)
      return state && portfolioOf(state, accounts.directory)
    },
    heldInstruments() {
      // ids first: a book holds few distinct instruments, each parsed once
      const ids = new Set<string>()
      for (const s of accounts.states()) for (const p of s.positions.values()) ids.add(p.instrument)
      return [...ids].map((id) => parseInstrumentId(id))
    },
    subscribe: (listener) =>
      accounts.subscribe((r, state) => {
        if (CHANGES_HOLDINGS.has(r.event.kind)) listener(state.account)
      }),
  }
}
