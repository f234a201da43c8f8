/**
 * The local feed's randomness: a small seeded generator (mulberry32: 32
 * bits of state, fast, good enough for a demo price path, not for secrets)
 * and a standard normal sampler on top of it. Seeded per underlying, so
 * adding an underlying does not change another's path.
 */

/** Uniform draws in [0, 1) from a 32-bit seed. */
export type Uniform = () => number

export function mulberry32(seed: number): Uniform {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/** A standard normal draw (Box-Muller), two uniforms per draw so the stream stays in step. */
export function normal(uniform: Uniform): number {
  // 1 - u is in (0, 1]: the log never sees 0.
  const radius = Math.sqrt(-2 * Math.log(1 - uniform()))
  return radius * Math.cos(2 * Math.PI * uniform())
}

/** The seed of one underlying's generator: the feed's seed mixed with the name (FNV-1a). */
export function seedFor(seed: number, name: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193)
  }
  return (hash ^ seed) >>> 0
}
