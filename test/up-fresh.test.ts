/**
 * A fresh clone: `xmargin up` with nothing built serves everything except
 * proving within 30 s, while the circuit's setup goes on in a child process
 * with its progress on stderr; `xmargin prove` meanwhile says setting_up.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SPEC_EXAMPLE_DIR } from './helpers/documents.ts'
import { DEV_PTAU, freshCopy } from './helpers/fresh-copy.ts'
import { UP_ON_ANY_PORTS } from './helpers/run-cli.ts'

const env = { ...process.env, LOG_LEVEL: 'warn', XMARGIN_PTAU: DEV_PTAU }
let dir: string
let up: ChildProcess
let stderr = ''
let started: number

/** Resolves with the first defined `read()`, polled until `ms` passes. */
function waitFor<T>(read: () => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms
    const tick = () => {
      const found = read()
      if (found !== undefined) return resolve(found)
      if (Date.now() > deadline) return reject(new Error(`no ${what} within ${ms} ms`))
      setTimeout(tick, 100)
    }
    tick()
  })
}

beforeAll(() => {
  dir = freshCopy()
  expect(existsSync(join(dir, 'build'))).toBe(false)
  started = Date.now()
  up = spawn(process.execPath, ['aggregator/cli/bin.js', 'up', ...UP_ON_ANY_PORTS, '--json'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  up.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString()
  })
  let out = ''
  up.stdout!.on('data', (d: Buffer) => {
    out += d.toString()
  })
  return waitFor(
    () => out.split('\n').find((l) => l.startsWith('{"manifest"')),
    60_000,
    'where line',
  )
    .catch((err: Error) => {
      throw new Error(`${err.message}; stderr: ${stderr.slice(-2000)}`)
    })
    .then((line) => {
      where = JSON.parse(line) as typeof where
    })
}, 90_000)

let where: { api: string; circuit: string }

afterAll(() => {
  if (up?.exitCode === null) up.kill('SIGKILL')
})

describe('xmargin up on a fresh clone', () => {
  it('builds the contracts, then answers /health within 30 s while the circuit setup goes on', async () => {
    const health = await (await fetch(`${where.api}/health`)).json()
    expect(health).toEqual({ status: 'ok' })
    // the generous deadline of the issue, not a timing measurement
    expect(Date.now() - started).toBeLessThan(30_000)
    expect(stderr).toContain('contracts: built')
    expect(where.circuit).toBe('setting_up')
    expect(existsSync(join(dir, 'build/circuits/solvency.zkey'))).toBe(false)
  })

  it('draws the setup progress on stderr (phase, percent, time left)', async () => {
    const line = await waitFor(
      () => stderr.split('\n').find((l) => /^circuit setup \[[#-]+\] +\d+% /.test(l)),
      30_000,
      'progress line',
    )
    expect(line).toMatch(/\d+% .+, about \d+ (s|min) left$/)
    // built by a child process, which holds the build lock
    const holder = Number(readFileSync(join(dir, 'build/circuits.lock'), 'utf8'))
    expect(holder).not.toBe(up.pid)
  })

  it('xmargin prove meanwhile says setting_up and waits', async () => {
    const flags = ['market', 'params', 'portfolio'].flatMap((k) => [
      `--${k}`,
      join(SPEC_EXAMPLE_DIR, `${k}.json`),
    ])
    const prove = spawn(
      process.execPath,
      ['aggregator/cli/bin.js', 'prove', ...flags, '--out', join(dir, 'proof.json')],
      { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let err = ''
    prove.stderr!.on('data', (d: Buffer) => {
      err += d.toString()
    })
    await waitFor(() => (err.includes('setting_up') ? true : undefined), 30_000, 'setting_up')
    expect(err).toContain('another process is building the proving key')
    prove.kill('SIGKILL')
  })

  it('stops the setup child with everything else on SIGINT', async () => {
    const holder = Number(readFileSync(join(dir, 'build/circuits.lock'), 'utf8'))
    const exited = new Promise<number | null>((resolve) => up.once('exit', resolve))
    up.kill('SIGINT')
    expect(await exited).toBe(0)
    await waitFor(
      () => {
        try {
          process.kill(holder, 0)
          return undefined
        } catch {
          return true
        }
      },
      10_000,
      'setup child exit',
    )
  })
})
