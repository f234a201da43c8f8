/**
 * A cross-process lock for the circuit build: a file holding the builder's
 * pid, created exclusively. Two processes never run the minutes-long setup
 * at once (they would also overwrite each other's files); a lock whose pid
 * is dead is stale (a builder killed mid-way) and is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'

export interface Lock {
  release(): void
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, owned by someone else
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** The pid holding the lock, if a live process does. */
export function lockHolder(path: string): number | undefined {
  let pid: number
  try {
    pid = Number(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined
}

/** Take the lock, or undefined if a live process holds it. */
export function tryLock(path: string): Lock | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      const release = () => {
        if (lockHolder(path) === process.pid) rmSync(path, { force: true })
        process.off('exit', release)
      }
      // a builder that exits without releasing (an error, a signal handled by exit) leaves no lock
      process.on('exit', release)
      return { release }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (lockHolder(path) !== undefined) return undefined
      // stale: its builder died; a file still empty may be a lock being written, so look twice
      if (attempt === 0 && readFileSync(path, 'utf8') !== '') rmSync(path, { force: true })
    }
  }
  return undefined
}
