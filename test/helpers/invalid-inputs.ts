/**
 * One broken document per input rule of spec section 2.4 (and the few rules
 * we add), with the field and rule the error must name. The validation unit
 * test, the CLI test and the API test all run this same table.
 */
import { DAY, type Documents, handDocuments, T0 } from './documents.ts'

export interface InvalidCase {
  readonly name: string
  readonly docs: Documents
  readonly field: string
  readonly rule: string
}

// biome-ignore lint/suspicious/noExplicitAny: test cases reach into documents by known paths
type Json = Record<string, any>

/** A valid base with every kind of holding, so each case breaks exactly one thing. */
function base(): Documents {
  return handDocuments(
    {
      collateral: [
        { chain: 'a', asset: 'USDC', amount: 100 },
        { chain: 'b', asset: 'WX', amount: 1 },
      ],
      positions: [
        { chain: 'a', instrument: { kind: 'perp', underlying: 'X' }, quantity: 1, entryPrice: 100 },
        {
          chain: 'b',
          instrument: { kind: 'future', underlying: 'Y', expiry: T0 + 30 * DAY },
          quantity: -1,
          entryPrice: 50,
        },
        {
          chain: 'c',
          instrument: {
            kind: 'option',
            underlying: 'X',
            type: 'call',
            strike: 110,
            expiry: T0 + 30 * DAY,
          },
          quantity: -1,
        },
      ],
    },
    { spreadCredits: [{ legs: ['X', 'Y'], rate: 0.5 }] },
  )
}

function broken(
  name: string,
  field: string,
  rule: string,
  mutate: (d: { market: Json; params: Json; portfolio: Json }) => void,
): InvalidCase {
  const docs = base()
  mutate(docs as { market: Json; params: Json; portfolio: Json })
  return { name, docs, field, rule }
}

export const VALID_DOCUMENTS: Documents = base()

