/**
 * Fuzz of `xmargin margin`: documents written to files and run through the
 * CLI's own main() in the fuzz suite's engine process (under the deadline of
 * harness/deadline.ts), and a few runs of the real executable (a process
 * each, about a second to start, so few). Valid documents print the
 * engine's report with exit 0; broken ones exit 2 with one line on stderr
 * naming the field; nothing else, never a stack trace.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { BIN } from '../helpers/run-cli.ts'
import { type Docs, EDGE, MODERATE, validDocs } from './arbitraries.ts'
import { engineOutcome } from './checks.ts'
import { fuzz, texts } from './fuzz.ts'
import { type Answer, DeadlineHost } from './harness/deadline.ts'
import type { CliOutcome } from './harness/tasks.ts'
import { MUTATION, MUTATIONS } from './mutations.ts'
import { NAMED, tenThousandPositions } from './regressions.ts'

const host = new DeadlineHost()
const dir = mkdtempSync(join(tmpdir(), 'xmargin-cli-fuzz-'))
afterAll(() => {
  host.close()
  rmSync(dir, { recursive: true, force: true })
})

let files = 0
type Texts = { market: string; params: string; portfolio: string }

/** Write the three documents and return the margin command's arguments. */
function write(t: Texts): string[] {
  const n = files++
  return (['market', 'params', 'portfolio'] as const).flatMap((name) => {
    const path = join(dir, `${n}-${name}.json`)
    writeFileSync(path, t[name])
    return [`--${name}`, path]
  })
}

function cliOutcome(answer: Answer): CliOutcome {
  if (answer.kind !== 'cli')
    expect.fail(`the CLI did not answer: ${JSON.stringify(answer).slice(0, 2000)}`)
  return answer
}

/** Bad input: exit 2, nothing on stdout, one line on stderr naming the field. */
function expectBadInput(r: { code: number; out: string; err: string }, field?: string): void {
  expect(r.code, r.err).toBe(2)
  expect(r.out).toBe('')
  expect(r.err).toMatch(/^xmargin margin: [^\n]+\n$/)
  expect(r.err).not.toMatch(/unexpected error|\n\s+at /)
  if (field) expect(r.err).toContain(field)
}

async function margin(t: Texts, extra: string[] = []): Promise<CliOutcome> {
  return cliOutcome(
    await host.run({ kind: 'cli', argv: ['margin', ...write(t), '--json', ...extra] }),
  )
}

