/** Untrusted JSON text: each limit and ambiguity refused with the field's path. */
import { describe, expect, it } from 'vitest'
import { InputError } from '../errors.ts'
import { parseJsonText } from './json-text.ts'

const limits = { maxDepth: 4, maxStringLength: 8 }
const parse = (text: string) => parseJsonText(text, { root: '', label: 'body', limits })

function refusal(text: string): { field: string; rule: string } {
  try {
    parse(text)
  } catch (e) {
    if (e instanceof InputError) return { field: e.field, rule: e.rule }
    throw e
  }
  throw new Error(`accepted ${text}`)
}

describe('parseJsonText', () => {
  it.each([
    { text: '{"a":1,"a":2}', field: 'a', rule: 'duplicate_key' },
    { text: '{"a":{"b":1,"\\u0062":2}}', field: 'a.b', rule: 'duplicate_key' },
    { text: '{"p":[{"x":1},{"x":1,"x":2}]}', field: 'p[1].x', rule: 'duplicate_key' },
    { text: '{"a":[[[[1]]]]}', field: 'a[0][0][0]', rule: 'too_deep' },
    { text: '[[[[[]]]]]', field: '[0][0][0][0]', rule: 'too_deep' },
    { text: '{"a":"123456789"}', field: 'a', rule: 'too_long' },
    { text: '{"a":["ok","123456789"]}', field: 'a[1]', rule: 'too_long' },
    { text: '{"123456789":1}', field: 'body', rule: 'too_long' },
    { text: '{"a":1,', field: 'body', rule: 'invalid_json' },
    { text: '', field: 'body', rule: 'invalid_json' },
  ])('refuses $text: $rule at $field', ({ text, field, rule }) => {
    expect(refusal(text)).toEqual({ field, rule })
  })

  it.each([
    { text: '{"a":1,"b":{"a":2}}', value: { a: 1, b: { a: 2 } } },
    { text: '[{"a":1},{"a":1}]', value: [{ a: 1 }, { a: 1 }] },
    { text: '{"e":"\\u00e9\\u00e9\\u00e9\\u00e9"}', value: { e: 'éééé' } },
    { text: '{"q":"a,b}{[\\"]"}', value: { q: 'a,b}{["]' } },
    { text: '[[[1]]]', value: [[[1]]] },
  ])('accepts $text', ({ text, value }) => {
    expect(parse(text)).toEqual(value)
  })

  it('scans a deep document without recursing', () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000)
    expect(refusal(deep).rule).toBe('too_deep')
  })

  it('names paths under a root for the CLI', () => {
    expect(() =>
      parseJsonText('{"underlyings":{"X":1,"X":2}}', { root: 'market', label: 'market' }),
    ).toThrow(expect.objectContaining({ field: 'market.underlyings.X' }))
  })
})
