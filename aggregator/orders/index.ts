/**
 * Orders: fills signed by the account and submitted by an allow-listed venue.
 * Owns the venue allow-list, the instrument listing, checking both
 * signatures, idempotency by fill id, and the pre-trade check on the whole
 * cross-chain account: a fill is accepted if initial margin holds after it,
 * or if the account is below initial margin and the fill reduces its
 * maintenance margin; never beyond what the circuit can prove (E9), never on
 * a stale or uncertain price unless it only reduces the position, never past
 * the order's limit price, expiry or size. Accepted fills and refusals alike
 * are recorded in the account log, so a fill id answers once, for good.
 *
 * What it does not check: that the venue's price is fair. The order's limit
 * price is the trader's protection against the venue; the venue is trusted
 * as far as its allow-listing says.
 */
import type { Address, Hex, TypedDataDomain } from 'viem'
import { isAddressEqual } from 'viem'
import type { AccountState } from '../accounts/account-book.ts'
import { emptyAccount, positionKey } from '../accounts/account-book.ts'
import { type AccountEvent, fillKey, type MarginMoment } from '../accounts/events.ts'
import type { AccountService, TradingEvent } from '../accounts/index.ts'
import { portfolioOf } from '../accounts/portfolio.ts'
import { checkKeyAuthority } from '../auth/verify-request.ts'
import { ConflictError, ForbiddenError, UnauthenticatedError } from '../errors.ts'
import type { MarginService } from '../margin/index.ts'
import type { PriceService } from '../prices/index.ts'
import type { MarginFigures } from '../risk/types.ts'
import { checkCapacity } from './capacity.ts'
import { applyFill } from './fill-accounting.ts'
import { FillRefused } from './fill-refused.ts'
import type { Listing } from './listing.ts'
import { executionDigest, orderDigest } from './order-hash.ts'
import { SignerCache } from './signatures.ts'
import { type FillSubmission, SIZE_SCALE } from './typed-data.ts'
import type { Venue, VenueRegistry } from './venues.ts'

export { FillRefused } from './fill-refused.ts'
export { DEFAULT_LISTING, Listing, type ListingConfig } from './listing.ts'
export type { FillSubmission } from './typed-data.ts'
export { type Venue, VenueRegistry } from './venues.ts'

export interface OrderServiceOptions {
  readonly accounts: AccountService
  readonly margin: MarginService
  readonly prices: PriceService
  readonly venues: VenueRegistry
  readonly listing: Listing
  readonly domain: TypedDataDomain
  /** Unix seconds. */
  readonly now?: () => number
  /**
   * Whether the hub has given the account its state-tree leaf (E4). An account
   * without one cannot be proven, so cannot be liquidated: it may take on no
   * risk (E9). Default: every account is.
   */
  readonly provable?: (account: Address) => Promise<boolean>
}

interface Hashes {
  readonly orderHash: Hex
  readonly executionHash: Hex
}

/** How far ahead of the service's clock a venue may say it executed (clock skew). */
const MAX_EXECUTION_SKEW_SECONDS = 30

/** A fill as the API shows it. */
export interface FillView {
  readonly fillId: string
  readonly venue: string
  readonly chain: string
  readonly account: string
  readonly instrument: string
  readonly side: 'buy' | 'sell'
  readonly size: string
  readonly price: string
  readonly fee: string
  readonly executedAt: number
  readonly seq: string
}

export type FillAnswer =
  | { readonly accepted: true; readonly fill: FillView; readonly margin: MarginMoment }
  | { readonly accepted: false; readonly refusal: FillRefused }

export class OrderService {
  readonly #signers = new SignerCache()
  /** Fill keys being decided now: a concurrent resubmission waits for the first answer. */
  readonly #deciding = new Map<string, { executionHash: Hex; answer: Promise<FillAnswer> }>()

  constructor(private readonly options: OrderServiceOptions) {}

  get venues(): VenueRegistry {
    return this.options.venues
  }

  get listing(): Listing {
    return this.options.listing
  }

  /** Verify, then decide once per fill id (the recorded answer thereafter). */
  async submit(s: FillSubmission): Promise<FillAnswer> {
    const { venue, orderHash, executionHash } = this.#verify(s)
    const key = fillKey(venue.address, s.execution.message.fillId)
    const deciding = this.#deciding.get(key)
    if (deciding) {
      if (deciding.executionHash !== executionHash) throw reused(s.execution.message.fillId)
      return deciding.answer
    }
    const run = this.#decideOnce(key, venue, { orderHash, executionHash }, s)
    this.#deciding.set(key, { executionHash, answer: run })
    try {
      return await run
    } finally {
      this.#deciding.delete(key)
    }
  }

