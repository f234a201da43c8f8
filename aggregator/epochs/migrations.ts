/**
 * The epochs' tables, in the project's one store (ids from 201, beside the
 * relayer's and the accounts'). A leaf row is written only in the epoch its
 * leaf changed: any epoch's tree is the latest row per index up to it.
 */
import type { Migration } from '../../relayer/store/migrations.ts'

export const EPOCH_MIGRATIONS: readonly Migration[] = [
  {
    id: 201,
    name: 'epochs',
    sql: `
      create table epochs (
        number bigint primary key,           -- the hub's epoch number
        state_root text not null,            -- 0x + 64 hex
        market_root text not null,
        account_count integer not null,      -- leaves in the tree
        unindexed_count integer not null,    -- live accounts the hub had not indexed yet
        posted_tx text,                      -- null until the hub took it
        posted_at timestamptz,
        market jsonb not null                -- the whole market table (MarketTableDocument)
      );
      create table epoch_leaves (
        epoch bigint not null references epochs (number) on delete cascade,
        leaf_index bigint not null,          -- the hub's index for the account (E4)
        account text not null,               -- lowercase hex
        leaf_hash text not null,             -- 0x + 64 hex
        opening jsonb not null,              -- the AccountLeaf fields and salt, decimal strings
        primary key (epoch, leaf_index)
      );
      create index epoch_leaves_by_index on epoch_leaves (leaf_index, epoch);
      create index epoch_leaves_by_account on epoch_leaves (account, epoch)
    `,
  },
]
