/**
 * The account log's tables, in the project's one store beside the relayer's
 * (ids from 101, so both lists share schema_migrations).
 */
import type { Migration } from '../../relayer/store/migrations.ts'

export const ACCOUNT_MIGRATIONS: readonly Migration[] = [
  {
    id: 101,
    name: 'account log',
    sql: `
      create table account_events (
        seq bigint primary key,              -- the log's order, gapless: one writer assigns it
        account text not null,               -- lowercase hex
        kind text not null,
        natural_key text not null unique,    -- the fact, recorded once
        body jsonb not null,
        recorded_at timestamptz not null default now()
      );
      create index account_events_by_account on account_events (account, seq);
      create table account_snapshots (
        seq bigint primary key,              -- the last event the snapshot includes
        state jsonb not null,
        taken_at timestamptz not null default now()
      );
      create table adapter_cursors (
        chain text primary key,              -- manifest chain name
        next_block numeric(20, 0) not null   -- first block not yet read
      );
      create table used_nonces (
        account text not null,
        nonce numeric(78, 0) not null,
        expiry bigint not null,              -- unix seconds, prunable after it
        primary key (account, nonce)
      )
    `,
  },
  {
    id: 102,
    name: 'account states saved per account',
    // A whole-book snapshot rewrote every account each time (at 100,000
    // accounts, a stall of a second for the fills queued behind it); a state
    // per account rewrites only the changed ones. The latest whole snapshot
    // becomes the first states.
    sql: `
      create table account_states (
        account text primary key,            -- lowercase hex
        seq bigint not null,                 -- the last event this state includes
        state jsonb not null
      );
      create table account_states_mark (
        id int primary key check (id = 1),
        seq bigint not null                  -- every event up to it is in the states
      );
      insert into account_states (account, seq, state)
        select lower(a->>'account'), (a->>'seq')::bigint, a
        from account_snapshots s, jsonb_array_elements(s.state->'accounts') a
        where s.seq = (select max(seq) from account_snapshots);
      insert into account_states_mark (id, seq)
        select 1, max(seq) from account_snapshots having count(*) > 0;
      drop table account_snapshots
    `,
  },
]
