/**
 * What the relayer persists: a read cursor per chain, every observed message,
 * one delivery per (message, target) and every attempt. Observing a block
 * range is one transaction (messages, deliveries and the cursor move
 * together), so a crash never loses or doubles a message.
 */
import type { Hex } from 'viem'
import type { PublishedMessage } from '../messages.ts'
import type { Database, Queryable } from './database.ts'

export interface Target {
  readonly chain: number
  readonly contract: Hex
  readonly method: 'ingestCollateralUpdate' | 'receiveEpochRoot' | 'execute'
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
    return this.db.transaction(async (tx) => {
      const added = await insertMessages(tx, messages)
      await tx.query(
        `insert into cursors (chain, next_block) values ($1, $2)
         on conflict (chain) do update set next_block = greatest(cursors.next_block, excluded.next_block)`,
        [chain, nextBlock.toString()],
      )
      return added
    })
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
    const ids = done.map((x) => x.id)
    const attempts = done.map((x) => x.attempt)
    const hashes = done.map((x) => x.txHash)
    await this.db.transaction(async (tx) => {
      await tx.query(
        `update deliveries d set status = 'delivered', attempts = t.attempt, tx_hash = t.tx_hash,
           delivered_at = now(), last_error = null
         from unnest($1::int[], $2::int[], $3::text[]) as t(id, attempt, tx_hash) where d.id = t.id`,
        [ids, attempts, hashes],
      )
      await tx.query(
        `insert into attempts (delivery_id, attempt, finished_at, outcome, tx_hash)
         select id, attempt, now(), outcome, tx_hash
         from unnest($1::int[], $2::int[], $3::text[], $4::text[]) as t(id, attempt, outcome, tx_hash)`,
        [ids, attempts, done.map((x) => x.outcome), hashes],
      )
    })
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
    await this.db.transaction(async (tx) => {
      await tx.query(
        `update deliveries set status = $2, attempts = $3, last_error = $4,
           next_attempt_at = now() + ($5::text || ' milliseconds')::interval where id = $1`,
        [
          id,
          final ? 'failed' : 'pending',
          attempt,
          error.slice(0, 2000),
          String(Math.round(delayMs)),
        ],
      )
      await tx.query(
        `insert into attempts (delivery_id, attempt, finished_at, outcome, tx_hash, error) values ($1, $2, now(), $3, $4, $5)`,
        [id, attempt, final ? 'failed' : 'retry', txHash, error.slice(0, 2000)],
      )
    })
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
 * New messages and their deliveries, a statement each however many there are
 * (a burst costs the store two round trips, not two per message). Returns how
 * many messages were new; a message already recorded adds nothing.
 */
async function insertMessages(
  tx: Queryable,
  messages: readonly { message: ObservedMessage; targets: readonly Target[] }[],
): Promise<number> {
  if (messages.length === 0) return 0
  const column = <T>(f: (m: ObservedMessage) => T) => messages.map(({ message }) => f(message))
  const inserted = await tx.query<{
    id: number
    emitter_chain: number
    emitter_address: string
    sequence: string
  }>(
    `insert into messages (emitter_chain, emitter_address, sequence, kind, payload, nonce, consistency, block_time, tx_hash, block_number)
     select * from unnest($1::int[], $2::text[], $3::numeric[], $4::text[], $5::text[], $6::bigint[], $7::int[], $8::bigint[], $9::text[], $10::numeric[])
     on conflict (emitter_chain, emitter_address, sequence) do nothing
     returning id, emitter_chain, emitter_address, sequence::text as sequence`,
    [
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
    ],
  )
  const key = (chain: number, emitter: string, sequence: string) =>
    `${chain}:${emitter.toLowerCase()}:${sequence}`
  const ids = new Map(
    inserted.map((r) => [
      key(Number(r.emitter_chain), r.emitter_address, r.sequence),
      Number(r.id),
    ]),
  )
  // in observed order, so that the queue (oldest id first) delivers in publishing order
  const deliveries = messages.flatMap(({ message: m, targets }) => {
    const messageId = ids.get(key(m.emitterChain, m.emitterAddress, m.sequence.toString()))
    return messageId === undefined ? [] : targets.map((t) => ({ messageId, t }))
  })
  if (deliveries.length > 0) {
    await tx.query(
      `insert into deliveries (message_id, target_chain, target_contract, method)
       select * from unnest($1::int[], $2::int[], $3::text[], $4::text[])
       on conflict do nothing`,
      [
        deliveries.map((x) => x.messageId),
        deliveries.map((x) => x.t.chain),
        deliveries.map((x) => x.t.contract.toLowerCase()),
        deliveries.map((x) => x.t.method),
      ],
    )
  }
  return inserted.length
}
