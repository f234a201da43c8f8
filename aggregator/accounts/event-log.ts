/**
 * The append-only account log in the store. One writer (the accounts
 * service) appends, so `seq` is gapless and a reader that has seen seq n has
 * seen everything before it: what a stream's Last-Event-ID relies on. An
 * append records only facts the log does not hold yet (by natural key), and a
 * chain batch records its events and its adapter's cursor in one transaction.
 *
 * Group commit: appends that arrive while a transaction is writing wait and
 * go together in the next one, in arrival order, so many accounts' fills
 * cost one round trip to the store, not one each.
 */
import type { Database, Queryable } from '../../relayer/store/database.ts'
import type { AccountSnapshot, BookSnapshot } from './account-book.ts'
import { type AccountEvent, decodeEvent, encodeEvent, naturalKey, type Recorded } from './events.ts'

/** Account states per statement when saving: small enough that queued fills wait briefly. */
const STATE_CHUNK = 1_000

interface EventRow {
  seq: string | number
  body: unknown
}

interface PendingAppend {
  readonly events: readonly AccountEvent[]
  readonly cursor: { readonly chain: string; readonly next: bigint } | undefined
  readonly resolve: (recorded: Recorded[]) => void
  readonly reject: (err: unknown) => void
}

export class EventLog {
  #last: bigint | undefined
  #queue: PendingAppend[] = []
  #writing = false

  constructor(private readonly db: Database) {}

  /** The seq of the last event recorded (0 for an empty log). */
  async last(): Promise<bigint> {
    if (this.#last === undefined) {
      const [row] = await this.db.query<{ seq: string | null }>(
        'select max(seq)::text as seq from account_events',
      )
      this.#last = BigInt(row?.seq ?? 0)
    }
    return this.#last
  }

