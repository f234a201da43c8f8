/**
 * EpochAccounts without an account log, for tests and the benchmark: a map
 * of portfolios set by hand; every set is heard as an account change.
 */
import type { Address } from 'viem'
import type { Instrument, Portfolio } from '../risk/types.ts'
import type { EpochAccounts } from './accounts-source.ts'

export class MemoryAccounts implements EpochAccounts {
  readonly #portfolios = new Map<string, { account: Address; portfolio: Portfolio }>()
  readonly #listeners = new Set<(account: Address) => void>()

  set(account: Address, portfolio: Portfolio): void {
    this.#portfolios.set(account.toLowerCase(), { account, portfolio })
    for (const l of this.#listeners) l(account)
  }

  *accounts(): Iterable<Address> {
    for (const { account } of this.#portfolios.values()) yield account
  }

  portfolio(account: Address): Portfolio | undefined {
    return this.#portfolios.get(account.toLowerCase())?.portfolio
  }

  /** Each instrument object once (as the service's source gives each id once). */
  heldInstruments(): Iterable<Instrument> {
    const held = new Set<Instrument>()
    for (const { portfolio } of this.#portfolios.values())
      for (const p of portfolio.positions) held.add(p.instrument)
    return held
  }

  subscribe(listener: (account: Address) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }
}
