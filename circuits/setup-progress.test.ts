import { describe, expect, it } from 'vitest'
import { DEFAULT_PHASE_MS, type Phase, SetupProgress } from './setup-progress.ts'

/** A clock the test moves by hand. */
function clock() {
  let t = 0
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

const expected: Record<Phase, number> = {
  compile: 10_000,
  newZKey: 40_000,
  contribute: 20_000,
  beacon: 20_000,
  verify: 10_000,
  export: 0,
}

describe('SetupProgress', () => {
  it.each([
    // [phases entered, ms into the last, percent, etaSeconds]
    [['compile'], 0, 0, 100],
    [['compile'], 5_000, 5, 95],
    [['compile', 'newZKey'], 20_000, 30, 70],
    [['compile', 'newZKey', 'contribute', 'beacon', 'verify'], 9_000, 99, 1],
  ] as const)(
    'after %j and %i ms in it: %i%%, %i s left (on schedule)',
    (phases, ms, percent, eta) => {
      const c = clock()
      const p = new SetupProgress(expected, c.now)
      for (const [i, phase] of phases.entries()) {
        if (i > 0) {
          c.advance(expected[phases[i - 1]!])
          p.enter(phase)
        }
      }
      c.advance(ms)
      expect(p.snapshot()).toMatchObject({ phase: phases.at(-1), percent, etaSeconds: eta })
    },
  )

  it('a phase that overruns stays short of its end, and a slow machine stretches the estimate', () => {
    const c = clock()
    const p = new SetupProgress(expected, c.now)
    c.advance(20_000) // compile took twice as long as expected
    p.enter('newZKey')
    expect(p.snapshot().etaSeconds).toBe(180) // (40 + 20 + 20 + 10) s x 2
    c.advance(500_000)
    const s = p.snapshot()
    expect(s.percent).toBeLessThan(50)
    expect(s.etaSeconds).toBe(100)
  })

  it('records what each phase took, for the next estimate; unknown phases fall back to the defaults', () => {
    const c = clock()
    const p = new SetupProgress({ compile: 1 }, c.now)
    c.advance(3)
    p.enter('newZKey')
    c.advance(4)
    expect(p.finish()).toMatchObject({ compile: 3, newZKey: 4, verify: 0 })
    expect(new SetupProgress(undefined).snapshot().etaSeconds).toBe(
      Math.round(Object.values(DEFAULT_PHASE_MS).reduce((a, b) => a + b) / 1000),
    )
  })

  it('shows the last line snarkjs logged as the step', () => {
    const p = new SetupProgress(expected, clock().now)
    p.log('Writing points end B1: 30000/42244 ')
    expect(p.snapshot().step).toBe('Writing points end B1: 30000/42244')
  })
})