  async #decideOnce(
    key: string,
    venue: Venue,
    hashes: Hashes,
    s: FillSubmission,
  ): Promise<FillAnswer> {
    const { executionHash } = hashes
    // No lookup first: the log records a fill key once, so a resubmission is decided again,
    // finds its key taken, and answers with what the log holds under it.
    const account = s.order.message.account
    // outside the lock: an index, once the hub gives it, never changes
    const provable = (await this.options.provable?.(account)) ?? true
    return this.options.accounts.exclusive(account, async () => {
      try {
        const event = this.#decide(venue, hashes, s, provable)
        const [recorded] = await this.options.accounts.recordTrading([event])
        if (!recorded) {
          const first = await this.options.accounts.recorded(key)
          if (!first) throw new Error(`fill ${key} was neither new nor recorded`)
          return answerOf(first.event, first.seq, executionHash)
        }
        return answerOf(recorded.event, recorded.seq, executionHash)
      } catch (err) {
        if (!(err instanceof FillRefused)) throw err
        const [recorded] = await this.options.accounts.recordTrading([
          refusalEvent(venue, hashes, s, err),
        ])
        const first = recorded ?? (await this.options.accounts.recorded(key))
        return first
          ? answerOf(first.event, first.seq, executionHash)
          : { accepted: false, refusal: err }
      }
    })
  }

  /** Both signatures and the signer's authority; nothing here depends on the account's state. */
  #verify(s: FillSubmission): { venue: Venue } & Hashes {
    const { order, execution } = s
    const venue = this.options.venues.byAddress(execution.message.venue)
    if (!venue) {
      throw new UnauthenticatedError(
        'unknown_venue',
        `${execution.message.venue} is not an allow-listed venue`,
      )
    }
    if (!isAddressEqual(order.message.venue, venue.address)) {
      throw new ForbiddenError(
        'wrong_venue',
        `the order names venue ${order.message.venue}; ${venue.name} may not fill it`,
      )
    }
    const domain = this.options.domain
    const orderHash = orderDigest(domain, order.message)
    if (execution.message.orderHash.toLowerCase() !== orderHash.toLowerCase()) {
      throw new UnauthenticatedError(
        'tampered',
        'the execution names another order than the one submitted',
      )
    }
    const executionHash = executionDigest(domain, execution.message)
    this.#checkSignature(executionHash, execution.signature, venue.address, 'execution')
    this.#checkSignature(orderHash, order.signature, order.signer, 'order')
    if (!isAddressEqual(order.signer, order.message.account)) {
      checkKeyAuthority(order.message.account, order.signer, 'trade', 'Order', {
        authority: this.options.accounts.authority,
        now: BigInt(this.#now()),
      })
    }
    return { venue, orderHash, executionHash }
  }

  #checkSignature(digest: Hex, signature: Hex, expected: `0x${string}`, what: string): void {
    const result = this.#signers.check(digest, signature, expected)
    if (result === 'bad_signature')
      throw new UnauthenticatedError(
        'bad_signature',
        `the ${what} signature is not a valid secp256k1 signature`,
      )
    if (result === 'wrong_signer')
      throw new UnauthenticatedError(
        'tampered',
        `the ${what} signature is not ${expected}'s over this ${what}: a field was changed after signing, or another key signed it`,
      )
  }

  /** The pre-trade check on the account as it is now; the fill event, or FillRefused. */
  #decide(
    venue: Venue,
    { orderHash, executionHash }: Hashes,
    s: FillSubmission,
    provable: boolean,
  ): TradingEvent {
    const o = s.order.message
    const x = s.execution.message
    const now = this.#now()
    if (BigInt(now) > o.expiry || x.executedAt > o.expiry) {
      throw new FillRefused(
        'order_expired',
        'order.message.expiry',
        `the order expired at ${o.expiry}`,
      )
    }
    if (x.executedAt > BigInt(now + MAX_EXECUTION_SKEW_SECONDS)) {
      throw new FillRefused(
        'order_expired',
        'execution.message.executedAt',
        `executedAt ${x.executedAt} is in the future`,
      )
    }
    const listed = this.options.listing.get(o.instrument)
    if (!listed || (listed.instrument.kind !== 'perp' && listed.instrument.expiry <= now)) {
      throw new FillRefused(
        'not_listed',
        'order.message.instrument',
        `${o.instrument} is not listed for trading`,
      )
    }
    // The fee is the venue's too: the limit bounds the all-in price, fee included, so a venue
    // cannot take through the fee what the limit price refuses it.
    const allIn = x.price * x.size + (o.side === 'buy' ? x.fee : -x.fee) * SIZE_SCALE
    const limit = o.limitPrice * x.size
    if (o.side === 'buy' ? allIn > limit : allIn < limit) {
      throw new FillRefused(
        'limit_price',
        'execution.message.price',
        `the fill's all-in price (price ${x.price} and fee ${x.fee}, 1e-6 USD) is beyond the order's limit ${o.limitPrice} for a ${o.side}`,
        {
          price: Number(x.price) / 1e6,
          fee: Number(x.fee) / 1e6,
          allInPrice: Number(allIn) / Number(x.size) / 1e6,
          limitPrice: Number(o.limitPrice) / 1e6,
        },
      )
    }
    const state = this.options.accounts.stateOf(o.account) ?? emptyAccount(o.account)
    const filled = state.orders.get(o.nonce.toString())
    if (filled && filled.hash.toLowerCase() !== orderHash.toLowerCase()) {
      throw new ConflictError(
        'nonce_reused',
        'order.message.nonce',
        `${o.account} already used nonce ${o.nonce} for another order`,
      )
    }
    if ((filled?.filled ?? 0n) + x.size > o.size) {
      throw new FillRefused(
        'overfilled',
        'execution.message.size',
        `the order's size is ${o.size}; ${filled?.filled ?? 0n} is filled, so ${x.size} more is too much`,
      )
    }
    const key = positionKey(venue.chain, o.instrument)
    const booked = applyFill(
      state.positions.get(key),
      listed.instrument,
      o.side,
      x.size,
      x.price,
      x.fee,
    )
    const after = afterFill(state, key, venue.chain, o.instrument, booked)
    const portfolio = portfolioOf(after, this.options.accounts.directory)
    const breach = checkCapacity(portfolio, this.options.margin.market, this.options.margin.params)
    if (breach) {
      throw new FillRefused(
        'capacity',
        'execution.message.size',
        `${breach.message} (E9: the circuit could not prove the account)`,
        {
          value: breach.value,
          max: breach.max,
        },
      )
    }
    const before = this.options.margin.figures(o.account)
    const next = this.options.margin.whatIf(portfolio)
    if (!provable && next.maintenanceMargin > before.maintenanceMargin)
      throw new FillRefused(
        'capacity',
        'order.message.account',
        `${o.account} has no state-tree leaf yet (its first deposit has not reached the hub), so it cannot be proven and can take on no risk (E9)`,
      )
    this.#checkPrices(before, next)
    checkMargin(before, next)
    return {
      kind: 'fill',
      account: state.account,
      venue: venue.name,
      venueAddress: venue.address,
      chain: venue.chain,
      fillId: x.fillId,
      instrument: o.instrument,
      side: o.side,
      size: x.size,
      price: x.price,
      fee: x.fee,
      executedAt: Number(x.executedAt),
      order: {
        nonce: o.nonce,
        hash: orderHash,
        size: o.size,
        limitPrice: o.limitPrice,
        expiry: o.expiry,
        signer: s.order.signer,
        signature: s.order.signature,
      },
      executionHash,
      executionSignature: s.execution.signature,
      position: booked.position
        ? { quantity: booked.position.quantity, basis: booked.position.basis }
        : null,
      cashDelta: booked.cashDelta,
      realisedPnl: booked.realisedPnl,
      after: moment(next),
    }
  }

  /**
   * While any underlying the account has price risk on after the fill is not
   * priced well (stale, uncertain, missing), only a fill that reduces risk:
   * the maintenance margin does not grow, and neither does the scan risk of
   * any such underlying. Margining at the last good price is sound for
   * watching; it is not for taking more risk against it.
   */
  #checkPrices(before: MarginFigures, after: MarginFigures): void {
    const doubtful = Object.keys(after.underlyings).filter(
      (u) => this.options.prices.current(u)?.status !== 'ok',
    )
    if (doubtful.length === 0) return
    const grows = (u: string) =>
      (after.underlyings[u]?.scanRisk ?? 0) > (before.underlyings[u]?.scanRisk ?? 0)
    const increases = after.maintenanceMargin > before.maintenanceMargin || doubtful.some(grows)
    if (!increases) return
    const u = doubtful.find(grows) ?? doubtful[0]!
    const price = this.options.prices.current(u)
    throw new FillRefused(
      'stale_price',
      'order.message.instrument',
      `the ${u} price is ${price?.status ?? 'missing'}: only fills that reduce risk are taken until it is good again`,
      price ? { ageSeconds: price.ageSeconds, confidence: price.confidence } : null,
    )
  }

  #now(): number {
    return (this.options.now ?? (() => Math.floor(Date.now() / 1000)))()
  }
}

