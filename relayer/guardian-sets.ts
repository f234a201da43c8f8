/**
 * The guardian sets of one target core, as checkVaa needs them. Sets are
 * read from the core and kept: a set's keys never change, and a set that is
 * no longer the current one keeps the expiry it got when it was replaced.
 * The current index is re-read only when a VAA names a newer set than the
 * one we know (a guardian set upgrade happened); a VAA naming an older set
 * is checked against that set and its expiry, as the core does. Until a VAA
 * of the new set arrives we may still treat a replaced set as current; the
 * simulation before sending (the core itself) refuses it once it expires.
 */
import type { Address, Chain, PublicClient, Transport } from 'viem'
import { XmarginError } from '../aggregator/errors.ts'
import { WormholeImplementation } from '../build/contracts/artifacts.ts'

export interface GuardianSet {
  readonly index: number
  readonly keys: readonly Address[]
  /** Unix seconds after which the core refuses VAAs of this set; 0 while it is the current set. */
  readonly expirationTime: number
}

/** What checkVaa asks of the target core. */
export interface TargetCore {
  /** Guardian set `index` as the core holds it; GuardianSetUnknown when the core has none yet. */
  guardianSet(index: number): Promise<GuardianSet>
  /** Unix seconds of the target chain's latest block: the core's clock for expiries. */
  now(): Promise<number>
}

/**
 * A VAA signed by a set newer than the target core's: its guardian set
 * upgrade has not been submitted on this chain yet, so a later attempt may
 * succeed (the core itself would refuse it now).
 */
export class GuardianSetUnknown extends XmarginError {
  override name = 'GuardianSetUnknown'
  constructor(index: number, current: number) {
    super(`guardian set ${index} is not on the target core yet (its current set is ${current})`, {
      code: 'guardian_set_unknown',
    })
  }
}

export class GuardianSets implements TargetCore {
  #current: Promise<number> | null = null
  readonly #sets = new Map<number, Promise<GuardianSet>>()

  constructor(
    private readonly core: Address,
    private readonly client: PublicClient<Transport, Chain>,
  ) {}

  async guardianSet(index: number): Promise<GuardianSet> {
    const current = await this.#currentFor(index)
    if (index > current) throw new GuardianSetUnknown(index, current)
    let set = this.#sets.get(index)
    if (!set) {
      set = this.#read(index)
      set.catch(() => this.#sets.delete(index))
      this.#sets.set(index, set)
    }
    return set
  }

  async now(): Promise<number> {
    return Number((await this.client.getBlock({ blockTag: 'latest' })).timestamp)
  }

  /**
   * The current index as far as `named` needs it: the cached one, re-read
   * when `named` is newer. Concurrent callers share one read; when the index
   * moved, every kept set is dropped, since the one that was current now has
   * an expiry.
   */
  async #currentFor(named: number): Promise<number> {
    const cached = this.#current ?? this.#remember(this.#readCurrent())
    const known = await cached
    if (named <= known) return known
    const fresh = this.#current === cached ? this.#remember(this.#readCurrent()) : this.#current!
    const current = await fresh
    if (current !== known) this.#sets.clear()
    return current
  }

  #remember(read: Promise<number>): Promise<number> {
    this.#current = read
    read.catch(() => {
      if (this.#current === read) this.#current = null
    })
    return read
  }

  #readCurrent(): Promise<number> {
    return this.client.readContract({
      address: this.core,
      abi: WormholeImplementation.abi,
      functionName: 'getCurrentGuardianSetIndex',
    })
  }

  async #read(index: number): Promise<GuardianSet> {
    const { keys, expirationTime } = await this.client.readContract({
      address: this.core,
      abi: WormholeImplementation.abi,
      functionName: 'getGuardianSet',
      args: [index],
    })
    return { index, keys, expirationTime }
  }
}
