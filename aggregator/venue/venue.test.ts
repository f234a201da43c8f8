/**
 * The demo venues on 127.0.0.1 against a stub aggregator that checks the
 * Execution's signature and answers as the service's contract says: the
 * list, quotes at mark +- spread (rounded in the venue's favour), orders
 * filled at ask or bid with the fee, refused here past their limit, for
 * another venue, unlisted or forged; the aggregator's answers (a fill, a
 * 422 with figures) relayed unchanged; bad bodies a 400 naming the field,
 * and no body at all ever a 500.
 */
import fc from 'fast-check'
import { hashTypedData, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  STUB_DOMAIN,
  type StubAggregator,
  startStubAggregator,
  startStubWithVenues,
} from '../../test/helpers/stub-aggregator.ts'
import { ORDER_TYPES, type OrderMessage } from '../orders/typed-data.ts'
import { DEMO_VENUE_KEYS, demoVenuesFor, type RunningVenues, startDemoVenues } from './index.ts'

let stub: StubAggregator
let demo: RunningVenues
let world: Awaited<ReturnType<typeof startStubWithVenues>>
beforeAll(async () => {
  world = await startStubWithVenues()
  ;({ stub, demo } = world)
})
afterAll(async () => {
  await world?.close()
})

const venue = (name: string) => demo.venues.find((v) => v.name === name)!

/** A signed order in its wire form (`typed`: what was signed); `tamper` changes message fields after signing. */
async function signedOrder(
  by: LocalAccount,
  fields: Partial<OrderMessage> = {},
  tamper: Record<string, unknown> = {},
) {
  const message: OrderMessage = {
    account: by.address,
    venue: venue('arbitrum').address,
    instrument: 'ETH-PERP',
    side: 'buy',
    size: 200_000_000n,
    limitPrice: 3_100_000_000n,
    nonce: 7n,
    expiry: BigInt(Math.floor(Date.now() / 1000) + 120),
    ...fields,
  }
  const signature = await by.signTypedData({
    domain: STUB_DOMAIN,
    types: ORDER_TYPES,
    primaryType: 'Order',
    message,
  })
  const wire = Object.fromEntries(
    Object.entries(message).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]),
  )
  return {
    body: { message: { ...wire, ...tamper }, signer: by.address, signature },
    typed: message,
  }
}

/** Just the wire body of a signed order. */
async function orderBody(...args: Parameters<typeof signedOrder>) {
  return (await signedOrder(...args)).body
}

