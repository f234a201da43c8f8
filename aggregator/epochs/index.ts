/**
 * Epochs: the commitment of every account and of the market to the hub.
 * Owns the state tree (one leaf per account, at the index the hub assigned
 * on its first credit: trust model E4), the epoch's market table, posting
 * both roots to the hub (MarginHub.postEpoch, carried on by the relayer),
 * and the record of every epoch in the store: its roots, counts and market
 * table, and the leaves that changed in it, so a trader can open their leaf
 * in any epoch (`opening`) and a proof job gets its circuit input against
 * the latest one (`proofInput`).
 *
 * Incremental: the tree and each account's last leaf hash live between
 * epochs; an epoch re-derives only the leaves of accounts that changed
 * since the last (an account event), or of every account when the market
 * table's row numbering changed (a leaf holds row numbers, quantities and
 * entry prices, never a price: a tick alone changes no leaf). After a
 * restart the tree is rebuilt from the store and the first epoch re-derives
 * every leaf, since the log may have moved while the service was down.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Logger } from 'pino'
import type { Address, Hex } from 'viem'
import { buildMarketTable, type MarketTable } from '../../circuits/market-table.ts'
import { type Hasher, poseidonHasher } from '../../circuits/poseidon.ts'
import { STATE_DEPTH, StateTree } from '../../circuits/trees.ts'
import {
  type AccountLeaf,
  accountLeaf,
  type CircuitInput,
  circuitInput,
  leafFields,
  type Statement,
} from '../../circuits/witness.ts'
import type { Database } from '../../relayer/store/database.ts'
import { XmarginError } from '../errors.ts'
import type { Instrument, Market, RiskParams } from '../risk/types.ts'
import type { EpochAccounts } from './accounts-source.ts'
import type { EpochPoster } from './epoch-poster.ts'
import { HashPool } from './hash-pool.ts'
import type { LeafIndices } from './leaf-indices.ts'
import {
  epochInstruments,
  leafLayout,
  type MarketTableDocument,
  tableDocument,
  tableFromDocument,
} from './market.ts'
import { type LeafOpening, leafOf, openingOf } from './opening.ts'
import { saltOf } from './salt.ts'
import { type ChangedLeaf, type EpochRecord, EpochStore, hex32 } from './store.ts'

export { type EpochAccounts, serviceAccounts } from './accounts-source.ts'
export {
  type EpochPoster,
  EpochPostFailed,
  HubEpochPoster,
  MemoryEpochPoster,
} from './epoch-poster.ts'
export { HubLeafIndices, type LeafIndices, MemoryLeafIndices } from './leaf-indices.ts'
export type { MarketTableDocument } from './market.ts'
export { type LeafOpening, rootOf } from './opening.ts'
export { SALT_SECRET_FILE, saltSecret } from './salt.ts'
export type { EpochRecord } from './store.ts'

export const DEFAULT_EPOCH_SECONDS = 60

export interface EpochServiceOptions {
  readonly db: Database
  readonly accounts: EpochAccounts
  /** The margin book's market and parameters at this moment (one snapshot per epoch). */
  readonly market: () => { readonly market: Market; readonly params: RiskParams }
  /** The listed instruments (the orders' listing); held ones are added. */
  readonly instruments: () => readonly Instrument[]
  readonly leafIndices: LeafIndices
  readonly poster: EpochPoster
  /** The salts' secret (salt.ts: saltSecret reads it from the data directory). */
  readonly secret: Uint8Array
  readonly logger: Logger
  /** Seconds between epochs; 0: only commitNow (default 60). */
  readonly epochSeconds?: number
  /** Where DIR/epochs/<n>.market.json go; absent: no files. */
  readonly dir?: string
  /** Concurrent LeafIndices lookups (an RPC each for a new account). */
  readonly lookupConcurrency?: number
}

/** Why an epoch cannot answer: stable codes callers switch on. */
export class EpochRefused extends XmarginError {
  override name = 'EpochRefused'
  constructor(
    readonly reason: 'no_epoch' | 'not_indexed' | 'unknown_epoch' | 'hub_behind' | 'index_taken',
    shortMessage: string,
  ) {
    super(shortMessage, { code: reason })
  }
}

/** One account's leaf in one epoch, with what a trader needs to check it against the posted root. */
export interface EpochOpening {
  readonly epoch: bigint
  readonly leafIndex: bigint
  readonly leafHash: bigint
  readonly opening: LeafOpening
  /** From the leaf up: 20 siblings; bit d of leafIndex says which side the path is on. */
  readonly siblings: readonly bigint[]
  readonly stateRoot: bigint
}

