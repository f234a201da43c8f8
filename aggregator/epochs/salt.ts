/**
 * Each leaf's salt. The salt hides a leaf from anyone who could guess its
 * contents, so it is secret to the operator and the account's trader (who
 * gets it with the leaf's opening). It is derived, not stored: HMAC-SHA256
 * of the account under one service secret, reduced into the field, so a
 * restart gives the same leaves and no table of salts can leak.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Address, hexToBytes } from 'viem'
import { FIELD } from '../../circuits/poseidon.ts'

/** The service secret's file inside the data directory (mode 0600, like the operator token). */
export const SALT_SECRET_FILE = 'epoch-salt-secret'

export function saltOf(secret: Uint8Array, account: Address): bigint {
  const mac = createHmac('sha256', secret).update(hexToBytes(account.toLowerCase() as Address))
  return BigInt(`0x${mac.digest('hex')}`) % FIELD
}

/** The data directory's secret, made once (32 random bytes) and readable by its owner only. */
export async function saltSecret(dataDir: string): Promise<Uint8Array> {
  const file = join(dataDir, SALT_SECRET_FILE)
  try {
    return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex')
  } catch {
    const secret = randomBytes(32)
    await writeFile(file, `${secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' })
    return secret
  }
}
