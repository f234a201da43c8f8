/**
 * Where each account's leaf sits in the state tree: the index the hub
 * assigned on the account's first credit (trust model E4). The aggregator
 * never picks an index itself, so it cannot give an account two leaves or
 * two accounts one; a proof names the index and the hub checks it.
 */
import type { Address } from 'viem'
import { MarginHub } from '../../build/contracts/artifacts.ts'
import type { ChainClients } from '../chain/clients.ts'

export interface LeafIndices {
  /** The hub's index for `account`, or undefined while the hub has not indexed it. */
  indexOf(account: Address): Promise<bigint | undefined>
}

/**
 * The hub's assignment without a node, for tests and the scripted world:
 * indices 0, 1, 2, ... in order of first credit (`credit`), or of first
 * lookup when `assignOnLookup` (the composed service on MemoryHub, where
 * every account the book holds was credited).
 */
export class MemoryLeafIndices implements LeafIndices {
  readonly #indices = new Map<string, bigint>()

  constructor(private readonly options: { readonly assignOnLookup?: boolean } = {}) {}

  /** The hub saw the account's first credit: the next index, once. */
  credit(account: Address): bigint {
    const key = account.toLowerCase()
    let index = this.#indices.get(key)
    if (index === undefined) {
      index = BigInt(this.#indices.size)
      this.#indices.set(key, index)
    }
    return index
  }

  /** The index given so far, without assigning one. */
  known(account: Address): bigint | undefined {
    return this.#indices.get(account.toLowerCase())
  }

  async indexOf(account: Address): Promise<bigint | undefined> {
    const index = this.#indices.get(account.toLowerCase())
    if (index !== undefined || !this.options.assignOnLookup) return index
    return this.credit(account)
  }
}

/**
 * Reads the hub. An index, once assigned, never changes, so it is asked
 * for once per account; accounts not indexed yet are asked again each epoch.
 */
export class HubLeafIndices implements LeafIndices {
  readonly #known = new Map<string, bigint>()

  constructor(
    private readonly clients: Pick<ChainClients, 'public'>,
    private readonly hub: Address,
  ) {}

  async indexOf(account: Address): Promise<bigint | undefined> {
    const key = account.toLowerCase()
    const known = this.#known.get(key)
    if (known !== undefined) return known
    const [assigned, index] = await this.clients.public.readContract({
      address: this.hub,
      abi: MarginHub.abi,
      functionName: 'leafIndexOf',
      args: [account],
    })
    if (!assigned) return undefined
    this.#known.set(key, index)
    return index
  }
}
