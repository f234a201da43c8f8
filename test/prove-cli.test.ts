/** `xmargin prove` and `xmargin verify`: real proofs, their exit codes, and files that must not verify. */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { releaseProver } from '../circuits/prover.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from './helpers/circuits.ts'
import { clone, jsonText, readDocuments, SPEC_EXAMPLE_DIR } from './helpers/documents.ts'
import { BIN, runCli as run } from './helpers/run-cli.ts'

const dir = mkdtempSync(join(tmpdir(), 'xmargin-prove-'))
const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'

function documents(cash?: number): string[] {
  const docs = readDocuments(SPEC_EXAMPLE_DIR)
  const portfolio = clone(docs.portfolio)
  if (cash !== undefined) portfolio['cash'] = cash
  const sub = mkdtempSync(join(dir, 'docs-'))
  return (['market', 'params', 'portfolio'] as const).flatMap((name) => {
    const path = join(sub, `${name}.json`)
    writeFileSync(path, jsonText(name === 'portfolio' ? portfolio : docs[name]))
    return [`--${name}`, path]
  })
}

const HEALTHY = documents()
const LIQUIDATABLE = documents(-73_200.5)
const solvencyProof = join(dir, 'solvency.json')
const liquidationProof = join(dir, 'liquidation.json')

// needs the circuit's build: wait for it (test/helpers/circuits.ts)
beforeAll(() => circuitsReady(), CIRCUIT_WAIT_MS)

beforeAll(async () => {
  const a = await run([
    'prove',
    ...HEALTHY,
    '--epoch',
    '4',
    '--account',
    ACCOUNT,
    '--out',
    solvencyProof,
  ])
  expect(a, a.err).toMatchObject({ code: 0 })
  expect(a.out).toContain('solvent, covers initial margin')
  const b = await run(['prove', ...LIQUIDATABLE, '--liquidation', '--out', liquidationProof])
  expect(b, b.err).toMatchObject({ code: 0 })
  expect(b.out).toContain('liquidatable')
}, 120_000)
afterAll(releaseProver)

interface ProofDoc {
  publicSignals: string[]
  proof?: { pi_a: string[] }
  statement: Record<string, unknown>
}
const proofJson = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as ProofDoc
function variant(path: string, change: (doc: ProofDoc) => void): string {
  const doc = proofJson(path)
  change(doc)
  const out = join(mkdtempSync(join(dir, 'v-')), 'proof.json')
  writeFileSync(out, JSON.stringify(doc))
  return out
}

describe('xmargin prove', () => {
  it('writes a proof whose statement reveals the roots, the epoch, the account hash, its leaf index and two bits', () => {
    const { statement, publicSignals } = proofJson(solvencyProof)
    expect(statement).toMatchObject({ coversMaintenance: true, coversInitial: true, epoch: '4' })
    expect(publicSignals).toHaveLength(7)
    expect(JSON.stringify(proofJson(solvencyProof))).not.toContain('76887')
    expect(proofJson(liquidationProof).statement['coversMaintenance']).toBe(false)
  })

  it.each([
    ['an account that is not solvent', [...LIQUIDATABLE], 'not solvent'],
    ['a liquidation proof of a healthy account', [...HEALTHY, '--liquidation'], 'not liquidatable'],
  ])('refuses %s with exit 1 and writes nothing', async (_, flags, message) => {
    const out = join(dir, `refused-${message.replace(' ', '-')}.json`)
    const r = await run(['prove', ...flags, '--out', out])
    expect(r.code).toBe(1)
    expect(r.err).toContain(message)
    expect(existsSync(out)).toBe(false)
  })

  it.each([
    ['--epoch', ['--epoch', '-1']],
    ['--account', ['--account', '0x1234']],
    ['--out', []],
  ])('exits 2 naming %s on a bad flag', async (flag, extra) => {
    const out = flag === '--out' ? [] : ['--out', join(dir, 'never.json')]
    const r = await run(['prove', ...HEALTHY, ...extra, ...out])
    expect(r.code).toBe(2)
    expect(r.err).toContain(flag)
  })
})

describe('xmargin verify', () => {
  it('exits 0 on valid proofs, solvency and liquidation alike', async () => {
    expect(await run(['verify', solvencyProof])).toMatchObject({ code: 0 })
    const r = await run(['verify', liquidationProof, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.out)).toMatchObject({
      valid: true,
      statement: { coversMaintenance: false },
    })
  })

  it.each([
    ['a flipped outcome bit', (d: ProofDoc) => (d.publicSignals[0] = '0')],
    ['another epoch', (d: ProofDoc) => (d.publicSignals[4] = '5')],
    ['another account hash', (d: ProofDoc) => (d.publicSignals[5] = '1')],
    [
      'a tampered proof point',
      (d: ProofDoc) => (d.proof!.pi_a[0] = (BigInt(d.proof!.pi_a[0]!) + 1n).toString()),
    ],
    [
      'a statement that disagrees with the signals',
      (d: ProofDoc) => (d.statement['coversInitial'] = false),
    ],
  ])('exits 1 on %s', async (_, change) => {
    const r = await run(['verify', variant(solvencyProof, change)])
    expect(r.code).toBe(1)
    expect(r.out).toContain('invalid')
  })

  it.each([
    [
      'a file that is not JSON',
      () => {
        const p = join(dir, 'bad.json')
        writeFileSync(p, '{')
        return p
      },
      '--proof',
    ],
    [
      'a signal that is not a field element',
      () => variant(solvencyProof, (d) => (d.publicSignals[2] = '-1')),
      'publicSignals[2]',
    ],
    ['a missing proof', () => variant(solvencyProof, (d) => delete d.proof), 'proof'],
    ['a missing file', () => join(dir, 'absent.json'), '--proof'],
  ])('exits 2 on %s, naming %s', async (_, path, field) => {
    const r = await run(['verify', path()])
    expect(r.code).toBe(2)
    expect(r.err).toContain(field)
  })

  it('the installed executable verifies and exits (no worker threads left behind)', () => {
    const r = spawnSync(process.execPath, [BIN, 'verify', solvencyProof], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status).toBe(0)
  })
})