/**
 * Spec: IM holds after the fill, or the account is below IM and the fill
 * lowers its MM. The auditor's reading of "reduces risk" adds that the IM
 * shortfall must not grow: a fill far from the mark lowers MM while handing
 * the equity to the other side, and that is no reduction of risk to anyone
 * but the account's counterparty.
 */
function checkMargin(before: MarginFigures, after: MarginFigures): void {
  if (after.equity >= after.initialMargin) return
  const belowInitial = before.equity < before.initialMargin
  const shortfallBefore = before.initialMargin - before.equity
  const shortfallAfter = after.initialMargin - after.equity
  if (
    belowInitial &&
    after.maintenanceMargin < before.maintenanceMargin &&
    shortfallAfter <= shortfallBefore
  )
    return
  throw new FillRefused(
    'insufficient_margin',
    'execution.message.size',
    !belowInitial
      ? `initial margin after the fill would be ${after.initialMargin} USD; equity after it ${after.equity} USD`
      : after.maintenanceMargin >= before.maintenanceMargin
        ? `the account is below initial margin and this fill does not reduce its maintenance margin (${before.maintenanceMargin} -> ${after.maintenanceMargin} USD)`
        : `the account is below initial margin and this fill widens its shortfall (${shortfallBefore} -> ${shortfallAfter} USD)`,
    {
      initialMarginRequired: after.initialMargin,
      equityAfter: after.equity,
      maintenanceMarginBefore: before.maintenanceMargin,
      maintenanceMarginAfter: after.maintenanceMargin,
      shortfallBefore,
      shortfallAfter,
    },
  )
}

