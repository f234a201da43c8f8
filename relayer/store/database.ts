/**
 * The project's SQL store: PostgreSQL when DATABASE_URL (or a postgres://
 * URL) is given, otherwise PGlite, Postgres compiled to WASM and run in
 * process, so a fresh machine needs no server. Both take the same SQL.
 */
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'

export interface Queryable {
  query<T extends object>(sql: string, params?: readonly unknown[]): Promise<T[]>
}

export interface Database extends Queryable {
  readonly kind: 'pglite' | 'postgres'
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
  const db = location === 'memory' ? new PGlite() : new PGlite(location)
  await db.waitReady
  // PGlite runs one statement at a time: queue work so concurrent callers never interleave transactions.
  let tail: Promise<unknown> = Promise.resolve()
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn)
    tail = run.catch(() => undefined)
    return run
  }
  return {
    kind: 'pglite',
    query: (sql, params) =>
      serial(async () => (await db.query(sql, params ? [...params] : [])).rows as never),
    transaction: (fn) =>
      serial(() =>
        db.transaction((tx) =>
          fn({
            query: async (sql, params) =>
              (await tx.query(sql, params ? [...params] : [])).rows as never,
          }),
        ),
      ),
    close: () => db.close(),
  }
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 8 })
  await pool.query('select 1')
  return {
    kind: 'postgres',
    query: async (sql, params) => (await pool.query(sql, params ? [...params] : [])).rows,
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
