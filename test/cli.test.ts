/** `xmargin margin` and the CLI's contract: --help, --json, exit 2 with one line naming the field. */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type Documents, jsonText, readDocuments, SPEC_EXAMPLE_DIR } from './helpers/documents.ts'
import { INVALID_CASES } from './helpers/invalid-inputs.ts'
import { BIN, runCli as run } from './helpers/run-cli.ts'

function writeDocuments(docs: Documents): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'xmargin-cli-'))
  return (['market', 'params', 'portfolio'] as const).flatMap((name) => {
    const path = join(dir, `${name}.json`)
    writeFileSync(path, jsonText(docs[name]))
    return [`--${name}`, path]
  })
}

const SPEC_FLAGS = ['--market', 'market', '--params', 'params', '--portfolio', 'portfolio'].map(
  (x, i) => (i % 2 === 0 ? x : join(SPEC_EXAMPLE_DIR, `${x}.json`)),
)

describe('xmargin margin', () => {
  it('prints the spec section 7 object with --json, plus liquidation prices and withdrawals', async () => {
    const { code, out, err } = await run(['margin', ...SPEC_FLAGS, '--json'])
    expect({ code, err }).toEqual({ code: 0, err: '' })
    const printed = JSON.parse(out)
    const expected = readDocuments(SPEC_EXAMPLE_DIR).expected
    expect(Object.keys(printed)).toEqual(expect.arrayContaining(Object.keys(expected)))
    expect(printed.equity).toBeCloseTo(expected['equity'] as number, 5)
    expect(printed.maintenanceMargin).toBeCloseTo(expected['maintenanceMargin'] as number, 5)
    expect(printed.underlyings).toEqual({
      BTC: { scanRisk: 5400, scenario: 13, direction: -1 },
      ETH: { scanRisk: expect.closeTo(2086.837491, 5), scenario: 11, direction: 1 },
    })
    expect(printed.liquidationPrices).toEqual({ BTC: null, ETH: expect.any(Number) })
    expect(printed.withdrawable).toHaveLength(2)
  })

  it('prints a readable table without --json', async () => {
    const { code, out } = await run(['margin', ...SPEC_FLAGS])
    expect(code).toBe(0)
    expect(out).toMatch(/^status\s+healthy$/m)
    expect(out).toMatch(/^equity\s+76,887\.36 USD$/m)
    expect(out).toMatch(/^ETH\s+2,086\.84\s+11\s+up\s+[\d,.]+$/m)
  })

  it.each(INVALID_CASES)('exits 2 on $name, one line naming $field', async ({ docs, field }) => {
    const { code, out, err } = await run(['margin', ...writeDocuments(docs), '--json'])
    expect(code).toBe(2)
    expect(out).toBe('')
    expect(err.trimEnd().split('\n')).toHaveLength(1)
    expect(err).toContain(field)
  })

  it.each([
    {
      name: 'a missing flag',
      argv: ['margin', '--market', 'm.json'],
      says: '--params is required',
    },
    { name: 'an unknown flag', argv: ['margin', '--bogus'], says: "Unknown option '--bogus'" },
    {
      name: 'a file that does not exist',
      argv: ['margin', '--market', '/nonexistent/m.json', '--params', 'p', '--portfolio', 'f'],
      says: '--market: cannot read /nonexistent/m.json (ENOENT)',
    },
  ])('exits 2 on $name', async ({ argv, says }) => {
    const { code, err } = await run(argv)
    expect(code).toBe(2)
    expect(err).toContain(says)
  })

  it.each([
    {
      name: 'more positions than --max-positions',
      edit: (flags: string[]) => [...flags, '--max-positions', '2'],
      says: 'portfolio.positions holds 3 positions; at most 2 are allowed',
    },
    {
      name: 'a key given twice',
      edit: (flags: string[]) => {
        writeFileSync(flags[5]!, '{"cash":1,"cash":2,"collateral":[],"positions":[]}')
        return flags
      },
      says: 'portfolio.cash is given twice',
    },
    {
      name: 'a document nested too deep',
      edit: (flags: string[]) => {
        writeFileSync(flags[5]!, `{"cash":${'['.repeat(64)}${']'.repeat(64)}}`)
        return flags
      },
      says: 'nests deeper than 32 levels',
    },
    {
      name: 'a file larger than 1 MiB (/dev/zero)',
      edit: (flags: string[]) => flags.map((f, i) => (i === 5 ? '/dev/zero' : f)),
      says: '--portfolio: /dev/zero is larger than 1048576 bytes',
    },
  ])('exits 2 on $name, naming it', async ({ edit, says }) => {
    const flags = edit(writeDocuments(readDocuments(SPEC_EXAMPLE_DIR)))
    const { code, err } = await run(['margin', ...flags])
    expect({ code, line: err.trimEnd().split('\n').length }).toEqual({ code: 2, line: 1 })
    expect(err).toContain(says)
  })

  it('exits 2 on a file that is not JSON, naming the flag', async () => {
    const flags = writeDocuments(readDocuments(SPEC_EXAMPLE_DIR))
    writeFileSync(flags[3]!, '{ "underlyings": ')
    const { code, err } = await run(['margin', ...flags])
    expect(code).toBe(2)
    expect(err).toMatch(/^xmargin margin: --params: .* is not valid JSON/)
  })
})

describe('xmargin', () => {
  it.each(['margin', 'serve', 'bench'])('%s --help explains the command', async (name) => {
    const { code, out } = await run([name, '--help'])
    expect(code).toBe(0)
    expect(out).toContain(`Usage: xmargin ${name}`)
  })

  it('lists its commands and rejects an unknown one with exit 2', async () => {
    expect((await run(['--help'])).out).toMatch(/margin[\s\S]*serve[\s\S]*bench/)
    const { code, err } = await run(['frobnicate'])
    expect(code).toBe(2)
    expect(err).toContain('unknown command "frobnicate"')
  })

  it('the installed executable exits 2 with one line on bad input, and prints JSON on good', () => {
    const bad = spawnSync(
      process.execPath,
      [BIN, 'margin', ...writeDocuments(INVALID_CASES[0]!.docs)],
      { encoding: 'utf8' },
    )
    expect(bad.status).toBe(2)
    expect(bad.stderr.trimEnd().split('\n')).toEqual([expect.stringContaining('portfolio.cash')])
    const good = spawnSync(process.execPath, [BIN, 'margin', ...SPEC_FLAGS, '--json'], {
      encoding: 'utf8',
    })
    expect(good.status).toBe(0)
    expect(JSON.parse(good.stdout).status).toBe('healthy')
  })
})
