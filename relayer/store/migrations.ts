/**
 * Schema migrations, applied in order, each once, recorded in
 * schema_migrations. The same SQL runs on PGlite and PostgreSQL.
 */
import type { Database } from './database.ts'

export interface Migration {
  readonly id: number
  readonly name: string
  readonly sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'relay tables',
    sql: `
      create table cursors (
        chain integer primary key,          -- Wormhole chain id
        next_block numeric(20, 0) not null  -- first block not yet read
      );
      create table messages (
        id serial primary key,
        emitter_chain integer not null,
        emitter_address text not null,      -- 0x + 64 hex
        sequence numeric(20, 0) not null,
        kind text not null,
        payload text not null,              -- 0x hex
        nonce bigint not null,
        consistency integer not null,
        block_time bigint not null,
        tx_hash text not null,
        block_number numeric(20, 0) not null,
        observed_at timestamptz not null default now(),
        unique (emitter_chain, emitter_address, sequence)
      );
      create table deliveries (
        id serial primary key,
        message_id integer not null references messages (id),
        target_chain integer not null,
        target_contract text not null,
        method text not null,
        status text not null default 'pending'
          check (status in ('pending', 'delivered', 'failed')),
        attempts integer not null default 0,
        next_attempt_at timestamptz not null default now(),
        last_error text,
        tx_hash text,
        delivered_at timestamptz,
        unique (message_id, target_chain, target_contract)
      );
      create index deliveries_due on deliveries (target_chain, status, next_attempt_at);
      create table attempts (
        id serial primary key,
        delivery_id integer not null references deliveries (id),
        attempt integer not null,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        outcome text not null,              -- delivered | already_consumed | retry | failed
        tx_hash text,
        error text
      );
    `,
  },
  {
    id: 2,
    name: 'due deliveries index',
    // The queue query reads pending deliveries only: index just those, in queue order, so a
    // pass costs the same with a million delivered rows behind it as with none.
    sql: `
      drop index deliveries_due;
      create index deliveries_pending on deliveries (target_chain, next_attempt_at, id)
        where status = 'pending';
    `,
  },
]

/**
 * Apply `migrations` (default the relayer's) not yet recorded. Each part of
 * the system keeps its own list with its own id range in one schema_migrations
 * table, so all of them can share one database.
 */
export async function migrate(
  db: Database,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  await db.query(
    'create table if not exists schema_migrations (id integer primary key, name text not null, applied_at timestamptz not null default now())',
  )
  const applied = new Set(
    (await db.query<{ id: number }>('select id from schema_migrations')).map((r) => Number(r.id)),
  )
  const ran: number[] = []
  for (const m of migrations) {
    if (applied.has(m.id)) continue
    await db.transaction(async (tx) => {
      for (const statement of m.sql
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await tx.query(statement)
      await tx.query('insert into schema_migrations (id, name) values ($1, $2)', [m.id, m.name])
    })
    ran.push(m.id)
  }
  return ran
}
