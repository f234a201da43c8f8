/**
 * A sleep that a nudge ends early: how new work wakes an idle loop at once
 * instead of at its next poll. A nudge while the loop is busy is kept, so the
 * next sleep returns at once and no work is missed between passes.
 */
export class Wakeup {
  #wake: (() => void) | undefined
  #pending = false

  nudge(): void {
    if (this.#wake) this.#wake()
    else this.#pending = true
  }

  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        this.#wake = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      this.#wake = done
    })
  }
}
