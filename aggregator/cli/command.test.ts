/**
 * parseFlags: a negative number is the value of a string option, typed with a
 * space (`--move -0.3`, which node's parseArgs alone refuses as ambiguous) or
 * with `=`; anything else that starts with a dash keeps parseArgs' meaning.
 */
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { parseFlags } from './command.ts'

const OPTIONS = {
  move: { type: 'string' },
  set: { type: 'string' },
  json: { type: 'boolean' },
} as const

describe('parseFlags with negative numbers', () => {
  it.each([
    { argv: ['--move', '-0.3'], values: { move: '-0.3' } },
    { argv: ['--move=-0.3'], values: { move: '-0.3' } },
    { argv: ['--move', '-2'], values: { move: '-2' } },
    { argv: ['--move', '-.5'], values: { move: '-.5' } },
    { argv: ['--move', '-1e3'], values: { move: '-1e3' } },
    { argv: ['--move', '0.3'], values: { move: '0.3' } },
    { argv: ['--set', '-1', '--move', '-0.25'], values: { set: '-1', move: '-0.25' } },
    { argv: ['--move', '-0.3', '--json'], values: { move: '-0.3', json: true } },
    // A lone dash (stdin, by custom) was always accepted as a value.
    { argv: ['--move', '-'], values: { move: '-' } },
    // After the terminator everything is a positional, untouched.
    { argv: ['--', '--move', '-0.3'], values: {}, positionals: ['--move', '-0.3'] },
  ])('$argv', ({ argv, values, positionals = [] }) => {
    const parsed = parseFlags(argv, OPTIONS)
    expect({ ...parsed.values }).toEqual(values)
    expect(parsed.positionals).toEqual(positionals)
  })

  it.each([
    // A dash that is not a number is still a forgotten value before a flag.
    { argv: ['--move', '-x'], reason: /ambiguous/ },
    { argv: ['--move', '--json'], reason: /ambiguous/ },
    // A boolean takes no value: the number after it is read as a short flag, as before.
    { argv: ['--json', '-1'], reason: /Unknown option '-1'/ },
    // An unknown option is not given a value by the join.
    { argv: ['--drift', '-0.3'], reason: /Unknown option '--drift'/ },
    // A short flag is not joined: only long string options are.
    { argv: ['-m', '-0.3'], reason: /Unknown option '-m'/ },
  ])('$argv is refused', ({ argv, reason }) => {
    const err = (() => {
      try {
        parseFlags(argv, OPTIONS)
        return undefined
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).shortMessage).toMatch(reason)
  })
})