function post(name: string, body: unknown): Promise<Response> {
  return fetch(`${venue(name).url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}

async function answer(res: Response): Promise<[number, unknown]> {
  return [res.status, await res.json()]
}

const trader = () => privateKeyToAccount(generatePrivateKey())

describe('GET /venues', () => {
  it('lists one venue per spoke, named after it, with its key address and URL', async () => {
    const res = await fetch(`${demo.url}/venues`)
    expect(await answer(res)).toEqual([
      200,
      {
        venues: [
          {
            name: 'arbitrum',
            chain: 'arbitrum',
            address: privateKeyToAccount(DEMO_VENUE_KEYS[0]).address,
            url: `${demo.url}/venues/arbitrum`,
          },
          {
            name: 'base',
            chain: 'base',
            address: privateKeyToAccount(DEMO_VENUE_KEYS[1]).address,
            url: `${demo.url}/venues/base`,
          },
        ],
      },
    ])
    const listed = (await (await fetch(`${demo.url}/venues`)).json()) as { venues: unknown }
    expect(demo.venues).toEqual(listed.venues)
  })
})

describe('quotes', () => {
  const quote = (instrument: string, name = 'arbitrum') =>
    fetch(`${venue(name).url}/quotes?instrument=${encodeURIComponent(instrument)}`).then(answer)

  it.each([
    // 5 bps each side: ask rounded up, bid down, to 1e-6 USD.
    { instrument: 'ETH-PERP', mark: 3000, bid: 2998.5, ask: 3001.5 },
    { instrument: 'ETH-FUT-1798761600', mark: 3010.25, bid: 3008.744875, ask: 3011.755125 },
    { instrument: 'ETH-C-3500-1798761600', mark: 120.123457, bid: 120.063395, ask: 120.183519 },
    // 1e-6 USD: the ask rounds up to the next micro, the bid down to nothing.
    { instrument: 'ETH-P-2750.5-1798761600', mark: 0.000001, bid: 0, ask: 0.000002 },
  ])('$instrument at mark $mark: bid $bid, ask $ask', async ({ instrument, mark, bid, ask }) => {
    expect(await quote(instrument)).toEqual([200, { instrument, mark, bid, ask }])
  })

  it('follows the aggregator’s mark', async () => {
    stub.marks.set('BTC-PERP', 61_000)
    try {
      expect((await quote('BTC-PERP', 'base'))[1]).toMatchObject({ ask: 61_030.5, bid: 60_969.5 })
    } finally {
      stub.marks.set('BTC-PERP', 60_000)
    }
  })

  it.each([
    { name: 'no instrument', query: '', status: 400, code: 'missing_field' },
    { name: 'a malformed id', query: '?instrument=eth-perp', status: 400, code: 'out_of_range' },
    {
      name: 'an unlisted one',
      query: '?instrument=SOL-PERP',
      status: 422,
      code: 'not_listed',
    },
  ])('$name: $status naming instrument', async ({ query, status, code }) => {
    const [s, body] = await fetch(`${venue('arbitrum').url}/quotes${query}`).then(answer)
    expect([s, (body as { error: object }).error]).toMatchObject([
      status,
      { code, field: 'instrument' },
    ])
  })

  it('an unknown venue is 404', async () => {
    const [s, body] = await fetch(`${demo.url}/venues/solana/quotes?instrument=ETH-PERP`).then(
      answer,
    )
    expect([s, (body as { error: { code: string } }).error.code]).toEqual([404, 'unknown_venue'])
  })

  it('quotes within the cache time share one read of the markets', async () => {
    const cached = await startDemoVenues({
      venues: demoVenuesFor(['arbitrum']),
      aggregator: stub.url,
      marksTtlMs: 3_600_000,
      port: 0,
      host: '127.0.0.1',
    })
    try {
      const before = stub.marketsReads
      const url = `${cached.venues[0]!.url}/quotes?instrument=ETH-PERP`
      await Promise.all([fetch(url), fetch(url), fetch(url)])
      await fetch(url)
      expect(stub.marketsReads - before).toBe(1)
    } finally {
      await cached.close()
    }
  })
})

describe('orders', () => {
  it('a buy fills at the ask with the fee, signed by the venue; the aggregator’s body relayed', async () => {
    const by = trader()
    const order = await signedOrder(by)
    const res = await post('arbitrum', order.body)
    const text = await res.text()
    expect(res.status).toBe(200)
    const submitted = stub.fills.at(-1)!
    const e = submitted.execution.message
    // 2 ETH at 3001.5: notional 6003 USD, 2 bps of it 1.2006 USD.
    expect([e['price'], e['size'], e['fee'], e['venue']]).toEqual([
      '3001500000',
      '200000000',
      '1200600',
      venue('arbitrum').address,
    ])
    expect(e['fillId']).toMatch(/^arbitrum-[0-9a-f]{24}$/)
    expect(e['orderHash']).toBe(
      hashTypedData({
        domain: STUB_DOMAIN,
        types: ORDER_TYPES,
        primaryType: 'Order',
        message: order.typed,
      }),
    )
    expect(Number(e['executedAt'])).toBeLessThanOrEqual(Number(order.typed.expiry))
    expect(submitted.order).toEqual(order.body)
    // Exactly the aggregator's text: nothing reformatted on the way back.
    expect(text).toBe(stub.answers.get(e['fillId']!)!.body)
    expect(JSON.parse(text).fill).toMatchObject({
      fillId: e['fillId'],
      venue: 'arbitrum',
      account: by.address,
      price: '3001500000',
    })
  })

  it('a sell fills at the bid, the fee rounded up to 1e-6 USD', async () => {
    const order = await orderBody(trader(), {
      instrument: 'ETH-C-3500-1798761600',
      side: 'sell',
      size: 1n,
      limitPrice: 100_000_000n,
      venue: venue('base').address,
    })
    const res = await post('base', order)
    expect(res.status).toBe(200)
    const e = stub.fills.at(-1)!.execution.message
    // 1e-8 of a 120.063395 USD option: 1.2e-6 USD notional, a fee of a fraction of a micro, so 1.
    expect([e['price'], e['size'], e['fee']]).toEqual(['120063395', '1', '1'])
  })

  it.each([
    {
      side: 'buy',
      limitPrice: 3_001_499_999n,
      words: 'asks 3001.5 USD for ETH-PERP, above the limit 3001.499999',
    },
    {
      side: 'sell',
      limitPrice: 2_998_500_001n,
      words: 'bids 2998.5 USD for ETH-PERP, below the limit 2998.500001',
    },
  ] as const)(
    'a $side past its limit is refused here, limit_price',
    async ({ side, limitPrice, words }) => {
      const before = stub.fills.length
      const [s, body] = await post(
        'arbitrum',
        await orderBody(trader(), { side, limitPrice }),
      ).then(answer)
      expect([s, body]).toEqual([
        422,
        {
          error: { code: 'limit_price', message: `arbitrum ${words}`, field: 'message.limitPrice' },
        },
      ])
      expect(stub.fills.length).toBe(before)
    },
  )

  it('at exactly the limit it fills', async () => {
    const res = await post('arbitrum', await orderBody(trader(), { limitPrice: 3_001_500_000n }))
    expect(res.status).toBe(200)
  })

  it('relays the aggregator’s 422 with its figures, unchanged', async () => {
    // 50 ETH: 150,075 USD notional needs 15,007.5 USD of initial margin; the stub has 10,000.
    const order = await orderBody(trader(), { size: 5_000_000_000n })
    const res = await post('arbitrum', order)
    const text = await res.text()
    expect(res.status).toBe(422)
    expect(text).toBe(stub.answers.get(stub.fills.at(-1)!.execution.message['fillId']!)!.body)
    expect(JSON.parse(text)).toMatchObject({
      error: {
        code: 'insufficient_margin',
        field: 'order.message.size',
        figures: { initialMarginRequired: 15_007.5, equityAfter: 10_000 - 30.015 },
      },
    })
  })

  it('an order naming another venue is refused, wrong_venue', async () => {
    const before = stub.fills.length
    const order = await orderBody(trader(), { venue: venue('base').address })
    const [s, body] = await post('arbitrum', order).then(answer)
    expect([s, (body as { error: object }).error]).toMatchObject([
      422,
      { code: 'wrong_venue', field: 'message.venue' },
    ])
    expect(stub.fills.length).toBe(before)
  })

  it('an unlisted instrument is refused, not_listed', async () => {
    const [s, body] = await post(
      'arbitrum',
      await orderBody(trader(), { instrument: 'SOL-PERP' }),
    ).then(answer)
    expect([s, (body as { error: object }).error]).toMatchObject([
      422,
      { code: 'not_listed', field: 'message.instrument' },
    ])
  })

  it.each([
    { name: 'a field changed after signing', tamper: { size: '300000000' } },
    {
      name: 'another account',
      tamper: { account: privateKeyToAccount(generatePrivateKey()).address },
    },
  ])('$name: 401 bad_signature, nothing signed', async ({ tamper }) => {
    const before = stub.fills.length
    const [s, body] = await post('arbitrum', await orderBody(trader(), {}, tamper)).then(answer)
    expect([s, (body as { error: object }).error]).toMatchObject([
      401,
      { code: 'bad_signature', field: 'signature' },
    ])
    expect(stub.fills.length).toBe(before)
  })

  it('an unknown venue is 404', async () => {
    const res = await fetch(`${demo.url}/venues/solana/orders`, { method: 'POST', body: '{}' })
    expect(res.status).toBe(404)
  })
})

describe('bad bodies', () => {
  it.each([
    { name: 'not JSON', body: '{"message":', field: 'body' },
    { name: 'an array', body: '[]', field: 'body' },
    { name: 'null', body: 'null', field: 'body' },
    { name: 'no message', body: '{}', field: 'message' },
    { name: 'a duplicate key', body: '{"message":{},"message":{}}', field: 'message' },
    { name: 'a string message', body: '{"message":"order"}', field: 'message' },
  ])('$name: 400 naming $field', async ({ body, field }) => {
    const [s, b] = await post('arbitrum', body).then(answer)
    expect([s, (b as { error: { field: string } }).error.field]).toEqual([400, field])
  })

  it.each([
    {
      name: 'a lower-case instrument',
      tamper: { instrument: 'eth-perp' },
      field: 'message.instrument',
    },
    { name: 'a numeric instrument', tamper: { instrument: 1 }, field: 'message.instrument' },
    { name: 'side long', tamper: { side: 'long' }, field: 'message.side' },
    { name: 'a negative size', tamper: { size: '-1' }, field: 'message.size' },
    { name: 'size zero', tamper: { size: '0' }, field: 'message.size' },
    { name: 'a fractional size', tamper: { size: '1.5' }, field: 'message.size' },
    { name: 'a size as a number', tamper: { size: 200000000 }, field: 'message.size' },
    {
      name: 'a size past uint256',
      tamper: { size: (2n ** 256n).toString() },
      field: 'message.size',
    },
    { name: 'limit zero', tamper: { limitPrice: '0' }, field: 'message.limitPrice' },
    { name: 'a hex nonce', tamper: { nonce: '0x07' }, field: 'message.nonce' },
    {
      name: 'an expiry past uint64',
      tamper: { expiry: (2n ** 64n).toString() },
      field: 'message.expiry',
    },
    { name: 'an expiry in words', tamper: { expiry: 'soon' }, field: 'message.expiry' },
    { name: 'a bad account', tamper: { account: '0x1234' }, field: 'message.account' },
    { name: 'no venue', tamper: { venue: undefined }, field: 'message.venue' },
  ])('$name: 400 naming $field', async ({ tamper, field }) => {
    const [s, b] = await post('arbitrum', await orderBody(trader(), {}, tamper)).then(answer)
    expect([s, (b as { error: { field: string } }).error.field]).toEqual([400, field])
  })

  it.each([
    { name: 'a short signature', patch: { signature: '0x1234' }, field: 'signature' },
    { name: 'no signer', patch: { signer: undefined }, field: 'signer' },
  ])('$name: 400 naming $field', async ({ patch, field }) => {
    const order = await orderBody(trader())
    const [s, b] = await post('arbitrum', { ...order, ...patch }).then(answer)
    expect([s, (b as { error: { field: string } }).error.field]).toEqual([400, field])
  })

  it('a body past the limit is 413', async () => {
    const res = await post('arbitrum', JSON.stringify({ pad: 'x'.repeat(64 * 1024) }))
    expect(res.status).toBe(413)
  })

  it('no body, JSON or not, is ever a 500', async () => {
    const order = await orderBody(trader())
    const mutated = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record({ key: fc.constantFrom(...Object.keys(order.message)), value: fc.jsonValue() })
        .map(({ key, value }) =>
          JSON.stringify({ ...order, message: { ...order.message, [key]: value } }),
        ),
    )
    await fc.assert(
      fc.asyncProperty(mutated, async (body) => {
        const res = await post('arbitrum', body)
        await res.arrayBuffer()
        return [200, 400, 401, 413, 422].includes(res.status)
      }),
      { numRuns: 60 },
    )
  })
})

describe('the aggregator away', () => {
  it('answers 502 aggregator_unavailable, naming no field', async () => {
    const gone = await startStubAggregator()
    const url = gone.url
    await gone.close()
    const orphan = await startDemoVenues({
      venues: demoVenuesFor(['arbitrum']),
      aggregator: url,
      port: 0,
      host: '127.0.0.1',
    })
    try {
      const q = await fetch(`${orphan.venues[0]!.url}/quotes?instrument=ETH-PERP`).then(answer)
      expect([q[0], (q[1] as { error: object }).error]).toMatchObject([
        502,
        { code: 'aggregator_unavailable', field: null },
      ])
    } finally {
      await orphan.close()
    }
  })
})
