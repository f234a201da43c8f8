/** What every CLI command is: a name, its help text and a run function returning the exit code. */
import { type ParseArgsConfig, parseArgs } from 'node:util'
import { InputError } from '../errors.ts'

export interface CliIo {
  readonly out: (text: string) => void
  readonly err: (text: string) => void
}

export interface Command {
  readonly name: string
  readonly summary: string
  /** Full --help text. */
  readonly help: string
  run(argv: readonly string[], io: CliIo): Promise<number>
}

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_BAD_INPUT = 2

type Options = NonNullable<ParseArgsConfig['options']>

/** util.parseArgs in strict mode, with its errors turned into InputError naming the flag. */
export function parseFlags<O extends Options>(argv: readonly string[], options: O) {
  try {
    return parseArgs({
      args: joinNegativeValues(argv, options),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    })
  } catch (cause) {
    const message = cause instanceof Error ? cause.message.split('\n')[0]! : String(cause)
    throw new InputError('argv', 'invalid_argument', message, cause)
  }
}

/** What reads as a negative number: `-0.3`, `-2`, `-.5` (not `-x` or `--flag`). */
const NEGATIVE_NUMBER = /^-\d|^-\.\d/

/**
 * `--move -0.3` as `--move=-0.3`. parseArgs refuses a value that starts with
 * a dash as ambiguous (it might be a forgotten value followed by a flag), but
 * after a string option a negative number can only be its value. Nothing
 * after a `--` terminator is touched: those are positionals.
 */
function joinNegativeValues(argv: readonly string[], options: Options): string[] {
  const args: string[] = []
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') {
      args.push(...argv.slice(i))
      break
    }
    const name = /^--([^=]+)$/.exec(arg)?.[1]
    const next = argv[i + 1]
    const takesValue =
      name !== undefined && Object.hasOwn(options, name) && options[name]!.type === 'string'
    if (takesValue && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      args.push(`${arg}=${next}`)
      i++
    } else {
      args.push(arg)
    }
  }
  return args
}

/** A required string flag. */
export function requireFlag(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InputError(`--${flag}`, 'missing_field', `--${flag} is required`)
  }
  return value
}

/** A flag holding a whole number, at most `max`. */
export function wholeNumberFlag(
  value: string | boolean | undefined,
  flag: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined) return fallback
  if (typeof value !== 'string' || !/^\d+$/.test(value) || Number(value) > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? 'a whole number' : `a whole number in [0, ${max}]`
    throw new InputError(
      `--${flag}`,
      'out_of_range',
      `--${flag} must be ${range}, got ${String(value)}`,
    )
  }
  return Number(value)
}

/** A TCP port flag. */
export function portFlag(
  value: string | boolean | undefined,
  flag: string,
  fallback: number,
): number {
  return wholeNumberFlag(value, flag, fallback, 65_535)
}
