// The embedded store's engine thread: one PGlite (Postgres in WASM) that runs
// the statements database.ts posts, one at a time, and posts back the rows or
// the error. Postgres's own CPU then runs beside the relayer's loops instead
// of inside them. Plain JavaScript: a worker loads without the TypeScript
// loader of the thread that starts it.
import { parentPort, workerData } from 'node:worker_threads'
import { PGlite } from '@electric-sql/pglite'

const db = workerData.location === 'memory' ? new PGlite() : new PGlite(workerData.location)

/** A Postgres error's fields survive the trip; an Error's prototype does not. */
const fields = (error) => ({
  message: error instanceof Error ? error.message : String(error),
  code: error?.code,
  detail: error?.detail,
})

db.waitReady.then(
  () => parentPort.postMessage({ ready: true }),
  (error) => parentPort.postMessage({ ready: false, error: fields(error) }),
)

parentPort.on('message', async ({ id, sql, params, exec, close }) => {
  if (close) {
    await db.close()
    parentPort.postMessage({ id, rows: [] })
    return
  }
  try {
    if (exec) {
      // several statements, no parameters (a migration): the rows of the last
      const results = await db.exec(sql)
      parentPort.postMessage({ id, rows: results.at(-1)?.rows ?? [] })
      return
    }
    const result = await db.query(sql, params)
    parentPort.postMessage({ id, rows: result.rows })
  } catch (error) {
    parentPort.postMessage({ id, error: fields(error) })
  }
})
