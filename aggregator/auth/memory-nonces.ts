/** A NonceLedger in memory: for tests and tools; the service keeps its nonces in the store. */
import type { Address } from 'viem'
import type { NonceLedger } from './verify-request.ts'

export class MemoryNonces implements NonceLedger {
  readonly #used = new Map<string, bigint>()

  async claim(account: Address, nonce: bigint, expiry: bigint): Promise<boolean> {
    const key = `${account.toLowerCase()}:${nonce}`
    if (this.#used.has(key)) return false
    this.#used.set(key, expiry)
    return true
  }

  /** Forget nonces whose requests have expired: they can never be accepted again anyway. */
  prune(now: bigint): void {
    for (const [key, expiry] of this.#used) if (expiry <= now) this.#used.delete(key)
  }
}