export const INVALID_CASES: readonly InvalidCase[] = [
  broken('a string where a number belongs', 'portfolio.cash', 'wrong_type', (d) => {
    d.portfolio['cash'] = '100'
  }),
  broken(
    'a number that is not finite (overflows JSON to 1e999)',
    'market.underlyings.X.price',
    'not_finite',
    (d) => {
      d.market['underlyings'].X.price = Number.POSITIVE_INFINITY
    },
  ),
  broken('price not > 0', 'market.underlyings.X.price', 'out_of_range', (d) => {
    d.market['underlyings'].X.price = 0
  }),
  broken('vol not > 0', 'market.underlyings.Y.vol', 'out_of_range', (d) => {
    d.market['underlyings'].Y.vol = -0.1
  }),
  broken('strike not > 0', 'portfolio.positions[2].instrument.strike', 'out_of_range', (d) => {
    d.portfolio['positions'][2].instrument.strike = 0
  }),
  broken('entryPrice not > 0', 'portfolio.positions[0].entryPrice', 'out_of_range', (d) => {
    d.portfolio['positions'][0].entryPrice = -1
  }),
  broken('asset price not > 0', 'market.assets.USDC.price', 'out_of_range', (d) => {
    d.market['assets'].USDC.price = 0
  }),
  broken('collateral amount < 0', 'portfolio.collateral[0].amount', 'out_of_range', (d) => {
    d.portfolio['collateral'][0].amount = -1
  }),
  broken('haircut = 1', 'market.assets.WX.haircut', 'out_of_range', (d) => {
    d.market['assets'].WX.haircut = 1
  }),
  broken('haircut < 0', 'market.assets.USDC.haircut', 'out_of_range', (d) => {
    d.market['assets'].USDC.haircut = -0.01
  }),
  broken('priceScanRange = 0', 'params.underlyings.X.priceScanRange', 'out_of_range', (d) => {
    d.params['underlyings'].X.priceScanRange = 0
  }),
  broken('priceScanRange = 1', 'params.underlyings.X.priceScanRange', 'out_of_range', (d) => {
    d.params['underlyings'].X.priceScanRange = 1
  }),
  broken('volScanRange = 1', 'params.underlyings.Y.volScanRange', 'out_of_range', (d) => {
    d.params['underlyings'].Y.volScanRange = 1
  }),
  broken('volScanRange < 0', 'params.underlyings.Y.volScanRange', 'out_of_range', (d) => {
    d.params['underlyings'].Y.volScanRange = -0.1
  }),
  broken('extremeMove * priceScanRange >= 1', 'params.extremeMove', 'out_of_range', (d) => {
    d.params['extremeMove'] = 10
  }),
  broken('spread rate > 1', 'params.spreadCredits[0].rate', 'out_of_range', (d) => {
    d.params['spreadCredits'][0].rate = 1.5
  }),
  broken('spread rate < 0', 'params.spreadCredits[0].rate', 'out_of_range', (d) => {
    d.params['spreadCredits'][0].rate = -0.1
  }),
  broken('initialMarginFactor < 1', 'params.initialMarginFactor', 'out_of_range', (d) => {
    d.params['initialMarginFactor'] = 0.99
  }),
  broken('|quantity| > 1e12', 'portfolio.positions[1].quantity', 'out_of_range', (d) => {
    d.portfolio['positions'][1].quantity = -1.5e12
  }),
  broken(
    'underlying the market does not define',
    'portfolio.positions[0].instrument.underlying',
    'unknown_reference',
    (d) => {
      d.portfolio['positions'][0].instrument.underlying = 'DOGE'
    },
  ),
  broken(
    'asset the market does not define',
    'portfolio.collateral[1].asset',
    'unknown_reference',
    (d) => {
      d.portfolio['collateral'][1].asset = 'WDOGE'
    },
  ),
  broken(
    'asset tracking an underlying the market does not define',
    'market.assets.WX.underlying',
    'unknown_reference',
    (d) => {
      d.market['assets'].WX.underlying = 'Z'
    },
  ),
  broken(
    'portfolio underlying without risk parameters',
    'portfolio.positions[1].instrument.underlying',
    'missing_risk_params',
    (d) => {
      delete d.params['underlyings'].Y
      d.params['spreadCredits'] = []
    },
  ),
  broken(
    'collateral underlying without risk parameters',
    'portfolio.collateral[1].asset',
    'missing_risk_params',
    (d) => {
      delete d.params['underlyings'].X
      d.params['spreadCredits'] = []
      d.portfolio['positions'] = []
    },
  ),
  broken(
    'option expiry <= timestamp',
    'portfolio.positions[2].instrument.expiry',
    'expired',
    (d) => {
      d.portfolio['positions'][2].instrument.expiry = T0
    },
  ),
  broken(
    'future expiry <= timestamp',
    'portfolio.positions[1].instrument.expiry',
    'expired',
    (d) => {
      d.portfolio['positions'][1].instrument.expiry = T0 - 1
    },
  ),
  broken('spread credit with equal legs', 'params.spreadCredits[0].legs', 'out_of_range', (d) => {
    d.params['spreadCredits'][0].legs = ['X', 'X']
  }),
  broken(
    'spread credit leg without risk parameters',
    'params.spreadCredits[0].legs[1]',
    'unknown_reference',
    (d) => {
      d.params['spreadCredits'][0].legs = ['X', 'Q']
    },
  ),
  broken('asset with both price and underlying', 'market.assets.WX', 'exactly_one', (d) => {
    d.market['assets'].WX.price = 100
  }),
  broken('asset with neither price nor underlying', 'market.assets.USDC', 'exactly_one', (d) => {
    delete d.market['assets'].USDC.price
  }),
  broken(
    'unknown instrument kind',
    'portfolio.positions[0].instrument.kind',
    'out_of_range',
    (d) => {
      d.portfolio['positions'][0].instrument.kind = 'swap'
    },
  ),
  broken('unknown option type', 'portfolio.positions[2].instrument.type', 'out_of_range', (d) => {
    d.portfolio['positions'][2].instrument.type = 'straddle'
  }),
  broken('missing required field', 'params.lookaheadDays', 'missing_field', (d) => {
    delete d.params['lookaheadDays']
  }),
  broken(
    'missing instrument field',
    'portfolio.positions[2].instrument.strike',
    'missing_field',
    (d) => {
      delete d.portfolio['positions'][2].instrument.strike
    },
  ),
  broken(
    'linear position without entryPrice',
    'portfolio.positions[1].entryPrice',
    'missing_field',
    (d) => {
      delete d.portfolio['positions'][1].entryPrice
    },
  ),
  broken('entryPrice on an option', 'portfolio.positions[2].entryPrice', 'unknown_field', (d) => {
    d.portfolio['positions'][2].entryPrice = 3
  }),
  broken('lookaheadDays < 0', 'params.lookaheadDays', 'out_of_range', (d) => {
    d.params['lookaheadDays'] = -1
  }),
  broken('unknown top-level field', 'market.source', 'unknown_field', (d) => {
    d.market['source'] = 'pyth'
  }),
  broken('unknown nested field', 'portfolio.positions[0].leverage', 'unknown_field', (d) => {
    d.portfolio['positions'][0].leverage = 10
  }),
  broken('expiry on a perp', 'portfolio.positions[0].instrument.expiry', 'unknown_field', (d) => {
    d.portfolio['positions'][0].instrument.expiry = T0 + DAY
  }),
  broken('timestamp not whole seconds', 'market.timestamp', 'out_of_range', (d) => {
    d.market['timestamp'] = 1.5
  }),
  broken('empty chain label', 'portfolio.collateral[0].chain', 'wrong_type', (d) => {
    d.portfolio['collateral'][0].chain = ''
  }),
  broken('positions not an array', 'portfolio.positions', 'wrong_type', (d) => {
    d.portfolio['positions'] = {}
  }),
  broken(
    'extra rule: negative short option minimum',
    'params.underlyings.X.shortOptionMinimum',
    'out_of_range',
    (d) => {
      d.params['underlyings'].X.shortOptionMinimum = -0.01
    },
  ),
  broken(
    'extra rule: extreme cover fraction > 1',
    'params.extremeCoverFraction',
    'out_of_range',
    (d) => {
      d.params['extremeCoverFraction'] = 1.2
    },
  ),
  broken('extra rule: negative extreme move', 'params.extremeMove', 'out_of_range', (d) => {
    d.params['extremeMove'] = -2
  }),
]
