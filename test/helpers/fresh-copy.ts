/**
 * A fresh clone, as near as a test can make one: a temporary directory with
 * this checkout's files as git would take them (tracked and not ignored, as
 * they are in the working tree), node_modules
 * linked (what `npm install` gives), and nothing built: no build/, no .cache/
 * except the Wormhole core tarball, copied as `npm pack` would fetch it, so
 * the test needs no network. The ptau comes from XMARGIN_PTAU.
 */
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const DEV_PTAU = join(ROOT, '../shared/ptau/dev_16.ptau')

export function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'xmargin-fresh-'))
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: ROOT, encoding: 'utf8' },
  )
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(ROOT, f)))
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true })
    copyFileSync(join(ROOT, f), join(dir, f))
  }
  // each package linked, except circomlib: circom2 (WASI) sees only files under the
  // working directory, so the circuit's includes must be real files there
  mkdirSync(join(dir, 'node_modules'))
  for (const name of readdirSync(join(ROOT, 'node_modules'))) {
    const from = join(ROOT, 'node_modules', name)
    if (name === 'circomlib') cpSync(from, join(dir, 'node_modules', name), { recursive: true })
    else symlinkSync(from, join(dir, 'node_modules', name))
  }
  const tarball = '.cache/wormhole/certusone-wormhole-sdk-0.10.18.tgz'
  if (existsSync(join(ROOT, tarball))) {
    mkdirSync(join(dir, dirname(tarball)), { recursive: true })
    copyFileSync(join(ROOT, tarball), join(dir, tarball))
  }
  return dir
}
