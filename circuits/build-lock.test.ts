import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lockHolder, tryLock } from './build-lock.ts'

const lockPath = () => join(mkdtempSync(join(tmpdir(), 'xmargin-lock-')), 'circuits.lock')
/** A pid that is certainly dead: a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', 'process.exit(0)']).pid!

describe('the circuit build lock', () => {
  it('is held by one process at a time, and released by it', () => {
    const path = lockPath()
    const lock = tryLock(path)!
    expect(lockHolder(path)).toBe(process.pid)
    expect(tryLock(path)).toBeUndefined()
    lock.release()
    expect(existsSync(path)).toBe(false)
    tryLock(path)!.release()
  })

  it.each([
    ['a dead pid (a builder killed mid-way)', () => String(deadPid())],
    ['garbage', () => 'not a pid'],
  ])('a lock file holding %s is stale and taken over', (_, content) => {
    const path = lockPath()
    writeFileSync(path, content())
    expect(lockHolder(path)).toBeUndefined()
    const lock = tryLock(path)!
    expect(readFileSync(path, 'utf8')).toBe(String(process.pid))
    lock.release()
  })
})
