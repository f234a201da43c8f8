/**
 * The examples of README.md beside this file, as code: each region between
 * `#region` and `#endregion` appears in the README verbatim, and
 * examples.test.ts type-checks and runs them against a real server.
 */
import { type Address, createWalletClient, custom, type EIP1193Provider, type Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  ApiError,
  createXmarginClient,
  formatAmount,
  type StreamMessage,
  type WithdrawalView,
} from './index.ts'

// #region local-key
/** Withdraw 2,500.5 USDC from the vault on Arbitrum, signed with a private key, and wait for it. */
export async function withdrawWithKey(api: string, key: Hex): Promise<WithdrawalView | string> {
  const client = createXmarginClient({ api, account: privateKeyToAccount(key) })

  const view = await client.account()
  const usdc = view.collateral.find((l) => l.chain === 'arbitrum' && l.asset === 'USDC')
  if (!usdc) return 'no USDC on arbitrum'

  try {
    const requested = await client.withdraw({ chain: 'arbitrum', token: 'USDC', amount: '2500.5' })
    // Resolves once paid, failed, expired or rejected.
    return await client.waitForWithdrawal(requested.id, { timeoutMs: 15 * 60_000 })
  } catch (err) {
    if (err instanceof ApiError && err.code === 'exceeds_withdrawable') {
      return `at most ${formatAmount(err.allowed ?? 0n, usdc.decimals)} USDC can leave now`
    }
    throw err
  }
}
// #endregion

// #region json-rpc-wallet
/** The same client over a JSON-RPC wallet (a browser extension's window.ethereum, say). */
export async function readWithWallet(api: string, provider: EIP1193Provider, address: Address) {
  const wallet = createWalletClient({ account: address, transport: custom(provider) })
  // The wallet is asked for eth_signTypedData_v4 once per signed request.
  const client = createXmarginClient({ api, account: wallet })
  return client.account()
}
// #endregion

// #region session-key
/**
 * A dashboard's session key: the wallet signs one Delegate, then a key kept
 * in the page reads and follows the account without asking the wallet again.
 */
export async function followWithSessionKey(
  api: string,
  owner: Hex,
  onMessage: (m: StreamMessage) => void,
): Promise<() => void> {
  const account = privateKeyToAccount(owner)
  const session = privateKeyToAccount(generatePrivateKey())
  await createXmarginClient({ api, account }).delegate({
    key: session.address,
    read: true,
    keyExpiry: Math.floor(Date.now() / 1000) + 8 * 3600,
  })

  const client = createXmarginClient({ api, account: session, address: account.address })
  // A snapshot first, then every event; a dropped connection resumes where it left off.
  const stream = client.stream(onMessage)
  return stream.close
}
// #endregion
