/** Small JSON documents for tests: a one- or two-underlying market that hand arithmetic can follow. */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const T0 = 1_767_225_600
export const DAY = 86_400

export const VECTORS_DIR = fileURLToPath(new URL('../../../shared/vectors/xm1/', import.meta.url))
export const SPEC_EXAMPLE_DIR = fileURLToPath(new URL('../fixtures/spec-example/', import.meta.url))

export interface Documents {
  market: Record<string, unknown>
  params: Record<string, unknown>
  portfolio: Record<string, unknown>
}

export function readDocuments(dir: string): Documents & { expected: Record<string, unknown> } {
  const read = (name: string) => JSON.parse(readFileSync(`${dir}/${name}.json`, 'utf8'))
  return {
    market: read('market'),
    params: read('params'),
    portfolio: read('portfolio'),
    expected: read('expected'),
  }
}

export function vectorNames(sub = ''): string[] {
  return readdirSync(`${VECTORS_DIR}${sub}`, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'bad')
    .map((d) => d.name)
    .sort()
}

/**
 * X at 100 (vol 0.5) and Y at 50 (vol 0.4); scan ranges 10% price, 20% vol;
 * short option minimum 1%; extreme move 2 scan ranges covered at 35%;
 * one day look-ahead; IM factor 1.5; no spread credits unless given.
 */
export function handDocuments(
  portfolio: Partial<Documents['portfolio']>,
  params: Record<string, unknown> = {},
): Documents {
  return {
    market: {
      timestamp: T0,
      underlyings: { X: { price: 100, vol: 0.5 }, Y: { price: 50, vol: 0.4 } },
      assets: { USDC: { price: 1, haircut: 0 }, WX: { underlying: 'X', haircut: 0.1 } },
    },
    params: {
      underlyings: {
        X: { priceScanRange: 0.1, volScanRange: 0.2, shortOptionMinimum: 0.01 },
        Y: { priceScanRange: 0.1, volScanRange: 0.2, shortOptionMinimum: 0.01 },
      },
      extremeMove: 2,
      extremeCoverFraction: 0.35,
      lookaheadDays: 1,
      initialMarginFactor: 1.5,
      ...params,
    },
    portfolio: { cash: 1000, collateral: [], positions: [], ...portfolio },
  }
}

export const clone = <T>(x: T): T => structuredClone(x)

/** JSON text as a client would send it: non-finite numbers become 1e999, which JSON.parse reads as Infinity. */
export function jsonText(value: unknown): string {
  const marker = '__xmargin_nonfinite__'
  return JSON.stringify(value, (_, v) =>
    typeof v === 'number' && !Number.isFinite(v) ? marker : v,
  ).replaceAll(`"${marker}"`, '1e999')
}