/** The circuit input for one account against the latest epoch (the proof jobs' input). */
export interface ProofInput {
  readonly epoch: bigint
  readonly leafIndex: bigint
  readonly input: CircuitInput
  readonly statement: Statement
}

interface Committed {
  readonly index: bigint
  readonly hash: bigint
}

interface Latest {
  readonly record: EpochRecord
  readonly table: MarketTable
}

export class EpochService {
  readonly #tree: StateTree
  /** Per account (lowercase): its index and the leaf hash the tree holds. */
  readonly #leaves = new Map<string, Committed>()
  /** Per index: the account it belongs to (one leaf per index, E4). */
  readonly #owners = new Map<bigint, string>()
  /** Accounts changed since the last epoch (lowercase key, address as given). */
  #dirty = new Map<string, Address>()
  /** Every leaf must be re-derived at the next epoch (start, or a new row numbering). */
  #full = true
  #layout: string | undefined
  #latest: Latest | undefined
  #queue: Promise<unknown> = Promise.resolve()
  #committing = false
  #timer: NodeJS.Timeout | undefined
  #unsubscribe: (() => void) | undefined
  /** The last past epoch's tree rebuilt for an opening (audits ask for one epoch many times). */
  #past: { number: bigint; tree: StateTree } | undefined
  /** Leaf hashes of a large epoch (a cold one) on worker threads. */
  readonly #hashes: HashPool

  private constructor(
    private readonly options: EpochServiceOptions,
    private readonly store: EpochStore,
    private readonly hash: Hasher,
  ) {
    this.#tree = new StateTree(hash)
    this.#hashes = new HashPool(hash)
  }

  /** Migrate, settle an epoch a crash left unposted, rebuild the latest tree, follow the accounts. */
  static async open(options: EpochServiceOptions): Promise<EpochService> {
    const store = await EpochStore.open(options.db)
    const service = new EpochService(options, store, await poseidonHasher())
    await service.#recover()
    service.#unsubscribe = options.accounts.subscribe((a) => service.#dirty.set(a.toLowerCase(), a))
    return service
  }