  /**
   * Record the events the log does not hold yet, in order; with `cursor`, move
   * that chain's adapter cursor in the same transaction. Returns what was new.
   */
  append(
    events: readonly AccountEvent[],
    cursor?: { readonly chain: string; readonly next: bigint },
  ): Promise<Recorded[]> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ events, cursor, resolve, reject })
      if (!this.#writing) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#writing = true
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue
        this.#queue = []
        try {
          const recorded = await this.#write(batch)
          batch.forEach((p, i) => {
            p.resolve(recorded[i]!)
          })
        } catch (err) {
          for (const p of batch) p.reject(err)
        }
      }
    } finally {
      this.#writing = false
    }
  }

  /** One transaction for the batch; each append's new events, in order. */
  async #write(batch: readonly PendingAppend[]): Promise<Recorded[][]> {
    const last = await this.last()
    const result = await this.db.transaction(async (tx) => {
      const fresh = await this.#fresh(
        tx,
        batch.flatMap((p) => p.events),
      )
      let next = last
      const perAppend: Recorded[][] = []
      let i = 0
      for (const p of batch) {
        const rows: Recorded[] = []
        for (const event of p.events) {
          if (fresh[i++]) rows.push({ seq: ++next, event })
        }
        perAppend.push(rows)
      }
      const all = perAppend.flat()
      if (all.length > 0) await insertRows(tx, all)
      for (const p of batch) if (p.cursor) await saveCursor(tx, p.cursor.chain, p.cursor.next)
      return { perAppend, next }
    })
    this.#last = result.next
    return result.perAppend
  }

  /** The event recorded for a natural key, if any (a fill id's first answer). */
  async byKey(key: string): Promise<Recorded | undefined> {
    const [row] = await this.db.query<EventRow>(
      'select seq, body from account_events where natural_key = $1',
      [key],
    )
    return row ? { seq: BigInt(row.seq), event: decodeEvent(parseBody(row.body)) } : undefined
  }

  /** Events after `seq`, in order, at most `limit`. */
  async since(seq: bigint, limit = 10_000): Promise<Recorded[]> {
    const rows = await this.db.query<EventRow>(
      'select seq, body from account_events where seq > $1 order by seq limit $2',
      [seq.toString(), limit],
    )
    return rows.map((r) => ({ seq: BigInt(r.seq), event: decodeEvent(parseBody(r.body)) }))
  }

  /** One account's events after `seq`, in order, at most `limit` (by its index, not a scan). */
  async sinceFor(account: string, seq: bigint, limit = 10_000): Promise<Recorded[]> {
    const rows = await this.db.query<EventRow>(
      'select seq, body from account_events where account = $1 and seq > $2 order by seq limit $3',
      [account.toLowerCase(), seq.toString(), limit],
    )
    return rows.map((r) => ({ seq: BigInt(r.seq), event: decodeEvent(parseBody(r.body)) }))
  }

  async cursor(chain: string): Promise<bigint | undefined> {
    const [row] = await this.db.query<{ next_block: string }>(
      'select next_block::text as next_block from adapter_cursors where chain = $1',
      [chain],
    )
    return row ? BigInt(row.next_block) : undefined
  }

  /**
   * The saved account states and the seq every event up to which they hold
   * (a state may be newer: see saveStates), or undefined when none was saved.
   */
  async loadStates(): Promise<BookSnapshot | undefined> {
    const [mark] = await this.db.query<{ seq: string }>(
      'select seq::text as seq from account_states_mark',
    )
    if (!mark) return undefined
    const rows = await this.db.query<{ state: unknown }>('select state from account_states')
    return { seq: mark.seq, accounts: rows.map((r) => parseBody(r.state) as AccountSnapshot) }
  }

  /**
   * Save the states in `changes`, then mark its seq. Written a chunk per
   * transaction, so fills queued behind a large save wait for one chunk, not
   * all: a crash between chunks leaves states newer than the mark, which the
   * book's replay skips per account (AccountBook.apply).
   */
  async saveStates(changes: BookSnapshot): Promise<void> {
    for (let i = 0; i < changes.accounts.length; i += STATE_CHUNK) {
      const chunk = changes.accounts.slice(i, i + STATE_CHUNK)
      await this.db.query(
        `insert into account_states (account, seq, state)
         select lower(x.state->>'account'), (x.state->>'seq')::bigint, x.state
         from jsonb_array_elements($1::jsonb) as x(state)
         on conflict (account) do update set seq = excluded.seq, state = excluded.state`,
        [JSON.stringify(chunk)],
      )
    }
    await this.db.query(
      `insert into account_states_mark (id, seq) values (1, $1)
       on conflict (id) do update set seq = excluded.seq`,
      [changes.seq],
    )
  }

  /** Per event: true if the log does not hold its fact and no earlier event of the batch is it. */
  async #fresh(tx: Queryable, events: readonly AccountEvent[]): Promise<boolean[]> {
    if (events.length === 0) return []
    const keys = events.map(naturalKey)
    const held = new Set(
      (
        await tx.query<{ natural_key: string }>(
          'select natural_key from account_events where natural_key = any($1::text[])',
          [keys],
        )
      ).map((r) => r.natural_key),
    )
    return keys.map((key) => {
      if (held.has(key)) return false
      held.add(key)
      return true
    })
  }
}

async function insertRows(tx: Queryable, rows: readonly Recorded[]): Promise<void> {
  // The rows' JSON is written by hand around each event's own encoding: parsing that
  // encoding back only to stringify it again cost a parse and a stringify per event.
  const records = rows.map(
    ({ seq, event }) =>
      `{"seq":${seq},"account":${JSON.stringify(event.account.toLowerCase())},"kind":${JSON.stringify(event.kind)},"natural_key":${JSON.stringify(naturalKey(event))},"body":${encodeEvent(event)}}`,
  )
  await tx.query(
    `insert into account_events (seq, account, kind, natural_key, body)
     select seq, account, kind, natural_key, body
     from jsonb_to_recordset($1::jsonb) as x(seq bigint, account text, kind text, natural_key text, body jsonb)`,
    [`[${records.join(',')}]`],
  )
}

async function saveCursor(tx: Queryable, chain: string, next: bigint): Promise<void> {
  await tx.query(
    `insert into adapter_cursors (chain, next_block) values ($1, $2)
     on conflict (chain) do update set next_block = excluded.next_block`,
    [chain, next.toString()],
  )
}

/** jsonb comes back parsed from pg and as text from some drivers. */
function parseBody(body: unknown): unknown {
  return typeof body === 'string' ? JSON.parse(body) : body
}
