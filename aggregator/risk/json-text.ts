/**
 * Parsing untrusted JSON text. JSON.parse checks the syntax; one linear scan
 * of the (then well-formed) text enforces what it does not: a nesting depth,
 * a length for every string and key, and no key twice in one object (two
 * parsers may keep different copies, so an auditor reads a duplicate as an
 * ambiguous document, not as "last one wins"). The scan never recurses, so a
 * deep document costs what its length costs.
 */
import { InputError } from '../errors.ts'

export interface JsonLimits {
  /** Containers (objects and arrays) nested inside each other, the outermost counting 1. */
  readonly maxDepth: number
  /** Characters in any string or key, after unescaping. */
  readonly maxStringLength: number
}

export const DEFAULT_JSON_LIMITS: JsonLimits = { maxDepth: 32, maxStringLength: 256 }

type Frame =
  | { kind: 'object'; keys: Set<string>; key: string | null; expectKey: boolean }
  | { kind: 'array'; index: number }

const QUOTE = 0x22
const BACKSLASH = 0x5c

/**
 * Parse `text` as JSON. Field paths start at `root`: '' names top-level keys
 * bare (`market.timestamp`), 'market' prefixes them (`market.timestamp`).
 * `label` names the whole document in messages.
 */
export function parseJsonText(
  text: string,
  options: { readonly root: string; readonly label: string; readonly limits?: JsonLimits },
): unknown {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'parse error'
    throw new InputError(
      options.root || options.label,
      'invalid_json',
      `${options.label} is not valid JSON (${reason})`,
      cause,
    )
  }
  scan(text, options.root, options.label, options.limits ?? DEFAULT_JSON_LIMITS)
  return value
}

function scan(text: string, root: string, label: string, limits: JsonLimits): void {
  const stack: Frame[] = []
  const here = (): { path: string; name: string } => {
    const path = pathOf(root, stack)
    return { path, name: path || label }
  }
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    if (ch === QUOTE) {
      const end = stringEnd(text, i)
      readString(text.slice(i, end + 1), stack.at(-1), here, limits)
      i = end
    } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
      const top = stack.at(-1)
      if (top?.kind === 'object') top.expectKey = false
      if (stack.length + 1 > limits.maxDepth) {
        const { name } = here()
        throw new InputError(
          name,
          'too_deep',
          `${name} nests deeper than ${limits.maxDepth} levels`,
        )
      }
      stack.push(
        ch === 0x7b
          ? { kind: 'object', keys: new Set(), key: null, expectKey: true }
          : { kind: 'array', index: 0 },
      )
    } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
      stack.pop()
    } else if (ch === 0x2c /* , */) {
      const top = stack.at(-1)!
      if (top.kind === 'object') top.expectKey = true
      else top.index++
    }
  }
}

/** Index of the closing quote of the string opening at `start` (the text is well-formed). */
function stringEnd(text: string, start: number): number {
  let i = start + 1
  while (text.charCodeAt(i) !== QUOTE) i += text.charCodeAt(i) === BACKSLASH ? 2 : 1
  return i
}

function readString(
  token: string,
  top: Frame | undefined,
  here: () => { path: string; name: string },
  limits: JsonLimits,
): void {
  // Only a token with an escape differs from its text; the raw length bounds the decoded one.
  const decoded = (): string =>
    token.includes('\\') ? (JSON.parse(token) as string) : token.slice(1, -1)
  const tooLong =
    token.length - 2 > limits.maxStringLength && decoded().length > limits.maxStringLength
  if (top?.kind === 'object' && top.expectKey) {
    if (tooLong) {
      const { name } = here()
      throw new InputError(
        name,
        'too_long',
        `${name} has a key longer than ${limits.maxStringLength} characters`,
      )
    }
    const key = decoded()
    if (top.keys.has(key)) {
      const field = joinPath(here().path, key)
      throw new InputError(field, 'duplicate_key', `${field} is given twice`)
    }
    top.keys.add(key)
    top.key = key
    top.expectKey = false
    return
  }
  if (tooLong) {
    const { name } = here()
    throw new InputError(
      name,
      'too_long',
      `${name} must be at most ${limits.maxStringLength} characters long`,
    )
  }
}

function joinPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`
}

function pathOf(root: string, stack: readonly Frame[]): string {
  let path = root
  for (const frame of stack) {
    if (frame.kind === 'array') path = `${path}[${frame.index}]`
    else if (!frame.expectKey && frame.key !== null) path = joinPath(path, frame.key)
  }
  return path
}
