import { describe, expect, it } from 'vitest'
import { Wakeup } from './wakeup.ts'

const elapsed = async (f: () => Promise<void>) => {
  const started = performance.now()
  await f()
  return performance.now() - started
}

describe('Wakeup', () => {
  it('sleeps the full time when nobody nudges', async () => {
    expect(await elapsed(() => new Wakeup().sleep(30))).toBeGreaterThanOrEqual(25)
  })

  it('a nudge during the sleep ends it', async () => {
    const w = new Wakeup()
    setTimeout(() => w.nudge(), 5)
    expect(await elapsed(() => w.sleep(60_000))).toBeLessThan(30_000)
  })

  it('a nudge while awake makes the next sleep return at once, and only that one', async () => {
    const w = new Wakeup()
    w.nudge()
    w.nudge()
    expect(await elapsed(() => w.sleep(60_000))).toBeLessThan(30_000)
    expect(await elapsed(() => w.sleep(30))).toBeGreaterThanOrEqual(25)
  })
})
