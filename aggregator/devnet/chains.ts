/** The local chains a devnet can run: a hub and spokes, each with an EVM and a Wormhole chain id. */

export interface ChainSpec {
  /** Label used in portfolios and the manifest. */
  readonly name: string
  readonly evmChainId: number
  /** Wormhole chain id (the real network's, so VAAs read naturally). */
  readonly wormholeChainId: number
}

/** The first is the hub. EVM chain ids are local ones, distinct from any public network. */
export const DEVNET_CHAINS: readonly ChainSpec[] = [
  { name: 'ethereum', evmChainId: 31_001, wormholeChainId: 2 },
  { name: 'arbitrum', evmChainId: 31_002, wormholeChainId: 23 },
  { name: 'base', evmChainId: 31_003, wormholeChainId: 30 },
  { name: 'optimism', evmChainId: 31_004, wormholeChainId: 24 },
  { name: 'polygon', evmChainId: 31_005, wormholeChainId: 5 },
]

/** Devnet tokens: what a vault allows, with decimals and per-vault caps in whole tokens. */
export const DEVNET_TOKENS = [
  {
    symbol: 'USDC',
    name: 'Devnet USD Coin',
    decimals: 6,
    cap: 1_000_000_000n,
    faucetLimit: 1_000_000n,
  },
  {
    symbol: 'WETH',
    name: 'Devnet Wrapped Ether',
    decimals: 18,
    cap: 1_000_000n,
    faucetLimit: 1_000n,
  },
  { symbol: 'WBTC', name: 'Devnet Wrapped Bitcoin', decimals: 8, cap: 100_000n, faucetLimit: 100n },
] as const

export type TokenSymbol = (typeof DEVNET_TOKENS)[number]['symbol']

/**
 * Anvil's first published development account: deployer, owner and operator
 * on the devnet. A public test key; never use it on a real network.
 */
export const DEVNET_DEPLOYER_KEY =
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'

/** Anvil's published development accounts 1 to 3, funded on every devnet chain: for demos and tests. */
export const DEVNET_TRADER_KEYS = [
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
] as const

/** Anvil's published development account 4: the devnet relayer's delivering wallet. */
export const DEVNET_RELAYER_KEY =
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a'