  /** Commit every `epochSeconds` from now on. */
  start(): void {
    const seconds = this.options.epochSeconds ?? DEFAULT_EPOCH_SECONDS
    if (seconds <= 0) return
    this.#timer = setInterval(() => {
      // a slow epoch is not stacked on: the next tick after it commits
      if (this.#committing) return
      this.commitNow().catch((err) => this.options.logger.error({ err }, 'epoch commit failed'))
    }, seconds * 1000)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#unsubscribe?.()
    await this.#queue.catch(() => {})
    await this.#hashes.close()
  }

  /** The latest committed epoch's record, if any. */
  get latest(): EpochRecord | undefined {
    return this.#latest?.record
  }

  /** Commit and post the next epoch now; resolves with its record. */
  commitNow(): Promise<EpochRecord> {
    return this.#exclusive(() => this.#commit())
  }

  list(options: { before?: bigint; limit: number }): Promise<EpochRecord[]> {
    return this.store.list(options.before, options.limit)
  }

  async get(
    number: bigint,
  ): Promise<{ record: EpochRecord; market: MarketTableDocument } | undefined> {
    return this.store.get(number)
  }

  /**
   * The account's leaf in `epoch` with its path: rebuilt from the store's
   * changes up to that epoch, or the live tree for the latest.
   */
  opening(account: Address, epoch: bigint): Promise<EpochOpening> {
    return this.#exclusive(async () => {
      const found = await this.store.get(epoch)
      if (!found) throw new EpochRefused('unknown_epoch', `there is no epoch ${epoch}`)
      const leaf = await this.store.leafOf(account, epoch)
      if (!leaf) throw new EpochRefused('not_indexed', `${account} has no leaf in epoch ${epoch}`)
      const tree = await this.#treeAt(epoch)
      return {
        epoch,
        leafIndex: leaf.leafIndex,
        leafHash: leaf.leafHash,
        opening: leaf.opening,
        siblings: tree.path(Number(leaf.leafIndex)).siblings,
        stateRoot: found.record.stateRoot,
      }
    })
  }

  /**
   * The circuit input (circuits/witness.ts circuitInput) for `account`
   * against the latest committed epoch: its leaf as that epoch committed it,
   * its path in that epoch's tree, that epoch's market table. Refuses with
   * EpochRefused 'no_epoch' before the first epoch and 'not_indexed' for an
   * account with no leaf in it (the hub has not indexed it yet).
   */
  proofInput(account: Address): Promise<ProofInput> {
    return this.#exclusive(async () => {
      const latest = this.#latest
      if (!latest) throw new EpochRefused('no_epoch', 'no epoch has been committed yet')
      const epoch = latest.record.number
      const leaf = await this.store.leafOf(account, epoch)
      if (!leaf)
        throw new EpochRefused(
          'not_indexed',
          `${account} has no leaf in epoch ${epoch}: the hub has not indexed it yet`,
        )
      const { input, statement } = circuitInput(
        latest.table,
        this.#tree,
        Number(leaf.leafIndex),
        leafOf(leaf.opening),
        epoch,
        this.hash,
      )
      return { epoch, leafIndex: leaf.leafIndex, input, statement }
    })
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn)
    this.#queue = run.catch(() => {})
    return run
  }

  async #recover(): Promise<void> {
    const last = await this.store.latest()
    if (last && last.postedTx === null) {
      // Written, then the process stopped before the receipt: the hub says whether it took it.
      if ((await this.options.poster.latestEpoch()) >= last.number)
        await this.store.markPosted(last.number, null, new Date())
      else await this.store.remove(last.number)
    }
    const latest = await this.store.latest()
    if (!latest) return
    const leaves = await this.store.leavesAt(latest.number)
    this.#tree.setMany(leaves.map((l) => [Number(l.leafIndex), l.leafHash]))
    for (const l of leaves) {
      this.#leaves.set(l.account, { index: l.leafIndex, hash: l.leafHash })
      this.#owners.set(l.leafIndex, l.account)
    }
    if (this.#tree.root !== latest.stateRoot)
      throw new XmarginError(`epoch ${latest.number}'s stored leaves do not give its root`, {
        code: 'epoch_store_corrupt',
      })
    const table = tableFromDocument((await this.store.get(latest.number))!.market)
    this.#layout = leafLayout(table)
    this.#latest = { record: latest, table }
  }

  async #commit(): Promise<EpochRecord> {
    this.#committing = true
    try {
      return await this.#commitOnce()
    } finally {
      this.#committing = false
    }
  }

  async #commitOnce(): Promise<EpochRecord> {
    const { accounts, poster } = this.options
    const number = (await poster.latestEpoch()) + 1n
    const stored = this.#latest?.record.number ?? 0n
    if (number <= stored)
      throw new EpochRefused(
        'hub_behind',
        `the hub's latest epoch is ${number - 1n}, but epoch ${stored} is committed here`,
      )
    const { market, params } = this.options.market()
    const instruments = epochInstruments(this.options.instruments(), accounts.heldInstruments())
    const table = buildMarketTable(this.hash, market, params, instruments)
    const layout = leafLayout(table)
    const full = this.#full || layout !== this.#layout
    const dirty = this.#dirty
    this.#dirty = new Map()
    try {
      const candidates = full ? allAccounts(accounts) : dirty
      const { changes, unindexed } = await this.#changedLeaves(candidates, table, market, params)
      const record = await this.#record(number, table, changes, unindexed)
      this.#full = false
      this.#layout = layout
      this.#latest = { record, table }
      await this.#writeMarketFile(number, table).catch((err) =>
        this.options.logger.error({ err, epoch: number }, 'writing the market table file failed'),
      )
      return record
    } catch (err) {
      // Nothing of this epoch stays: the same accounts are looked at again next time.
      for (const [k, a] of dirty) if (!this.#dirty.has(k)) this.#dirty.set(k, a)
      throw err
    }
  }

  /** Leaves of `candidates` that differ from what the tree holds; the accounts without an index. */
  async #changedLeaves(
    candidates: ReadonlyMap<string, Address>,
    table: MarketTable,
    market: Market,
    params: RiskParams,
  ): Promise<{ changes: ChangedLeaf[]; unindexed: Map<string, Address> }> {
    const indices = await this.#indices(candidates)
    const changes: ChangedLeaf[] = []
    const unindexed = new Map<string, Address>()
    const claimed = new Map<bigint, string>()
    const derived: { key: string; account: Address; index: bigint; leaf: AccountLeaf }[] = []
    for (const [key, account] of candidates) {
      const index = indices.get(key)
      if (index === undefined) {
        unindexed.set(key, account)
        continue
      }
      const owner = this.#owners.get(index) ?? claimed.get(index)
      if (owner !== undefined && owner !== key)
        throw new EpochRefused(
          'index_taken',
          `the hub gave leaf ${index} to ${account}, but it is ${owner}'s`,
        )
      claimed.set(index, key)
      const portfolio = this.options.accounts.portfolio(account)
      if (!portfolio) continue
      const leaf = accountLeaf(
        { market, params, portfolio },
        table,
        BigInt(account),
        saltOf(this.options.secret, account),
      )
      derived.push({ key, account, index, leaf })
    }
    const hashes = await this.#hashes.hashMany(derived.map((d) => leafFields(d.leaf)))
    for (const [i, { key, account, index, leaf }] of derived.entries()) {
      const hash = hashes[i]!
      if (this.#leaves.get(key)?.hash === hash) continue
      changes.push({ leafIndex: index, account, leafHash: hash, opening: openingOf(leaf) })
    }
    // Not indexed yet: looked at again every epoch until the hub indexes it.
    for (const [k, a] of unindexed) this.#dirty.set(k, a)
    return { changes, unindexed }
  }

  /** The hub's index of each candidate; a known one is never asked again (it cannot change). */
  async #indices(candidates: ReadonlyMap<string, Address>): Promise<Map<string, bigint>> {
    const found = new Map<string, bigint>()
    const ask: [string, Address][] = []
    for (const [key, account] of candidates) {
      const known = this.#leaves.get(key)
      if (known) found.set(key, known.index)
      else ask.push([key, account])
    }
    const width = this.options.lookupConcurrency ?? 16
    for (let i = 0; i < ask.length; i += width) {
      const batch = ask.slice(i, i + width)
      const indices = await Promise.all(batch.map(([, a]) => this.options.leafIndices.indexOf(a)))
      for (const [j, index] of indices.entries()) {
        if (index === undefined) continue
        if (index < 0n || index >= 2n ** BigInt(STATE_DEPTH))
          throw new RangeError(`leaf index ${index} is outside the depth-${STATE_DEPTH} tree`)
        found.set(batch[j]![0], index)
      }
    }
    return found
  }

  /** Apply the changes, store the epoch, post it; on a failed post undo both. */
  async #record(
    number: bigint,
    table: MarketTable,
    changes: readonly ChangedLeaf[],
    unindexed: ReadonlyMap<string, Address>,
  ): Promise<EpochRecord> {
    const before = changes.map((c): [number, bigint] => [
      Number(c.leafIndex),
      this.#leaves.get(c.account.toLowerCase())?.hash ?? 0n,
    ])
    this.#tree.setMany(changes.map((c) => [Number(c.leafIndex), c.leafHash]))
    const stateRoot = this.#tree.root
    // accounts in the tree for the first time: counted, and their indices published
    const fresh = changes
      .filter((c) => !this.#leaves.has(c.account.toLowerCase()))
      .map((c) => ({ account: c.account, index: c.leafIndex }))
    const base = {
      number,
      stateRoot,
      marketRoot: table.marketRoot,
      accountCount: this.#leaves.size + fresh.length,
      unindexedCount: unindexed.size,
    }
    try {
      await this.store.insert(base, tableDocument(table), changes)
    } catch (err) {
      this.#tree.setMany(before)
      throw err
    }
    // The registries learn new accounts' indices before the epoch that first holds them
    // (E4); a failure here is retried with the next epoch and does not hold this one back.
    await this.options.poster
      .publishIndices?.(fresh)
      .catch((err) =>
        this.options.logger.warn({ err, epoch: number }, 'publishing account indices failed'),
      )
    let txHash: Hex
    try {
      ;({ txHash } = await this.options.poster.post(number, stateRoot, table.marketRoot))
    } catch (err) {
      this.#tree.setMany(before)
      await this.store.remove(number).catch(() => {})
      throw err
    }
    // The hub has it: from here on the epoch stands, whatever fails after.
    for (const c of changes) {
      const key = c.account.toLowerCase()
      this.#leaves.set(key, { index: c.leafIndex, hash: c.leafHash })
      this.#owners.set(c.leafIndex, key)
    }
    const postedAt = new Date()
    await this.store
      .markPosted(number, txHash, postedAt)
      .catch((err) =>
        this.options.logger.error({ err, epoch: number }, 'marking the epoch posted failed'),
      )
    this.options.logger.info(
      { ...base, epoch: number, changed: changes.length, stateRoot: hex32(stateRoot) },
      'epoch posted',
    )
    return { ...base, postedTx: txHash, postedAt }
  }

  async #treeAt(epoch: bigint): Promise<StateTree> {
    if (epoch === this.#latest?.record.number) return this.#tree
    if (this.#past?.number === epoch) return this.#past.tree
    const tree = new StateTree(this.hash)
    tree.setMany((await this.store.leavesAt(epoch)).map((l) => [Number(l.leafIndex), l.leafHash]))
    this.#past = { number: epoch, tree }
    return tree
  }

  async #writeMarketFile(number: bigint, table: MarketTable): Promise<void> {
    if (this.options.dir === undefined) return
    const dir = join(this.options.dir, 'epochs')
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, `${number}.market.json`), `${JSON.stringify(tableDocument(table))}\n`)
  }
}

function allAccounts(accounts: EpochAccounts): Map<string, Address> {
  const all = new Map<string, Address>()
  for (const a of accounts.accounts()) all.set(a.toLowerCase(), a)
  return all
}
