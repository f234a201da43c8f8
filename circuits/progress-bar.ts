/**
 * The circuit setup's progress on a terminal: one line redrawn in place on a
 * TTY (`[#####-----] 42% phase-2 contribution, about 3 min left`), plain
 * lines at most every 10 s otherwise (logs, CI), and the final state once.
 * Nothing at all when the build was already in place.
 */
import { type CircuitStatus, describeStatus, formatEta } from './setup-status.ts'

const WIDTH = 24

export function renderBar(s: Extract<CircuitStatus, { state: 'setting_up' }>): string {
  const filled = Math.round((s.percent / 100) * WIDTH)
  const eta = s.etaSeconds === null ? '' : `, ${formatEta(s.etaSeconds)} left`
  return `circuit setup [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(s.percent).padStart(2)}% ${s.phase}${eta}`
}

export function progressBar(
  stream: NodeJS.WriteStream = process.stderr,
  plainEveryMs = 10_000,
): (s: CircuitStatus) => void {
  let lastPlain = 0
  let drawn = false
  let seen = false
  return (s) => {
    if (s.state !== 'setting_up') {
      // nothing to close if nothing was under way (an up-to-date check)
      if (!seen && s.state === 'ready') return
      const end = `circuit setup ${s.state === 'ready' ? 'done: proofs are on' : describeStatus(s)}`
      stream.write(stream.isTTY && drawn ? `\r\x1b[2K${end}\n` : `${end}\n`)
      drawn = false
      seen = false
      return
    }
    seen = true
    if (stream.isTTY) {
      stream.write(`\r\x1b[2K${renderBar(s)}`)
      drawn = true
    } else if (Date.now() - lastPlain >= plainEveryMs) {
      lastPlain = Date.now()
      stream.write(`${renderBar(s)}\n`)
    }
  }
}
