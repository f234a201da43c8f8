/** The `--max-*` flags that bound one margin request, shared by `margin` and `serve`. */
import { DEFAULT_INPUT_LIMITS, type InputLimits } from '../risk/limits.ts'
import { wholeNumberFlag } from './command.ts'

const FLAGS = {
  'max-positions': 'maxPositions',
  'max-collateral': 'maxCollateral',
  'max-underlyings': 'maxUnderlyings',
  'max-assets': 'maxAssets',
  'max-spread-credits': 'maxSpreadCredits',
} as const satisfies Record<string, keyof InputLimits>

type LimitFlag = keyof typeof FLAGS

export const LIMIT_FLAG_OPTIONS = Object.fromEntries(
  Object.keys(FLAGS).map((flag) => [flag, { type: 'string' }]),
) as Record<LimitFlag, { type: 'string' }>

export const LIMIT_FLAGS_HELP = `  --max-positions N, --max-collateral N, --max-underlyings N, --max-assets N,
  --max-spread-credits N   the most of each one request may hold (defaults ${DEFAULT_INPUT_LIMITS.maxPositions}, ${DEFAULT_INPUT_LIMITS.maxCollateral},
                           ${DEFAULT_INPUT_LIMITS.maxUnderlyings}, ${DEFAULT_INPUT_LIMITS.maxAssets}, ${DEFAULT_INPUT_LIMITS.maxSpreadCredits}); more is a bad-input error naming the field`

export function readLimitFlags(
  values: Partial<Record<LimitFlag, string | boolean | undefined>>,
): InputLimits {
  const limits: Record<keyof InputLimits, number> = { ...DEFAULT_INPUT_LIMITS }
  for (const [flag, key] of Object.entries(FLAGS) as [LimitFlag, keyof InputLimits][]) {
    limits[key] = wholeNumberFlag(values[flag], flag, DEFAULT_INPUT_LIMITS[key], 1_000_000)
  }
  return limits
}
