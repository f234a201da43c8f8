/**
 * The store's two backends for conformance suites: PGlite in process, and
 * PostgreSQL at XMARGIN_TEST_DATABASE_URL (a fresh database per use, dropped
 * after). CI must provide the server; elsewhere the PostgreSQL half is
 * skipped when the variable is unset.
 */
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { type Database, openDatabase } from '../../relayer/store/database.ts'

export const SERVER_URL = process.env['XMARGIN_TEST_DATABASE_URL']
if (process.env['CI'] && !SERVER_URL)
  throw new Error('CI must set XMARGIN_TEST_DATABASE_URL to run the store suites on PostgreSQL')

/** A fresh database on the server, dropped when done. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `xmargin_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: SERVER_URL })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(SERVER_URL!)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: SERVER_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

export type Backend = [string, () => Promise<{ db: Database; cleanup: () => Promise<void> }>]

export const BACKENDS: Backend[] = [
  [
    'pglite',
    async () => {
      const db = await openDatabase('memory')
      return { db, cleanup: () => db.close() }
    },
  ],
]
if (SERVER_URL) {
  BACKENDS.push([
    'postgres',
    async () => {
      const { url, drop } = await freshPostgres()
      const db = await openDatabase(url)
      return {
        db,
        cleanup: async () => {
          await db.close()
          await drop()
        },
      }
    },
  ])
}
