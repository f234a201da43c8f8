/**
 * The project's SQL store: PostgreSQL when DATABASE_URL (or a postgres://
 * URL) is given, otherwise PGlite, Postgres compiled to WASM and run in
 * process (on a thread of its own), so a fresh machine needs no server. Both
 * take the same SQL.
 */
import { Worker } from 'node:worker_threads'
import pg from 'pg'
import { XmarginError } from '../../aggregator/errors.ts'

export interface Queryable {
  query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
  /**
   * Run SQL text that may hold several statements and takes no parameters (a
   * schema migration, a BEGIN ... COMMIT block), in order; the rows of the last.
   */
  exec<T extends object>(sql: string): Promise<T[]>
  /** Run `fn` in one transaction: all of it or none. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/**
 * `postgres://...` or `postgresql://...`: a server. `memory`: PGlite in memory.
 * Anything else: a PGlite data directory.
 */
export async function openDatabase(location: string): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(location)) return openPostgres(location)
  return openPglite(location)
}

/** A Postgres error from the engine thread: its message, SQLSTATE code and detail. */
export class DatabaseError extends XmarginError {
  override name = 'DatabaseError'
  constructor(
    message: string,
    /** Postgres's SQLSTATE, when Postgres raised it. */
    readonly sqlState?: string,
    detail?: string,
  ) {
    super(
      message,
      detail === undefined ? { code: 'database' } : { code: 'database', details: detail },
    )
  }
}

interface Reply {
  id: number
  rows?: object[]
  error?: { message: string; code?: string; detail?: string }
}

/**
 * PGlite on a worker thread of its own (pglite-worker.js), so that Postgres's
 * CPU does not stall the relayer's loops. PGlite runs one statement at a
 * time: work is queued, so concurrent callers never interleave, and a
 * transaction holds the queue from begin to commit.
 */
async function openPglite(location: string): Promise<Database> {
  const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), {
    workerData: { location },
  })
  const waiting = new Map<number, { resolve(rows: object[]): void; reject(e: Error): void }>()
  let nextId = 0
  // Once the thread is gone every statement fails at once, instead of waiting forever.
  let stopped: Error | undefined
  const failAll = (error: Error) => {
    stopped ??= error
    for (const w of waiting.values()) w.reject(error)
    waiting.clear()
  }
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { ready: boolean; error?: Reply['error'] }) =>
      m.ready
        ? resolve()
        : reject(
            new DatabaseError(
              `cannot open PGlite at ${location}: ${m.error?.message}`,
              m.error?.code,
              m.error?.detail,
            ),
          ),
    )
    worker.once('error', reject)
  }).catch(async (err) => {
    await worker.terminate()
    throw err
  })
  worker.on('message', (m: Reply) => {
    const w = waiting.get(m.id)
    waiting.delete(m.id)
    if (m.error) w?.reject(new DatabaseError(m.error.message, m.error.code, m.error.detail))
    else w?.resolve(m.rows ?? [])
  })
  worker.on('error', failAll)
  const closed = () => new DatabaseError('the database is closed')
  worker.on('exit', () => failAll(closed()))
  const post = <T>(message: object) =>
    new Promise<T[]>((resolve, reject) => {
      if (stopped) return reject(stopped)
      const id = nextId++
      waiting.set(id, { resolve: resolve as (rows: object[]) => void, reject })
      worker.postMessage({ id, ...message })
    })
  const run = <T>(sql: string, params?: readonly unknown[]) =>
    post<T>({ sql, params: params ? [...params] : [] })
  const exec = <T>(sql: string) => post<T>({ sql, exec: true })

  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = tail.then(fn, fn)
    tail = next.catch(() => undefined)
    return next
  }
  return {
    kind: 'pglite',
    query: (sql, params) => serial(() => run(sql, params)),
    exec: (sql) => serial(() => exec(sql)),
    transaction: (fn) =>
      serial(async () => {
        await run('begin')
        try {
          const result = await fn({ query: run })
          await run('commit')
          return result
        } catch (err) {
          // the statement's own error is the one to report, not a failed rollback's
          await run('rollback').catch(() => undefined)
          throw err
        }
      }),
    close: () =>
      serial(async () => {
        await post({ close: true })
        await worker.terminate()
        failAll(closed())
      }),
  }
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 8 })
  await pool.query('select 1')
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params ? [...params] : [])).rows,
    async exec<T extends object>(sql: string) {
      // no parameters: the simple query protocol, which takes several statements
      const result = (await pool.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[]
      const last = Array.isArray(result) ? result.at(-1) : result
      return (last?.rows ?? []) as T[]
    },
    async transaction(fn) {
      const client = await pool.connect()
      try {
        await client.query('begin')
        const result = await fn({
          query: async (sql, params) => (await client.query(sql, params ? [...params] : [])).rows,
        })
        await client.query('commit')
        return result
      } catch (err) {
        await client.query('rollback')
        throw err
      } finally {
        client.release()
      }
    },
    close: () => pool.end(),
  }
}
