/**
 * Loading modules that need the generated contract artifacts: build them
 * first when they are missing or stale (solc-js, seconds, with a line on
 * stderr), so every command works on a fresh clone.
 */
import { ensureContractsBuilt } from '../../contracts/build.ts'

export async function needsBuild<T>(load: () => Promise<T>): Promise<T> {
  ensureContractsBuilt()
  return load()
}
