/**
 * The epochs in the store: one row per epoch (roots, counts, the hub's tx,
 * the whole market table) and its changed leaves. An epoch is written before
 * it is posted (posted_tx null) and marked once the hub took it, so a crash
 * between the two is found on restart and settled against the hub.
 */
import type { Address, Hex } from 'viem'
import type { Database } from '../../relayer/store/database.ts'
import { migrate } from '../../relayer/store/migrations.ts'
import type { MarketTableDocument } from './market.ts'
import { EPOCH_MIGRATIONS } from './migrations.ts'
import type { LeafOpening } from './opening.ts'

export interface EpochRecord {
  readonly number: bigint
  readonly stateRoot: bigint
  readonly marketRoot: bigint
  readonly accountCount: number
  readonly unindexedCount: number
  /** Null while the post is under way (or was lost in a crash before its receipt). */
  readonly postedTx: Hex | null
  readonly postedAt: Date | null
}

export interface ChangedLeaf {
  readonly leafIndex: bigint
  readonly account: Address
  readonly leafHash: bigint
  readonly opening: LeafOpening
}

/** A stored leaf: what the tree and the last-hash table are rebuilt from. */
export interface StoredLeaf {
  readonly leafIndex: bigint
  readonly account: Address
  readonly leafHash: bigint
}

/** Leaves per insert: a 100,000-account cold epoch is 20 statements, not one of 100 MB. */
const LEAF_CHUNK = 5_000

export const hex32 = (x: bigint): Hex => `0x${x.toString(16).padStart(64, '0')}`

interface EpochRow {
  number: string
  state_root: string
  market_root: string
  account_count: number
  unindexed_count: number
  posted_tx: string | null
  posted_at: Date | string | null
}

const COLUMNS =
  'number::text as number, state_root, market_root, account_count, unindexed_count, posted_tx, posted_at'

function recordOf(r: EpochRow): EpochRecord {
  return {
    number: BigInt(r.number),
    stateRoot: BigInt(r.state_root),
    marketRoot: BigInt(r.market_root),
    accountCount: Number(r.account_count),
    unindexedCount: Number(r.unindexed_count),
    postedTx: r.posted_tx as Hex | null,
    postedAt: r.posted_at === null ? null : new Date(r.posted_at),
  }
}

/** jsonb comes back parsed from pg and PGlite alike, or as text from some drivers. */
const parsed = <T>(x: unknown): T => (typeof x === 'string' ? JSON.parse(x) : x) as T

export class EpochStore {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<EpochStore> {
    await migrate(db, EPOCH_MIGRATIONS)
    return new EpochStore(db)
  }

  /** The epoch and its changed leaves, all or none; not yet posted. */
  async insert(
    record: Omit<EpochRecord, 'postedTx' | 'postedAt'>,
    market: MarketTableDocument,
    leaves: readonly ChangedLeaf[],
  ): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `insert into epochs (number, state_root, market_root, account_count, unindexed_count, market)
         values ($1, $2, $3, $4, $5, $6::jsonb)`,
        [
          record.number.toString(),
          hex32(record.stateRoot),
          hex32(record.marketRoot),
          record.accountCount,
          record.unindexedCount,
          JSON.stringify(market),
        ],
      )
      for (let i = 0; i < leaves.length; i += LEAF_CHUNK) {
        const chunk = leaves.slice(i, i + LEAF_CHUNK).map((l) => ({
          i: l.leafIndex.toString(),
          a: l.account.toLowerCase(),
          h: hex32(l.leafHash),
          o: l.opening,
        }))
        await tx.query(
          `insert into epoch_leaves (epoch, leaf_index, account, leaf_hash, opening)
           select $1, (x->>'i')::bigint, x->>'a', x->>'h', x->'o'
           from jsonb_array_elements($2::jsonb) as x`,
          [record.number.toString(), JSON.stringify(chunk)],
        )
      }
    })
  }

  async markPosted(number: bigint, txHash: Hex | null, at: Date): Promise<void> {
    await this.db.query('update epochs set posted_tx = $2, posted_at = $3 where number = $1', [
      number.toString(),
      txHash,
      at.toISOString(),
    ])
  }

  /** Forget an epoch the hub never took (its leaves go with it). */
  async remove(number: bigint): Promise<void> {
    await this.db.query('delete from epochs where number = $1', [number.toString()])
  }

  async latest(): Promise<EpochRecord | undefined> {
    const [row] = await this.db.query<EpochRow>(
      `select ${COLUMNS} from epochs order by number desc limit 1`,
    )
    return row && recordOf(row)
  }

  /** Newest first, numbers below `before` when given. */
  async list(before: bigint | undefined, limit: number): Promise<EpochRecord[]> {
    const rows = await this.db.query<EpochRow>(
      `select ${COLUMNS} from epochs where ($1::bigint is null or number < $1::bigint)
       order by number desc limit $2`,
      [before?.toString() ?? null, limit],
    )
    return rows.map(recordOf)
  }

  async get(
    number: bigint,
  ): Promise<{ record: EpochRecord; market: MarketTableDocument } | undefined> {
    const [row] = await this.db.query<EpochRow & { market: unknown }>(
      `select ${COLUMNS}, market from epochs where number = $1`,
      [number.toString()],
    )
    return row && { record: recordOf(row), market: parsed<MarketTableDocument>(row.market) }
  }

  /** Every leaf of epoch `number`'s tree: the latest change of each index up to it. */
  async leavesAt(number: bigint): Promise<StoredLeaf[]> {
    const rows = await this.db.query<{ leaf_index: string; account: string; leaf_hash: string }>(
      `select distinct on (leaf_index) leaf_index::text as leaf_index, account, leaf_hash
       from epoch_leaves where epoch <= $1 order by leaf_index, epoch desc`,
      [number.toString()],
    )
    return rows.map((r) => ({
      leafIndex: BigInt(r.leaf_index),
      account: r.account as Address,
      leafHash: BigInt(r.leaf_hash),
    }))
  }

  /** The account's leaf as epoch `number` committed it (its latest change up to it). */
  async leafOf(
    account: Address,
    number: bigint,
  ): Promise<(StoredLeaf & { opening: LeafOpening }) | undefined> {
    const [row] = await this.db.query<{
      leaf_index: string
      leaf_hash: string
      opening: unknown
    }>(
      `select leaf_index::text as leaf_index, leaf_hash, opening from epoch_leaves
       where account = $1 and epoch <= $2 order by epoch desc limit 1`,
      [account.toLowerCase(), number.toString()],
    )
    return (
      row && {
        leafIndex: BigInt(row.leaf_index),
        account,
        leafHash: BigInt(row.leaf_hash),
        opening: parsed<LeafOpening>(row.opening),
      }
    )
  }
}
