/** Poll `probe` until `done` holds, or fail naming what was awaited and the last value seen. */
export async function until<T>(
  what: string,
  probe: () => Promise<T>,
  done: (v: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (done(v)) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(v)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
