/**
 * What the relayer persists: a read cursor per chain, every observed message,
 * one delivery per (message, target) and every attempt. Observing a block
 * range is one statement (messages, deliveries and the cursor move together),
 * so a crash never loses or doubles a message; settling a delivery and
 * recording its attempt is one statement too. Few statements matter: on the
 * embedded store each costs about a millisecond of Postgres CPU.
 */
import type { Hex } from 'viem'
import type { PublishedMessage } from '../messages.ts'
import type { Database } from './database.ts'

export interface Target {
  readonly chain: number
  readonly contract: Hex
  readonly method:
    | 'ingestCollateralUpdate'
    | 'receiveEpochRoot'
    | 'receiveAccountIndices'
    | 'execute'
}

export interface ObservedMessage extends PublishedMessage {
  readonly kind: string
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

export interface Delivery {
  readonly id: number
  readonly messageId: number
  readonly targetChain: number
  readonly targetContract: Hex
  readonly method: Target['method']
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly lastError: string | null
  readonly txHash: Hex | null
  readonly kind: string
  readonly emitterChain: number
  readonly emitterAddress: Hex
  readonly sequence: bigint
  readonly txHashObserved: Hex
  readonly payload: Hex
  readonly nonce: number
  readonly consistency: number
  readonly blockTime: number
}

interface DeliveryRow {
  id: number
  message_id: number
  target_chain: number
  target_contract: Hex
  method: Target['method']
  status: DeliveryStatus
  attempts: number
  last_error: string | null
  tx_hash: Hex | null
  kind: string
  emitter_chain: number
  emitter_address: Hex
  sequence: string
  observed_tx: Hex
  payload: Hex
  nonce: string | number
  consistency: number
  block_time: string | number
}

const DELIVERY_SELECT = `
  select d.id, d.message_id, d.target_chain, d.target_contract, d.method, d.status, d.attempts,
         d.last_error, d.tx_hash, m.kind, m.emitter_chain, m.emitter_address, m.sequence::text as sequence,
         m.tx_hash as observed_tx, m.payload, m.nonce, m.consistency, m.block_time
  from deliveries d join messages m on m.id = d.message_id`

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: Number(r.id),
    messageId: Number(r.message_id),
    targetChain: Number(r.target_chain),
    targetContract: r.target_contract,
    method: r.method,
    status: r.status,
    attempts: Number(r.attempts),
    lastError: r.last_error,
    txHash: r.tx_hash,
    kind: r.kind,
    emitterChain: Number(r.emitter_chain),
    emitterAddress: r.emitter_address,
    sequence: BigInt(r.sequence),
    txHashObserved: r.observed_tx,
    payload: r.payload,
    nonce: Number(r.nonce),
    consistency: Number(r.consistency),
    blockTime: Number(r.block_time),
  }
}

export class RelayStore {
  constructor(readonly db: Database) {}

  async cursor(chain: number): Promise<bigint | null> {
    const rows = await this.db.query<{ next_block: string }>(
      'select next_block::text as next_block from cursors where chain = $1',
      [chain],
    )
    return rows[0] ? BigInt(rows[0].next_block) : null
  }

  /** Record the messages of a block range and move the cursor past it, atomically. Returns how many were new. */
  async observe(
    chain: number,
    nextBlock: bigint,
    messages: readonly { message: ObservedMessage; targets: readonly Target[] }[],
  ): Promise<number> {
    const column = <T>(f: (m: ObservedMessage) => T) => messages.map(({ message }) => f(message))
    const routes = messages.flatMap(({ targets }, i) => targets.map((t) => ({ message: i + 1, t })))
    // One statement, so one atomic step: the messages, their deliveries and the cursor.
    const [row] = await this.db.query<{ added: number }>(OBSERVE, [
      column((m) => m.emitterChain),
      column((m) => m.emitterAddress.toLowerCase()),
      column((m) => m.sequence.toString()),
      column((m) => m.kind),
      column((m) => m.payload),
      column((m) => m.nonce),
      column((m) => m.consistencyLevel),
      column((m) => m.timestamp),
      column((m) => m.transactionHash),
      column((m) => m.blockNumber.toString()),
      routes.map((r) => r.message),
      routes.map((r) => r.t.chain),
      routes.map((r) => r.t.contract.toLowerCase()),
      routes.map((r) => r.t.method),
      chain,
      nextBlock.toString(),
    ])
    return Number(row!.added)
  }

  /** Pending deliveries to `chain` whose time has come, oldest first. */
  async due(chain: number, limit: number): Promise<Delivery[]> {
    const rows = await this.db.query<DeliveryRow>(
      `${DELIVERY_SELECT} where d.target_chain = $1 and d.status = 'pending' and d.next_attempt_at <= now()
       order by d.next_attempt_at, d.id limit $2`,
      [chain, limit],
    )
    return rows.map(toDelivery)
  }

  async list(status: DeliveryStatus, limit = 100): Promise<Delivery[]> {
    const rows = await this.db.query<DeliveryRow>(
      `${DELIVERY_SELECT} where d.status = $1 order by d.id limit $2`,
      [status, limit],
    )
    return rows.map(toDelivery)
  }