function moment(f: MarginFigures): MarginMoment {
  return {
    equity: f.equity,
    maintenanceMargin: f.maintenanceMargin,
    initialMargin: f.initialMargin,
    status: f.status,
  }
}

/** The account as it would be after the fill: a copy, the real state untouched. */
function afterFill(
  state: AccountState,
  key: string,
  chain: string,
  instrument: string,
  booked: ReturnType<typeof applyFill>,
): AccountState {
  const positions = new Map(state.positions)
  if (booked.position)
    positions.set(key, {
      chain,
      instrument,
      quantity: booked.position.quantity,
      basis: booked.position.basis,
    })
  else positions.delete(key)
  return { ...state, positions, cash: state.cash + booked.cashDelta }
}

function refusalEvent(
  venue: Venue,
  { orderHash, executionHash }: Hashes,
  s: FillSubmission,
  err: FillRefused,
): TradingEvent {
  return {
    kind: 'fill_refused',
    account: s.order.message.account,
    venue: venue.name,
    venueAddress: venue.address,
    fillId: s.execution.message.fillId,
    instrument: s.order.message.instrument,
    orderHash,
    executionHash,
    code: err.reason,
    message: err.shortMessage,
    field: err.field,
    figures: err.figures,
  }
}

/** The answer a recorded fill or refusal gives, to any resubmission of the same order. */
function answerOf(event: AccountEvent, seq: bigint, executionHash: Hex): FillAnswer {
  if (event.kind === 'fill') {
    if (event.executionHash.toLowerCase() !== executionHash.toLowerCase())
      throw reused(event.fillId)
    return {
      accepted: true,
      fill: {
        fillId: event.fillId,
        venue: event.venue,
        chain: event.chain,
        account: event.account,
        instrument: event.instrument,
        side: event.side,
        size: event.size.toString(),
        price: event.price.toString(),
        fee: event.fee.toString(),
        executedAt: event.executedAt,
        seq: seq.toString(),
      },
      margin: event.after,
    }
  }
  if (event.kind === 'fill_refused') {
    if (event.executionHash.toLowerCase() !== executionHash.toLowerCase())
      throw reused(event.fillId)
    return {
      accepted: false,
      refusal: new FillRefused(
        event.code as FillRefused['reason'],
        event.field,
        event.message,
        event.figures,
      ),
    }
  }
  throw new Error(`a fill key holds a ${event.kind} event`)
}

function reused(fillId: string): ConflictError {
  return new ConflictError(
    'fill_id_reused',
    'execution.message.fillId',
    `fill id ${fillId} was already used for another order`,
  )
}
