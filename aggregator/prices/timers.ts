/**
 * The timers a feed schedules its retries on. The default is the process's;
 * tests pass their own to fire a reconnect when they choose and to see that
 * stop() left none behind, without waiting on a clock.
 */

export interface Timers {
  set(callback: () => void, ms: number): unknown
  clear(handle: unknown): void
}

export const systemTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
}
