/**
 * The typed client's trading actions against the demo venues and a stub
 * aggregator on 127.0.0.1: markets(), placeOrder (the venue found in
 * /v1/status, the Order signed for the client's account, the slippage cap
 * from the venue's quote when no limit is given, a refusal as an ApiError
 * with its figures, input refused before anything is sent), and setPrice
 * with the operator token.
 */
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  OPERATOR_TOKEN,
  type StubAggregator,
  startStubWithVenues,
} from '../../test/helpers/stub-aggregator.ts'
import { InputError, type XmarginError } from '../errors.ts'
import type { RunningVenues } from '../venue/index.ts'
import { ApiError, ApiUnreachableError, createXmarginClient, setPrice } from './index.ts'

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

const client = () =>
  createXmarginClient({ api: stub.url, account: privateKeyToAccount(generatePrivateKey()) })

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  )
}

describe('markets', () => {
  it('reads GET /v1/markets as it is', async () => {
    const m = await client().markets()
    expect(m.instruments.find((i) => i.id === 'ETH-PERP')).toEqual({
      id: 'ETH-PERP',
      kind: 'perp',
      underlying: 'ETH',
      mark: 3000,
    })
  })
})

describe('placeOrder', () => {
  it('with a limit: signed for the account, naming the venue; the fill and margin back', async () => {
    const c = client()
    const started = Math.floor(Date.now() / 1000)
    const { fill, margin } = await c.placeOrder({
      venue: 'base',
      instrument: 'ETH-PERP',
      side: 'buy',
      size: '0.5',
      limit: '3100.25',
    })
    const o = stub.fills.at(-1)!.order
    expect([o.message['account'], o.signer, o.message['venue']]).toEqual([
      c.address,
      c.address,
      demo.venues[1]!.address,
    ])
    expect([o.message['size'], o.message['limitPrice']]).toEqual(['50000000', '3100250000'])
    // A 64-bit nonce; an expiry 120 s after the moment it was signed, which lies within the call.
    expect(BigInt(o.message['nonce']!)).toBeLessThan(2n ** 64n)
    const expiry = Number(o.message['expiry'])
    expect(expiry).toBeGreaterThanOrEqual(started + 120)
    expect(expiry).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 120)
    expect([fill.venue, fill.account, fill.size, fill.price, margin.status]).toEqual([
      'base',
      c.address,
      '50000000',
      '3001500000',
      'healthy',
    ])
  })

  it.each([
    // The ask 3001.5 plus 1 %, rounded up; the bid 2998.5 less 1 %, rounded down.
    { side: 'buy', limit: '3031515000' },
    { side: 'sell', limit: '2968515000' },
  ] as const)('without a limit, a $side is capped 1 % past the quote', async ({ side, limit }) => {
    await client().placeOrder({ venue: 'arbitrum', instrument: 'ETH-PERP', side, size: '1' })
    expect(stub.fills.at(-1)!.order.message['limitPrice']).toBe(limit)
  })

  it('a margin refusal is an ApiError with its code, field and figures', async () => {
    const err = await rejection(
      client().placeOrder({ venue: 'arbitrum', instrument: 'ETH-PERP', side: 'buy', size: '50' }),
    )
    expect(err).toBeInstanceOf(ApiError)
    const e = err as ApiError
    expect([e.status, e.code, e.field]).toEqual([422, 'insufficient_margin', 'order.message.size'])
    expect(e.figures).toEqual({
      initialMarginRequired: 15_007.5,
      equityAfter: 10_000 - 30.015,
      maintenanceMarginBefore: 0,
      maintenanceMarginAfter: 15_007.5 / 1.5,
    })
  })

  it("the venue's own refusal past the limit is an ApiError limit_price", async () => {
    const err = (await rejection(
      client().placeOrder({
        venue: 'arbitrum',
        instrument: 'ETH-PERP',
        side: 'buy',
        size: '1',
        limit: '3000',
      }),
    )) as ApiError
    expect([err.status, err.code, err.field]).toEqual([422, 'limit_price', 'message.limitPrice'])
  })

  it('venueUrl overrides the URL in /v1/status', async () => {
    const c = client()
    const saved = stub.venues
    stub.venues = saved.map((v) => ({ ...v, url: null }))
    try {
      const params = { venue: 'arbitrum', instrument: 'ETH-PERP', side: 'buy', size: '1' } as const
      expect(((await rejection(c.placeOrder(params))) as XmarginError).code).toBe('no_venue_url')
      const { fill } = await c.placeOrder(params, { venueUrl: `${demo.url}/venues/arbitrum/` })
      expect(fill.venue).toBe('arbitrum')
    } finally {
      stub.venues = saved
    }
  })

  it('a venue that does not answer is ApiUnreachableError naming it', async () => {
    const err = await rejection(
      client().placeOrder(
        { venue: 'arbitrum', instrument: 'ETH-PERP', side: 'buy', size: '1' },
        { venueUrl: 'http://127.0.0.1:1/venues/arbitrum' },
      ),
    )
    expect(err).toBeInstanceOf(ApiUnreachableError)
    expect((err as ApiUnreachableError).shortMessage).toMatch(
      /^cannot reach venue arbitrum at http:\/\/127\.0\.0\.1:1\/venues\/arbitrum/,
    )
  })

  it.each([
    { name: 'an unknown venue', params: { venue: 'solana' }, field: 'venue' },
    { name: 'a malformed instrument', params: { instrument: 'eth-perp' }, field: 'instrument' },
    { name: 'side long', params: { side: 'long' }, field: 'side' },
    { name: 'nine decimals of size', params: { size: '0.000000001' }, field: 'size' },
    { name: 'a size of zero', params: { size: '0' }, field: 'size' },
    { name: 'a negative size', params: { size: '-1' }, field: 'size' },
    { name: 'seven decimals of limit', params: { limit: '3000.0000001' }, field: 'limit' },
  ])('$name is an InputError naming $field, nothing sent', async ({ params, field }) => {
    const before = stub.fills.length
    const err = await rejection(
      client().placeOrder({
        venue: 'arbitrum',
        instrument: 'ETH-PERP',
        side: 'buy',
        size: '1',
        ...params,
      } as never),
    )
    expect(err).toBeInstanceOf(InputError)
    expect((err as InputError).field).toBe(field)
    expect(stub.fills.length).toBe(before)
  })
})