describe('CLI fuzz: xmargin margin (in the engine process)', () => {
  it('valid documents print the engine report, exit 0', async () => {
    await fuzz(
      'cli valid',
      fc.oneof(validDocs(MODERATE), validDocs(EDGE)),
      async (docs) => {
        const r = await margin(texts(docs))
        const engine = engineOutcome(await host.run({ kind: 'engine', texts: texts(docs) }))
        if (engine.kind !== 'report') expect.fail(`the engine refused: ${engine.error.message}`)
        expect(r.code, r.err).toBe(0)
        expect(r.err).toBe('')
        expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(engine.report)))
      },
      15,
    )
  })

  it('one broken rule exits 2 naming its field', async () => {
    await fuzz(
      'cli one rule',
      fc.tuple(validDocs(EDGE, { full: true }), fc.constantFrom(...MUTATIONS), fc.nat()),
      async ([docs, mutation, choice]) => {
        const broken = structuredClone(docs)
        const { field } = mutation.apply(broken, choice)
        expectBadInput(await margin(texts(broken)), field)
      },
      40,
    )
  })

  it('several broken rules exit 2', async () => {
    await fuzz(
      'cli several rules',
      fc.tuple(
        validDocs(EDGE, { full: true }),
        fc.array(fc.tuple(MUTATION, fc.nat()), { minLength: 2, maxLength: 4 }),
      ),
      async ([docs, mutations]) => {
        const broken = structuredClone(docs)
        for (const [m, choice] of mutations) {
          try {
            m.apply(broken, choice)
          } catch {
            // nothing left for this one to break
          }
        }
        expectBadInput(await margin(texts(broken)))
      },
      20,
    )
  })

  it('any bytes as a document exit 0 or 2', async () => {
    await fuzz(
      'cli any text',
      fc.tuple(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom('market', 'params', 'portfolio'),
      ),
      async ([text, which]) => {
        const t = { ...texts(NAMED[2]!.docs), [which]: text }
        const r = await margin(t)
        if (r.code !== 0) expectBadInput(r, `${which}`)
      },
      30,
    )
  })

  it('random limit flags: a report or exit 2 naming the flag', async () => {
    await fuzz(
      'cli limit flags',
      fc.tuple(
        fc.constantFrom(
          '--max-positions',
          '--max-collateral',
          '--max-underlyings',
          '--max-assets',
          '--max-spread-credits',
        ),
        fc.oneof(
          fc.constantFrom('0', '-1', '1e3', '', '1000001', '99999999999999999999', ' 1', '0x10'),
          fc.nat().map(String),
        ),
      ),
      async ([flag, value]) => {
        const docs = NAMED[2]!.docs
        const r = await margin(texts(docs), [`${flag}=${value}`])
        if (r.code !== 0) expectBadInput(r)
      },
      25,
    )
  })

  it.each([
    {
      name: 'a file that does not exist',
      args: () => ['--market', join(dir, 'missing.json')],
      field: '--market',
    },
    { name: 'a directory', args: () => ['--params', dir], field: '--params' },
    { name: '/dev/zero (endless)', args: () => ['--portfolio', '/dev/zero'], field: '--portfolio' },
    { name: 'a file over 1 MiB', args: () => ['--portfolio', big()], field: '--portfolio' },
    {
      name: 'a document nested 100,000 deep',
      args: () => ['--portfolio', file(`{"cash":${'['.repeat(100_000)}${']'.repeat(100_000)}}`)],
      field: 'portfolio',
    },
    {
      name: 'a duplicate key',
      args: () => ['--market', file('{"timestamp":1,"timestamp":2,"underlyings":{},"assets":{}}')],
      field: 'market.timestamp',
    },
    { name: 'a flag given no value', args: () => ['--market'], field: '--market' },
    { name: 'an unknown flag', args: () => ['--markte', 'm.json'], field: 'markte' },
  ])('$name: exit 2 naming $field', async ({ args, field }) => {
    const base = write(texts(NAMED[2]!.docs))
    const overridden = args()
    const argv = [...base]
    for (let i = 0; i < overridden.length; i += 2) {
      const at = argv.indexOf(overridden[i]!)
      if (at >= 0 && overridden[i + 1] !== undefined) argv[at + 1] = overridden[i + 1]!
      else argv.push(...overridden.slice(i, i + 2))
    }
    if (overridden.length === 1) argv.splice(argv.indexOf(overridden[0]!), 2, overridden[0]!)
    expectBadInput(cliOutcome(await host.run({ kind: 'cli', argv: ['margin', ...argv] })), field)
  })
})

describe('CLI fuzz: the real executable', () => {
  /** A few processes, in parallel: valid, broken, the hang once reported, 10,000 positions. */
  it('exits 0 with the report or 2 with one line, within the deadline', async () => {
    const cases: { docs: Docs; code: number; field?: string }[] = [
      {
        docs: NAMED.find((c) => c.name.startsWith('1e12 WETH against a 1e12 short'))!.docs,
        code: 0,
      },
      { docs: tenThousandPositions(), code: 2, field: 'portfolio.positions' },
      {
        docs: (() => {
          const d = structuredClone(NAMED[2]!.docs)
          d.params['underlyings'].ETH.priceScanRange = 1
          return d
        })(),
        code: 2,
        field: 'params.underlyings.ETH.priceScanRange',
      },
    ]
    await Promise.all(
      cases.map(async ({ docs, code, field }) => {
        const r = await spawnCli(['margin', ...write(texts(docs)), '--json'])
        if (code === 0) {
          expect(r.code, r.err).toBe(0)
          expect(JSON.parse(r.out).withdrawable).toHaveLength(1)
        } else expectBadInput(r, field)
      }),
    )
  })
})

/** The executable as a user runs it; a process that outlives the (generous) deadline is killed and fails. */
function spawnCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...argv],
      { timeout: 60_000, killSignal: 'SIGKILL', maxBuffer: 16 << 20 },
      (error, out, err) => {
        // Killed at the deadline: code -1 fails the case's exit-code assertion with this message.
        if (error?.killed)
          resolve({ code: -1, out, err: 'xmargin did not exit within 60 s: a hang' })
        else resolve({ code: error ? Number(error.code) : 0, out, err })
      },
    )
  })
}

function file(text: string): string {
  const path = join(dir, `${files++}-doc.json`)
  writeFileSync(path, text)
  return path
}

function big(): string {
  return file(`{"cash":0,"collateral":[],"positions":[],"pad":"${'x'.repeat(1024 * 1024)}"}`)
}
