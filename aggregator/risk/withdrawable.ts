/**
 * Largest withdrawal per collateral holding that keeps equity >= initial
 * margin afterwards, to 1e-6 of the asset, rounded down.
 *
 * A fixed-price asset only lowers equity, so the answer is closed-form. An
 * asset that tracks an underlying also changes the scan risk, possibly not
 * monotonically (it may hedge a short), so we take the conservative reading:
 * the largest w such that every withdrawal up to w keeps equity >= IM. A grid
 * of 32 steps finds the first failing amount and bisection refines it.
 */
import { computeMargin } from './reference.ts'
import type { MarginFigures, MarginInputs, Withdrawable } from './types.ts'

const RESOLUTION = 1e-6
const GRID_STEPS = 32

export function withdrawable(inputs: MarginInputs, figures: MarginFigures): Withdrawable[] {
  return inputs.portfolio.collateral.map((holding, index) => ({
    chain: holding.chain,
    asset: holding.asset,
    amount: maxWithdrawal(inputs, figures, index),
  }))
}

function maxWithdrawal(inputs: MarginInputs, figures: MarginFigures, index: number): number {
  const { amount, asset: name } = inputs.portfolio.collateral[index]!
  const headroom = figures.equity - figures.initialMargin
  if (!(headroom >= 0) || amount === 0) return 0
  const allowed = (w: number): boolean => {
    const f = computeMargin(withHoldingAmount(inputs, index, amount - w))
    return f.equity >= f.initialMargin
  }
  const asset = inputs.market.assets.get(name)!
  if (asset.kind === 'fixed') {
    const perUnit = asset.price * (1 - asset.haircut)
    return confirmed(
      allowed,
      headroom >= amount * perUnit ? amount : floorToResolution(headroom / perUnit),
    )
  }
  let ok = 0
  for (let step = 1; step <= GRID_STEPS; step++) {
    const w = step === GRID_STEPS ? amount : (amount * step) / GRID_STEPS
    if (!allowed(w)) return confirmed(allowed, floorToResolution(bisect(allowed, ok, w)))
    ok = w
  }
  return amount
}

/** The last allowed amount between an allowed and a refused one, to a quarter of the resolution. */
function bisect(allowed: (w: number) => boolean, ok: number, refused: number): number {
  let a = ok
  let b = refused
  while (b - a > RESOLUTION / 4) {
    const mid = (a + b) / 2
    if (allowed(mid)) a = mid
    else b = mid
  }
  return a
}

/**
 * The engine itself has the last word: a closed form or a rounded bisection
 * can be an ulp optimistic, so step down until the withdrawal really passes.
 */
function confirmed(allowed: (w: number) => boolean, candidate: number): number {
  let w = candidate
  while (w > 0 && !allowed(w)) w = floorToResolution(w - RESOLUTION)
  return w
}

function floorToResolution(x: number): number {
  return Math.max(0, Math.floor(x / RESOLUTION) * RESOLUTION)
}

function withHoldingAmount(inputs: MarginInputs, index: number, amount: number): MarginInputs {
  const collateral = inputs.portfolio.collateral.map((c, i) => (i === index ? { ...c, amount } : c))
  return { ...inputs, portfolio: { ...inputs.portfolio, collateral } }
}
