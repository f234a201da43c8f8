/**
 * Largest withdrawal per collateral holding that keeps equity >= initial
 * margin afterwards, to 1e-6 of the asset, rounded down. Where float64 cannot
 * hold 1e-6 at the holding's size (above about 2e9 units), the answer is to
 * the finest power of ten it can hold, and `resolution` says which.
 *
 * A fixed-price asset only lowers equity, so the answer is closed-form. An
 * asset that tracks an underlying also changes the scan risk, possibly not
 * monotonically (it may hedge a short), so we take the conservative reading:
 * the largest w such that every withdrawal up to w keeps equity >= IM. A grid
 * of 32 steps finds the first failing amount and bisection refines it.
 */
import { ComputationError } from '../errors.ts'
import { computeMargin } from './reference.ts'
import { bisect, resolutionAt } from './search.ts'
import type { MarginFigures, MarginInputs, Withdrawable } from './types.ts'

const RESOLUTION = 1e-6
const GRID_STEPS = 32
/** A rounded candidate is at most a step or two optimistic; past this many, fall back. */
const CONFIRM_STEPS = 16

type Allowed = (w: number) => boolean

export function withdrawable(inputs: MarginInputs, figures: MarginFigures): Withdrawable[] {
  return inputs.portfolio.collateral.map((holding, index) => {
    const resolution = resolutionAt(holding.amount, RESOLUTION)
    return {
      chain: holding.chain,
      asset: holding.asset,
      amount: maxWithdrawal(inputs, figures, index, resolution),
      resolution,
    }
  })
}

function maxWithdrawal(
  inputs: MarginInputs,
  figures: MarginFigures,
  index: number,
  resolution: number,
): number {
  const { amount, asset: name } = inputs.portfolio.collateral[index]!
  const headroom = figures.equity - figures.initialMargin
  if (!(headroom >= 0) || amount === 0) return 0
  const allowed: Allowed = (w) => {
    try {
      const f = computeMargin(withHoldingAmount(inputs, index, amount - w))
      return f.equity >= f.initialMargin
    } catch (err) {
      // A state the engine cannot value is not one a withdrawal may leave behind.
      if (err instanceof ComputationError) return false
      throw err
    }
  }
  const asset = inputs.market.assets.get(name)!
  if (asset.kind === 'fixed') {
    const perUnit = asset.price * (1 - asset.haircut)
    const candidate = headroom >= amount * perUnit ? amount : headroom / perUnit
    return confirmed(allowed, floorTo(Math.min(candidate, amount), resolution), 0, resolution)
  }
  let ok = 0
  for (let step = 1; step <= GRID_STEPS; step++) {
    // amount * (step / GRID_STEPS), not (amount * step) / GRID_STEPS: near 1.8e308 the product overflows.
    const w = step === GRID_STEPS ? amount : amount * (step / GRID_STEPS)
    if (!allowed(w)) {
      const found = bisect(allowed, ok, w, (a, b) => b - a <= resolution / 4).same
      return confirmed(allowed, floorTo(found, resolution), floorTo(ok, resolution), resolution)
    }
    ok = w
  }
  return amount
}

/**
 * The engine itself has the last word: a closed form or a rounded bisection
 * can be an ulp optimistic, so step down until the withdrawal really passes.
 */
function confirmed(allowed: Allowed, candidate: number, fallback: number, step: number): number {
  let w = candidate
  for (let i = 0; i < CONFIRM_STEPS; i++) {
    if (w <= 0) return 0
    if (allowed(w)) return w
    w = floorTo(w - step, step)
  }
  return fallback
}

function floorTo(x: number, resolution: number): number {
  return Math.max(0, Math.floor(x / resolution) * resolution)
}

function withHoldingAmount(inputs: MarginInputs, index: number, amount: number): MarginInputs {
  const collateral = inputs.portfolio.collateral.map((c, i) => (i === index ? { ...c, amount } : c))
  return { ...inputs, portfolio: { ...inputs.portfolio, collateral } }
}
