/**
 * A venue for the local stack: one per spoke chain, named after it, each
 * with its own allow-listed key, all served by one hono app on one port
 * under /venues/{name} (app.ts). A trader signs an Order naming a venue's
 * address; the venue prices it, signs the Execution and submits both to the
 * aggregator's POST /v1/fills, handing back what the aggregator answers.
 *
 * What it is NOT: a matching engine. There is no book and no counterparty;
 * it fills every order whole at the aggregator's mark plus or minus a spread
 * (`spreadBps`, default 5), with a fee (`feeBps`, default 2) on the notional,
 * so that the order flow, the pre-trade margin check and its refusals can be
 * driven end to end on a laptop.
 *
 *   const venues = await startDemoVenues({
 *     venues: demoVenuesFor(['arbitrum', 'base']),
 *     aggregator: 'http://127.0.0.1:8080',
 *     port: 0,
 *     host: '127.0.0.1',
 *   })
 *   venues.venues // [{ name: 'arbitrum', chain, address, url: 'http://127.0.0.1:PORT/venues/arbitrum' }, ...]
 */
import type { Server } from 'node:http'
import { type Address, type Hex, isHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { listen } from '../api/server.ts'
import { InputError } from '../errors.ts'
import { type Logger, silentLogger } from '../log.ts'
import { createVenueApp } from './app.ts'

export { createVenueApp, type VenueAccount, type VenueAppOptions } from './app.ts'
export { DEMO_VENUE_KEYS, type DemoVenueSpec, demoVenuesFor } from './keys.ts'

export const DEFAULT_SPREAD_BPS = 5
export const DEFAULT_FEE_BPS = 2
/** Quotes within this of each other share one read of GET /v1/markets. */
export const DEFAULT_MARKS_TTL_MS = 250

export interface DemoVenuesOptions {
  readonly venues: readonly {
    readonly name: string
    readonly chain: string
    readonly privateKey: Hex
  }[]
  /** The aggregator's base URL. */
  readonly aggregator: string
  readonly spreadBps?: number
  readonly feeBps?: number
  readonly marksTtlMs?: number
  readonly port: number
  readonly host: string
  readonly logger?: Logger
  readonly fetch?: typeof fetch
}

export interface RunningVenue {
  readonly name: string
  readonly chain: string
  readonly address: Address
  /** Its HTTP API: GET {url}/quotes, POST {url}/orders. What GET /v1/status states as its url. */
  readonly url: string
}

export interface RunningVenues {
  /** The app's base URL (GET {url}/venues lists them). */
  readonly url: string
  readonly venues: readonly RunningVenue[]
  close(): Promise<void>
}

/** A name goes in URLs and fill ids: lower-case letters, digits and dashes. */
const NAME = /^[a-z0-9][a-z0-9-]{0,31}$/

export async function startDemoVenues(options: DemoVenuesOptions): Promise<RunningVenues> {
  const spreadBps = bpsOption(options.spreadBps, 'spreadBps', DEFAULT_SPREAD_BPS)
  const feeBps = bpsOption(options.feeBps, 'feeBps', DEFAULT_FEE_BPS)
  const venues = options.venues.map((v, i) => {
    if (!NAME.test(v.name))
      throw new InputError(
        `venues.${i}.name`,
        'wrong_type',
        `venue name ${JSON.stringify(v.name)} must match ${NAME}`,
      )
    if (options.venues.findIndex((w) => w.name === v.name) !== i)
      throw new InputError(`venues.${i}.name`, 'duplicate_key', `two venues are named ${v.name}`)
    if (!isHex(v.privateKey) || v.privateKey.length !== 66)
      throw new InputError(
        `venues.${i}.privateKey`,
        'wrong_type',
        'a venue key is 0x and 64 hex digits',
      )
    return { name: v.name, chain: v.chain, account: privateKeyToAccount(v.privateKey) }
  })
  const app = createVenueApp({
    venues,
    aggregator: options.aggregator,
    spreadBps,
    feeBps,
    marksTtlMs: options.marksTtlMs ?? DEFAULT_MARKS_TTL_MS,
    logger: options.logger ?? silentLogger,
    ...(options.fetch && { fetch: options.fetch }),
  })
  const { server, port } = await listen(app.fetch, options.port, options.host)
  const url = `http://${options.host}:${port}`
  return {
    url,
    venues: venues.map((v) => ({
      name: v.name,
      chain: v.chain,
      address: v.account.address,
      url: `${url}/venues/${v.name}`,
    })),
    close: () => shutDown(server),
  }
}

/** Whole basis points below 100 %: a spread of 100 % would bid nothing. */
function bpsOption(value: number | undefined, field: string, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < 0 || value >= 10_000)
    throw new InputError(
      field,
      'out_of_range',
      `${field} must be whole basis points in [0, 10000), got ${value}`,
    )
  return value
}

/** Prompt: idle connections close now and any still open are cut, so a stop never waits on a client. */
function shutDown(server: Server): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()))
  server.closeIdleConnections()
  server.closeAllConnections()
  return closed
}