describe('setPrice', () => {
  it('moves and sets with the operator token', async () => {
    const moved = await client().setPrice(
      { underlying: 'BTC', move: -0.25 },
      { token: OPERATOR_TOKEN },
    )
    expect([moved.previous, moved.price]).toEqual([60_000, 45_000])
    const set = await setPrice(
      { api: stub.url, fetch },
      { underlying: 'BTC', set: 60_000 },
      { token: `${OPERATOR_TOKEN}\n` },
    )
    expect([set.previous, set.price]).toEqual([45_000, 60_000])
  })

  it('a wrong token is a 401 ApiError', async () => {
    const err = (await rejection(
      client().setPrice({ underlying: 'ETH', set: 1 }, { token: 'nope' }),
    )) as ApiError
    expect([err.status, err.code]).toEqual([401, 'bad_token'])
  })

  it.each([
    { name: 'both move and set', params: { underlying: 'ETH', move: 0.1, set: 1 }, field: 'move' },
    { name: 'neither', params: { underlying: 'ETH' }, field: 'move' },
    { name: 'a move of NaN', params: { underlying: 'ETH', move: Number.NaN }, field: 'move' },
    { name: 'a price of 0', params: { underlying: 'ETH', set: 0 }, field: 'set' },
    { name: 'no underlying', params: { underlying: '', set: 1 }, field: 'underlying' },
  ])('$name is an InputError naming $field', async ({ params, field }) => {
    const err = await rejection(client().setPrice(params, { token: OPERATOR_TOKEN }))
    expect((err as InputError).field).toBe(field)
  })
})
