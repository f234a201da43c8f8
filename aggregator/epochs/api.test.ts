import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../api/app.ts'
import { InlineMargin } from '../api/margin-engine.ts'
import { silentLogger } from '../log.ts'
import { hex32 } from './store.ts'
import { type EpochWorld, epochWorld, portfolio, trader } from './test-world.ts'

let world: EpochWorld
let app: ReturnType<typeof createApp>
beforeAll(async () => {
  world = await epochWorld()
  world.indices.credit(trader(1))
  world.accounts.set(trader(1), portfolio(100))
  for (let i = 0; i < 5; i++) await world.service.commitNow()
  app = createApp({
    logger: silentLogger,
    margin: new InlineMargin(),
    rateLimit: { limit: 0, windowMs: 60_000 },
    epochs: { epochs: world.service },
  })
})
afterAll(() => world.close())

const get = async (path: string) => {
  const res = await app.request(path)
  // biome-ignore lint/suspicious/noExplicitAny: a response body is read field by field
  return { status: res.status, body: (await res.json()) as any }
}

describe('GET /v1/epochs', () => {
  it.each([
    ['/v1/epochs', [5, 4, 3, 2, 1], null],
    ['/v1/epochs?limit=2', [5, 4], 4],
    ['/v1/epochs?limit=2&before=4', [3, 2], 2],
    ['/v1/epochs?limit=2&before=2', [1], null],
    ['/v1/epochs?before=1', [], null],
  ])('%s pages newest first', async (path, numbers, next) => {
    const { status, body } = await get(path)
    expect(status).toBe(200)
    expect(body.epochs.map((e: { number: number }) => e.number)).toEqual(numbers)
    expect(body.next).toEqual(next)
  })

  it('shows roots as 0x hex, the counts, the tx and when it was posted', async () => {
    const { body } = await get('/v1/epochs?limit=1')
    const latest = world.service.latest!
    expect(body.epochs[0]).toEqual({
      number: 5,
      stateRoot: hex32(latest.stateRoot),
      marketRoot: hex32(latest.marketRoot),
      accountCount: 1,
      unindexedCount: 0,
      postedTx: latest.postedTx,
      postedAt: latest.postedAt!.toISOString(),
    })
    expect(body.epochs[0].stateRoot).toMatch(/^0x[0-9a-f]{64}$/)
  })

  it.each([
    ['/v1/epochs?limit=0', 'limit'],
    ['/v1/epochs?limit=101', 'limit'],
    ['/v1/epochs?limit=x', 'limit'],
    ['/v1/epochs?before=-1', 'before'],
    ['/v1/epochs?before=0', 'before'],
  ])('%s is a 400 naming %s', async (path, field) => {
    const { status, body } = await get(path)
    expect(status).toBe(400)
    expect(body.error.field).toBe(field)
  })
})

describe('GET /v1/epochs/{n}', () => {
  it('answers one epoch with its whole market table', async () => {
    const { status, body } = await get('/v1/epochs/3')
    expect(status).toBe(200)
    expect(body).toMatchObject({ number: 3, accountCount: 1 })
    expect(body.market).toEqual((await world.service.get(3n))!.market)
    expect(BigInt(body.market.marketRoot)).toBe(BigInt(body.marketRoot))
  })

  it.each([
    ['/v1/epochs/6', 404, 'unknown_epoch', 'there is no epoch 6'],
    ['/v1/epochs/0', 400, 'out_of_range', undefined],
    ['/v1/epochs/abc', 400, 'out_of_range', undefined],
    ['/v1/epochs/1.5', 400, 'out_of_range', undefined],
  ])('%s is a %i', async (path, status, code, message) => {
    const res = await get(path)
    expect(res.status).toBe(status)
    expect(res.body.error).toMatchObject({ code, field: 'n', ...(message && { message }) })
  })

  it('is in the OpenAPI document', async () => {
    const { body } = await get('/v1/openapi.json')
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/v1/epochs', '/v1/epochs/{n}']),
    )
  })
})
