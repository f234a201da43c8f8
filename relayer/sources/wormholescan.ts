/**
 * Wormholescan as a VAA source: GET {baseUrl}/api/v1/vaas/{chain}/{emitter}/{sequence}
 * answers { data: { vaa: base64 } } once the guardians have signed; 404
 * until then. 429 and 5xx are faults with a retry hint; every request has a
 * timeout, so a stalled endpoint cannot stall delivery.
 */
import type { Hex } from 'viem'
import { bytesToHex } from 'viem'
import { type VaaKey, type VaaSource, VaaSourceError } from './vaa-source.ts'

export interface WormholescanOptions {
  readonly baseUrl: string
  readonly timeoutMs?: number
}

export class WormholescanSource implements VaaSource {
  readonly name = 'wormholescan'
  readonly #base: string
  readonly #timeoutMs: number

  constructor(options: WormholescanOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '')
    this.#timeoutMs = options.timeoutMs ?? 5000
  }

  async fetchVaa(key: VaaKey): Promise<Hex | null> {
    const emitter = key.emitterAddress.slice(2).toLowerCase().padStart(64, '0')
    const url = `${this.#base}/api/v1/vaas/${key.emitterChain}/${emitter}/${key.sequence}`
    let res: Response
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(this.#timeoutMs) })
    } catch (cause) {
      throw new VaaSourceError(`wormholescan did not answer: ${url}`, null, cause)
    }
    if (res.status === 404) return null
    if (res.status === 429 || res.status >= 500) {
      const retryAfter = Number(res.headers.get('retry-after'))
      throw new VaaSourceError(
        `wormholescan answered ${res.status}`,
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null,
      )
    }
    if (!res.ok) throw new VaaSourceError(`wormholescan answered ${res.status} for ${url}`)
    const body = (await res.json().catch(() => null)) as { data?: { vaa?: unknown } } | null
    const vaa = body?.data?.vaa
    if (typeof vaa === 'string' && vaa.length > 0) return bytesToHex(Buffer.from(vaa, 'base64'))
    if (Array.isArray(vaa)) return bytesToHex(Uint8Array.from(vaa as number[]))
    throw new VaaSourceError(`wormholescan answered without a VAA for ${url}`)
  }
}
