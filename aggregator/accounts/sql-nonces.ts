/** The NonceLedger in the store: a nonce is claimed by inserting it; the primary key makes the claim atomic. */
import type { Address } from 'viem'
import type { Database } from '../../relayer/store/database.ts'
import type { NonceLedger } from '../auth/verify-request.ts'

export class SqlNonces implements NonceLedger {
  constructor(private readonly db: Database) {}

  async claim(account: Address, nonce: bigint, expiry: bigint): Promise<boolean> {
    const rows = await this.db.query(
      `insert into used_nonces (account, nonce, expiry) values ($1, $2, $3)
       on conflict (account, nonce) do nothing returning nonce`,
      [account.toLowerCase(), nonce.toString(), expiry.toString()],
    )
    return rows.length === 1
  }

  /** Nonces of expired requests can never be accepted again anyway: forget them. */
  async prune(now: bigint): Promise<void> {
    await this.db.query('delete from used_nonces where expiry <= $1', [now.toString()])
  }
}
