import { describe, expect, it } from 'vitest'
import { handDocuments } from '../../test/helpers/documents.ts'
import { INVALID_CASES, VALID_DOCUMENTS } from '../../test/helpers/invalid-inputs.ts'
import { InputError } from '../errors.ts'
import { validateInputs } from './validate.ts'

const validate = (d: { market: unknown; params: unknown; portfolio: unknown }) =>
  validateInputs(d.market, d.params, d.portfolio)

describe('validation (spec section 2.4)', () => {
  it('accepts the base documents every invalid case starts from', () => {
    expect(() => validate(VALID_DOCUMENTS)).not.toThrow()
  })

  it.each(INVALID_CASES)('rejects $name: $field ($rule)', ({ docs, field, rule }) => {
    const before = structuredClone(docs)
    let error: unknown
    try {
      validate(docs)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(InputError)
    expect({ field: (error as InputError).field, rule: (error as InputError).rule }).toEqual({
      field,
      rule,
    })
    expect((error as InputError).message).toContain(field)
    expect(docs, 'the input is left as it was').toEqual(before)
  })

  it('defaults spreadCredits to none', () => {
    const docs = handDocuments({})
    expect(validate(docs).params.spreadCredits).toEqual([])
  })

  it('treats a key named __proto__ as a plain name', () => {
    const docs = handDocuments({})
    const text = JSON.stringify(docs.market).replace(
      '"underlyings":{',
      '"underlyings":{"__proto__":{"price":7,"vol":0.5},',
    )
    const market = validateInputs(JSON.parse(text), docs.params, docs.portfolio).market
    expect(market.underlyings.get('__proto__')).toEqual({ price: 7, vol: 0.5 })
    expect(Object.getPrototypeOf(market.underlyings)).toBe(Map.prototype)
  })
})

describe('request limits', () => {
  const small = {
    maxPositions: 2,
    maxCollateral: 1,
    maxUnderlyings: 2,
    maxAssets: 2,
    maxSpreadCredits: 0,
  }
  const perp = {
    chain: 'a',
    instrument: { kind: 'perp', underlying: 'X' },
    quantity: 1,
    entryPrice: 1,
  }
  const usdc = { chain: 'a', asset: 'USDC', amount: 1 }
  const base = handDocuments({})
  const market = base.market as { underlyings: object; assets: object }
  it.each([
    {
      name: 'too many positions',
      docs: handDocuments({ positions: [perp, perp, perp] }),
      field: 'portfolio.positions',
    },
    {
      name: 'too many holdings',
      docs: handDocuments({ collateral: [usdc, usdc] }),
      field: 'portfolio.collateral',
    },
    {
      name: 'too many market underlyings',
      docs: {
        ...base,
        market: { ...market, underlyings: { ...market.underlyings, Z: { price: 1, vol: 1 } } },
      },
      field: 'market.underlyings',
    },
    {
      name: 'too many assets',
      docs: {
        ...base,
        market: { ...market, assets: { ...market.assets, DAI: { price: 1, haircut: 0 } } },
      },
      field: 'market.assets',
    },
    {
      name: 'too many spread credits',
      docs: handDocuments({}, { spreadCredits: [{ legs: ['X', 'Y'], rate: 0.5 }] }),
      field: 'params.spreadCredits',
    },
  ])('$name: too_many at $field', ({ docs, field }) => {
    expect(() => validateInputs(docs.market, docs.params, docs.portfolio, small)).toThrow(
      expect.objectContaining({ field, rule: 'too_many' }),
    )
  })

  it('accepts exactly the limit', () => {
    const docs = handDocuments({ positions: [perp, perp], collateral: [usdc] })
    expect(() => validateInputs(docs.market, docs.params, docs.portfolio, small)).not.toThrow()
  })
})
