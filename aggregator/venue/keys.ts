/**
 * The demo venues' signing keys, and the venue list for a devnet's spokes:
 * one venue per spoke chain, named after it, each with its own key.
 */
import type { Hex } from 'viem'

/**
 * Anvil's published development accounts 5 to 9 (the test mnemonic, "test
 * test ... junk"). Public test keys, never for a real network. Accounts 0 to
 * 4 are taken (aggregator/devnet/chains.ts: the deployer, the traders, the
 * relayer), so a venue never shares a key with another part of the stack.
 */
export const DEMO_VENUE_KEYS = [
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
] as const satisfies readonly Hex[]

export interface DemoVenueSpec {
  /** Its name in URLs and in the service's allow-list: the spoke chain's. */
  readonly name: string
  readonly chain: string
  readonly privateKey: Hex
}

/** One venue per spoke, in the spokes' order, each with the next unused dev key. */
export function demoVenuesFor(spokes: readonly string[]): DemoVenueSpec[] {
  if (spokes.length > DEMO_VENUE_KEYS.length) {
    throw new Error(
      `${spokes.length} spokes but only ${DEMO_VENUE_KEYS.length} demo venue keys (anvil accounts 5 to 9)`,
    )
  }
  return spokes.map((chain, i) => ({ name: chain, chain, privateKey: DEMO_VENUE_KEYS[i]! }))
}
