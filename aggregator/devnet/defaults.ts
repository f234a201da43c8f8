/** Devnet defaults, apart from devnet.ts so that the CLI's help needs no build. */
export const DEFAULT_CHAINS = 3
export const DEFAULT_BASE_PORT = 8545
