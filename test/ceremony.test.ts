/**
 * `xmargin ceremony` on a circuit of a few constraints compiled here, over the
 * project's 2^16 development ptau: an initial key, two contributions and a
 * beacon verify and list three contributions; a key with bytes flipped in a
 * section, or checked against another circuit, does not; bad beacon inputs
 * are refused naming the flag; the build's own single contribution is named
 * a development key.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import * as snarkjs from 'snarkjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  BUILD_BEACON_NAME,
  BUILD_CONTRIBUTION_NAME,
  beacon,
  contribute,
  DEVELOPMENT_KEY_WARNING,
  readContributions,
} from '../circuits/ceremony.ts'
import { releaseProver } from '../circuits/prover.ts'
import { runCli } from './helpers/run-cli.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PTAU = join(ROOT, '../shared/ptau/dev_16.ptau')
const BEACON_HASH = 'ab'.repeat(32)

const circuit = (extra: string) => `pragma circom 2.0.0;
template Small() {
  signal input a;
  signal input b;
  signal output c;
  signal d;
  d <== a * b;
  c <== d * a + ${extra}b;
}
component main {public [a]} = Small();
`

let dir: string
const at = (name: string) => join(dir, name)

/** circom2 sees only files under its working directory: compile inside `dir`. */
async function compile(name: string, source: string): Promise<string> {
  writeFileSync(at(`${name}.circom`), source)
  await promisify(execFile)(
    process.execPath,
    [join(ROOT, 'node_modules/circom2/cli.js'), `${name}.circom`, '--r1cs', '-o', '.'],
    { cwd: dir },
  )
  return at(`${name}.r1cs`)
}

/** A copy of `zkey` with one byte flipped in the middle of section `section` (or at `offset` into it). */
function tampered(zkey: string, section: number, name: string, offset?: number): string {
  const data = readFileSync(zkey)
  let position = 12
  for (let i = 0; i < data.readUInt32LE(8); i++) {
    const type = data.readUInt32LE(position)
    const size = Number(data.readBigUInt64LE(position + 4))
    if (type === section) {
      const p = position + 12 + (offset ?? Math.floor(size / 2))
      data[p] = data[p]! ^ 0x5a
      writeFileSync(at(name), data)
      return at(name)
    }
    position += 12 + size
  }
  throw new Error(`no section ${section}`)
}

const timings: Record<string, number> = {}
async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const started = performance.now()
  try {
    return await f()
  } finally {
    timings[label] = Math.round(performance.now() - started)
  }
}

let r1cs: string
let otherR1cs: string
let hashes: string[]

beforeAll(async () => {
  mkdirSync(join(ROOT, '.cache/ceremony-test'), { recursive: true })
  dir = mkdtempSync(join(ROOT, '.cache/ceremony-test/run-'))
  r1cs = await timed('compile', () => compile('small', circuit('')))
  otherR1cs = await compile('other', circuit('2 * '))
  await timed('newZKey', () => snarkjs.zKey.newZKey(r1cs, PTAU, at('k0.zkey')))
  hashes = []
  for (const [from, to, name] of [
    ['k0.zkey', 'k1.zkey', 'alice'],
    ['k1.zkey', 'k2.zkey', 'bob'],
  ] as const) {
    const run = await timed(`contribute ${name}`, () =>
      runCli(['ceremony', 'contribute', '--in', at(from), '--out', at(to), '--name', name]),
    )
    expect(run.code, run.err).toBe(0)
    hashes.push(/contribution hash ([0-9a-f]{128})/.exec(run.out)![1]!)
  }
  const run = await timed('beacon', () =>
    runCli([
      'ceremony',
      'beacon',
      '--in',
      at('k2.zkey'),
      '--out',
      at('k3.zkey'),
      '--hash',
      BEACON_HASH,
      '--name',
      'final',
      '--json',
    ]),
  )
  expect(run.code, run.err).toBe(0)
  hashes.push((JSON.parse(run.out) as { hash: string }).hash)
  // the key the build makes: its one contribution and its beacon
  await contribute({
    input: at('k0.zkey'),
    output: at('dev1.zkey'),
    name: BUILD_CONTRIBUTION_NAME,
  })
  await beacon({
    input: at('dev1.zkey'),
    output: at('dev.zkey'),
    name: BUILD_BEACON_NAME,
    hash: BEACON_HASH,
    iterationsExp: 10,
  })
}, 120_000)

