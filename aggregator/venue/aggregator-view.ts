/**
 * What a venue reads from the aggregator: the marks of the listed
 * instruments (GET /v1/markets, kept `ttlMs` so a burst of quotes is one
 * request, and shared while in flight) and the EIP-712 domain that orders
 * and executions are signed in (GET /v1/status, read once: it does not
 * change while the service runs). A failed read is not kept; the next asks
 * again.
 */
import { getMarkets } from '../client/actions/markets.ts'
import { getStatus } from '../client/actions/status.ts'
import { signingOf } from '../client/context.ts'
import type { Http } from '../client/http.ts'
import type { SigningDomain } from '../client/types.ts'

export class AggregatorView {
  private marksRead: { at: number; marks: Promise<ReadonlyMap<string, number>> } | undefined
  private domainRead: Promise<SigningDomain> | undefined

  constructor(
    private readonly http: Http,
    private readonly ttlMs: number,
  ) {}

  /** Instrument id -> mark (USD per unit), for every listed instrument with a usable mark. */
  marks(): Promise<ReadonlyMap<string, number>> {
    const now = performance.now()
    if (this.marksRead && now - this.marksRead.at < this.ttlMs) return this.marksRead.marks
    const marks = getMarkets(this.http).then(
      (m) =>
        new Map(
          (Array.isArray(m?.instruments) ? m.instruments : [])
            // A mark the venue cannot price at is as good as no listing.
            .filter((i) => typeof i?.id === 'string' && Number.isFinite(i.mark) && i.mark >= 0)
            .map((i) => [i.id, i.mark]),
        ),
    )
    const read = { at: now, marks }
    this.marksRead = read
    marks.catch(() => {
      if (this.marksRead === read) this.marksRead = undefined
    })
    return marks
  }

  domain(): Promise<SigningDomain> {
    this.domainRead ??= getStatus(this.http).then((s) => signingOf(s, this.http.api).domain)
    this.domainRead.catch(() => {
      this.domainRead = undefined
    })
    return this.domainRead
  }
}
