/**
 * The venues allowed to submit fills: each a signing address and the chain
 * its trades live on (the position's chain label). Allow-listed by the
 * operator's configuration; a fill from any other key is refused.
 */
import { type Address, getAddress } from 'viem'
import { InputError } from '../errors.ts'

export interface Venue {
  readonly name: string
  readonly chain: string
  readonly address: Address
  /** Where the venue's own API is, when known (the local demo venue). */
  readonly url: string | null
}

export class VenueRegistry {
  readonly #byAddress = new Map<string, Venue>()

  constructor(venues: readonly Venue[]) {
    venues.forEach((v, i) => {
      const key = v.address.toLowerCase()
      if (this.#byAddress.has(key) || venues.findIndex((w) => w.name === v.name) !== i) {
        throw new InputError(
          `venues[${i}]`,
          'out_of_range',
          `venue ${v.name} (${v.address}) is listed twice`,
        )
      }
      this.#byAddress.set(key, { ...v, address: getAddress(v.address) })
    })
  }

  byAddress(address: Address): Venue | undefined {
    return this.#byAddress.get(address.toLowerCase())
  }

  /** Where a venue's API turned out to be (the local venue starts after the service). */
  locate(name: string, url: string): void {
    for (const [key, v] of this.#byAddress)
      if (v.name === name) this.#byAddress.set(key, { ...v, url })
  }

  list(): Venue[] {
    return [...this.#byAddress.values()]
  }
}
