/** The README's examples: in examples.ts verbatim, and working against a real server on 127.0.0.1. */
import { readFileSync } from 'node:fs'
import type { Address, EIP1193Provider, Hex } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AccountWorld, accountWorld, USDC } from '../../test/helpers/account-world.ts'
import { type RunningServer, startServer } from '../api/server.ts'
import { silentLogger } from '../log.ts'
import { followWithSessionKey, readWithWallet, withdrawWithKey } from './examples.ts'
import type { StreamMessage, WithdrawalView } from './index.ts'

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
const examples = readFileSync(new URL('./examples.ts', import.meta.url), 'utf8')

let world: AccountWorld
let server: RunningServer
beforeAll(async () => {
  world = await accountWorld()
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    logger: silentLogger,
    margin: { threads: 1 },
    accounts: world.routes,
  })
})
afterAll(async () => {
  await server?.close()
  await world?.close()
})

describe('README.md', () => {
  const regions = [...examples.matchAll(/\/\/ #region (\S+)\n([\s\S]*?)\/\/ #endregion/g)]
  it.each(regions.map((m) => [m[1]!, m[2]!]))('shows the %s example verbatim', (_, code) => {
    expect(readme).toContain(`\`\`\`ts\n${code}\`\`\``)
  })
})

describe('the examples', () => {
  it('a local key withdraws 2500.5 USDC and waits for it to be paid', async () => {
    const key = generatePrivateKey()
    const { address } = privateKeyToAccount(key)
    await world.deposit('arbitrum', address, USDC, 3_000_000_000n)
    const approved = world.next((e) => e.kind === 'withdrawal_approved' && e.account === address)
    const done = withdrawWithKey(server.url, key)
    const { event } = await approved
    const payoutId = (event as { payoutId: bigint }).payoutId.toString()
    await world.pay('arbitrum', address, USDC, payoutId, 2_500_500_000n)
    expect(((await done) as WithdrawalView).status).toBe('paid')
  })

  it('a local key asking beyond withdrawable learns what can leave', async () => {
    const key = generatePrivateKey()
    await world.deposit('arbitrum', privateKeyToAccount(key).address, USDC, 1_000_250_000n)
    expect(await withdrawWithKey(server.url, key)).toBe('at most 1000.25 USDC can leave now')
  })

  it('a JSON-RPC wallet reads the account', async () => {
    const key = privateKeyToAccount(generatePrivateKey())
    await world.deposit('base', key.address, USDC, 7_000_000n)
    const view = await readWithWallet(server.url, signingProvider(key.address, key), key.address)
    expect(view.collateral.map((l) => [l.chain, l.credited])).toEqual([['base', '7000000']])
  })

  it('a session key follows the account', async () => {
    const owner = generatePrivateKey()
    const { address } = privateKeyToAccount(owner)
    await world.deposit('base', address, USDC, 1_000_000n)
    const snapshot = new Promise<StreamMessage>((resolve) => {
      followWithSessionKey(server.url, owner, resolve).then((close) => snapshot.then(close))
    })
    const m = await snapshot
    expect(m.type === 'snapshot' && m.view.collateral[0]!.credited).toBe('1000000')
  })
})

/** What a browser wallet does with eth_signTypedData_v4, here with a local key. */
function signingProvider(
  address: Address,
  key: ReturnType<typeof privateKeyToAccount>,
): EIP1193Provider {
  return {
    async request({ method, params }: { method: string; params?: unknown }) {
      if (method === 'eth_accounts' || method === 'eth_requestAccounts') return [address]
      if (method !== 'eth_signTypedData_v4') throw new Error(`unexpected ${method}`)
      const { domain, types, primaryType, message } = JSON.parse((params as [Address, string])[1])
      delete types.EIP712Domain
      return key.signTypedData({ domain, types, primaryType, message }) as Promise<Hex>
    },
    on: () => {},
    removeListener: () => {},
  } as unknown as EIP1193Provider
}