  async get(id: number): Promise<Delivery | null> {
    const rows = await this.db.query<DeliveryRow>(`${DELIVERY_SELECT} where d.id = $1`, [id])
    return rows[0] ? toDelivery(rows[0]) : null
  }

  async delivered(
    id: number,
    attempt: number,
    outcome: 'delivered' | 'already_consumed',
    txHash: Hex | null,
  ): Promise<void> {
    await this.deliveredMany([{ id, attempt, outcome, txHash }])
  }

  /** Several deliveries confirmed, in one transaction. */
  async deliveredMany(
    done: readonly {
      id: number
      attempt: number
      outcome: 'delivered' | 'already_consumed'
      txHash: Hex | null
    }[],
  ): Promise<void> {
    if (done.length === 0) return
    // one statement, so one atomic step: each delivery settled with its attempt recorded
    await this.db.query(
      `with done as (
         select * from unnest($1::int[], $2::int[], $3::text[], $4::text[]) as t(id, attempt, outcome, tx_hash)
       ), settled as (
         update deliveries d set status = 'delivered', attempts = done.attempt, tx_hash = done.tx_hash,
           delivered_at = now(), last_error = null
         from done where d.id = done.id
       )
       insert into attempts (delivery_id, attempt, finished_at, outcome, tx_hash)
       select id, attempt, now(), outcome, tx_hash from done`,
      [
        done.map((x) => x.id),
        done.map((x) => x.attempt),
        done.map((x) => x.outcome),
        done.map((x) => x.txHash),
      ],
    )
  }

  /** A failed attempt: try again after `delayMs`, or park the delivery as failed when `final`. */
  async failedAttempt(
    id: number,
    attempt: number,
    error: string,
    delayMs: number,
    final: boolean,
    txHash: Hex | null = null,
  ): Promise<void> {
    const message = error.slice(0, 2000)
    await this.db.query(
      `with attempt as (
         update deliveries set status = $2, attempts = $3, last_error = $4,
           next_attempt_at = now() + ($5::text || ' milliseconds')::interval
         where id = $1
       )
       insert into attempts (delivery_id, attempt, finished_at, outcome, tx_hash, error)
       values ($1, $3, now(), $6, $7, $4)`,
      [
        id,
        final ? 'failed' : 'pending',
        attempt,
        message,
        String(Math.round(delayMs)),
        final ? 'failed' : 'retry',
        txHash,
      ],
    )
  }

  /** Put a failed delivery back in the queue, due now, with a fresh attempt budget. */
  async retry(id: number): Promise<boolean> {
    const rows = await this.db.query<{ id: number }>(
      `update deliveries set status = 'pending', attempts = 0, next_attempt_at = now() where id = $1 and status = 'failed' returning id`,
      [id],
    )
    return rows.length === 1
  }

  async counts(): Promise<{
    observed: number
    delivered: number
    failed: number
    pending: number
    attempts: number
  }> {
    const [row] = await this.db.query<Record<string, string | number>>(
      `select (select count(*) from messages) as observed,
              (select count(*) from deliveries where status = 'delivered') as delivered,
              (select count(*) from deliveries where status = 'failed') as failed,
              (select count(*) from deliveries where status = 'pending') as pending,
              (select count(*) from attempts) as attempts`,
    )
    return {
      observed: Number(row!['observed']),
      delivered: Number(row!['delivered']),
      failed: Number(row!['failed']),
      pending: Number(row!['pending']),
      attempts: Number(row!['attempts']),
    }
  }
}

/**
 * New messages ($1..$10, a column each), their deliveries ($11..$14: the
 * message's place in the columns, then the target) in observed order, so the
 * queue (oldest id first) delivers in publishing order, and the cursor ($15,
 * $16). A message already recorded adds nothing. Returns how many were new.
 */
const OBSERVE = `
  with input as (
    select * from unnest($1::int[], $2::text[], $3::numeric[], $4::text[], $5::text[],
                         $6::bigint[], $7::int[], $8::bigint[], $9::text[], $10::numeric[])
      with ordinality as t(emitter_chain, emitter_address, sequence, kind, payload,
                           nonce, consistency, block_time, tx_hash, block_number, ord)
  ), added as (
    insert into messages (emitter_chain, emitter_address, sequence, kind, payload, nonce,
                          consistency, block_time, tx_hash, block_number)
    select emitter_chain, emitter_address, sequence, kind, payload, nonce,
           consistency, block_time, tx_hash, block_number
    from input order by ord
    on conflict (emitter_chain, emitter_address, sequence) do nothing
    returning id, emitter_chain, emitter_address, sequence
  ), routes as (
    select * from unnest($11::int[], $12::int[], $13::text[], $14::text[])
      with ordinality as r(message, target_chain, target_contract, method, ord)
  ), fanned as (
    insert into deliveries (message_id, target_chain, target_contract, method)
    select a.id, r.target_chain, r.target_contract, r.method
    from routes r
    join input i on i.ord = r.message
    join added a on a.emitter_chain = i.emitter_chain and a.emitter_address = i.emitter_address
                and a.sequence = i.sequence
    order by r.ord
    on conflict do nothing
  ), moved as (
    insert into cursors (chain, next_block) values ($15, $16)
    on conflict (chain) do update set next_block = greatest(cursors.next_block, excluded.next_block)
  )
  select count(*)::int as added from added`