afterAll(async () => {
  await releaseProver()
  rmSync(dir, { recursive: true, force: true })
  console.log(`ceremony timings (ms): ${JSON.stringify(timings)}`)
})

describe('xmargin ceremony verify', () => {
  const cases: {
    name: string
    key: () => string
    r1cs?: () => string
    code: number
    out: RegExp[]
    notOut?: RegExp[]
  }[] = [
    {
      name: 'two contributions and a beacon',
      key: () => at('k3.zkey'),
      code: 0,
      out: [/3 contributions, 2 parties/, /#1 contribution "alice"/, /#3 beacon "final"/, /^ok: /m],
      notOut: [/development key/, /warning/],
    },
    {
      name: 'H section tampered',
      key: () => tampered(at('k3.zkey'), 9, 'bad-h.zkey'),
      code: 1,
      out: [/^FAILED: /m, /H section does not match/],
    },
    {
      name: 'L section tampered',
      key: () => tampered(at('k3.zkey'), 8, 'bad-l.zkey'),
      code: 1,
      out: [/^FAILED: /m, /L section does not match/],
    },
    {
      name: "a contribution's transcript tampered",
      // circuit hash (64) + count (4) + the first contribution's points (64 * 3 + 128)
      key: () => tampered(at('k3.zkey'), 10, 'bad-mpc.zkey', 64 + 4 + 320 + 5),
      code: 1,
      out: [/^FAILED: /m, /Inconsistent transcript/],
    },
    {
      name: 'another circuit',
      key: () => at('k3.zkey'),
      r1cs: () => otherR1cs,
      code: 1,
      out: [/^FAILED: /m],
    },
    {
      name: "the build's single contribution",
      key: () => at('dev.zkey'),
      code: 0,
      out: [/2 contributions, 1 party:/, new RegExp(`^${DEVELOPMENT_KEY_WARNING}$`, 'm'), /^ok: /m],
    },
    {
      name: 'one contribution, no beacon',
      key: () => at('k1.zkey'),
      code: 0,
      out: [/warning: 1 party/, /no beacon closes/, /^ok: /m],
    },
  ]

  it.each(cases)('$name: exit $code', async ({ key, r1cs: other, code, out, notOut }) => {
    const run = await runCli([
      'ceremony',
      'verify',
      '--zkey',
      key(),
      '--r1cs',
      other?.() ?? r1cs,
      '--ptau',
      PTAU,
    ])
    expect(run.code, run.err).toBe(code)
    for (const pattern of out) expect(run.out).toMatch(pattern)
    for (const pattern of notOut ?? []) expect(run.out).not.toMatch(pattern)
  })

  it('lists every contribution with the hash each party was given, in --json too', async () => {
    const run = await timed('verify', () =>
      runCli([
        'ceremony',
        'verify',
        '--zkey',
        at('k3.zkey'),
        '--r1cs',
        r1cs,
        '--ptau',
        PTAU,
        '--json',
      ]),
    )
    expect(run.code, run.err).toBe(0)
    const report = JSON.parse(run.out) as {
      valid: boolean
      development: boolean
      contributions: { name: string; type: string; hash: string; beacon?: unknown }[]
    }
    expect(report.valid).toBe(true)
    expect(report.development).toBe(false)
    expect(report.contributions.map((c) => [c.name, c.type, c.hash])).toEqual([
      ['alice', 'contribution', hashes[0]],
      ['bob', 'contribution', hashes[1]],
      ['final', 'beacon', hashes[2]],
    ])
    expect(report.contributions[2]!.beacon).toEqual({ hash: BEACON_HASH, iterationsExp: 10 })
    // and the text output says the same
    const text = await runCli([
      'ceremony',
      'verify',
      '--zkey',
      at('k3.zkey'),
      '--r1cs',
      r1cs,
      '--ptau',
      PTAU,
    ])
    for (const h of hashes) expect(text.out).toContain(h)
  })

  it('the development key says so in --json', async () => {
    const { contributions } = await readContributions(at('dev.zkey'))
    expect(contributions.map((c) => c.name)).toEqual([BUILD_CONTRIBUTION_NAME, BUILD_BEACON_NAME])
    const run = await runCli([
      'ceremony',
      'verify',
      '--zkey',
      at('dev.zkey'),
      '--r1cs',
      r1cs,
      '--ptau',
      PTAU,
      '--json',
    ])
    expect(JSON.parse(run.out)).toMatchObject({
      valid: true,
      development: true,
      warning: DEVELOPMENT_KEY_WARNING,
    })
  })
})

describe('xmargin ceremony: bad input, exit 2 naming the flag', () => {
  const beaconArgs = (flags: string[]) => [
    'ceremony',
    'beacon',
    '--in',
    at('k2.zkey'),
    '--out',
    at('refused.zkey'),
    ...flags,
  ]
  const cases: { name: string; argv: () => string[]; flag: string }[] = [
    {
      name: 'beacon hash not hex',
      argv: () => beaconArgs(['--hash', 'zz'.repeat(32)]),
      flag: '--hash',
    },
    {
      name: 'beacon hash odd length',
      argv: () => beaconArgs(['--hash', 'abc'.repeat(11)]),
      flag: '--hash',
    },
    {
      name: 'beacon hash too short',
      argv: () => beaconArgs(['--hash', 'ab'.repeat(8 - 1)]),
      flag: '--hash',
    },
    { name: 'beacon hash missing', argv: () => beaconArgs([]), flag: '--hash' },
    {
      name: 'iterations below 10',
      argv: () => beaconArgs(['--hash', BEACON_HASH, '--iterations', '9']),
      flag: '--iterations',
    },
    {
      name: 'iterations above the bound',
      argv: () => beaconArgs(['--hash', BEACON_HASH, '--iterations', '29']),
      flag: '--iterations',
    },
    {
      name: 'iterations not a number',
      argv: () => beaconArgs(['--hash', BEACON_HASH, '--iterations', 'ten']),
      flag: '--iterations',
    },
    {
      name: 'beacon name too long',
      argv: () => beaconArgs(['--hash', BEACON_HASH, '--name', 'x'.repeat(65)]),
      flag: '--name',
    },
    {
      name: 'contribute without a name',
      argv: () => ['ceremony', 'contribute', '--in', at('k0.zkey'), '--out', at('refused.zkey')],
      flag: '--name',
    },
    {
      name: 'contribute onto its own input',
      argv: () => [
        'ceremony',
        'contribute',
        '--in',
        at('k0.zkey'),
        '--out',
        at('k0.zkey'),
        '--name',
        'x',
      ],
      flag: '--out',
    },
    {
      name: 'contribute to a file that is no key',
      argv: () => [
        'ceremony',
        'contribute',
        '--in',
        r1cs,
        '--out',
        at('refused.zkey'),
        '--name',
        'x',
      ],
      flag: '--in',
    },
    {
      name: 'verify a missing key',
      argv: () => [
        'ceremony',
        'verify',
        '--zkey',
        at('missing.zkey'),
        '--r1cs',
        r1cs,
        '--ptau',
        PTAU,
      ],
      flag: '--zkey',
    },
    {
      name: 'verify against a missing ptau',
      argv: () => [
        'ceremony',
        'verify',
        '--zkey',
        at('k3.zkey'),
        '--r1cs',
        r1cs,
        '--ptau',
        at('missing.ptau'),
      ],
      flag: '--ptau',
    },
    { name: 'no subcommand', argv: () => ['ceremony'], flag: 'contribute|beacon|verify' },
  ]

  it.each(cases)('$name', async ({ argv, flag }) => {
    const run = await runCli(argv())
    expect(run.code).toBe(2)
    expect(run.err).toContain(flag)
    expect(() => readFileSync(at('refused.zkey'))).toThrow()
  })
})
