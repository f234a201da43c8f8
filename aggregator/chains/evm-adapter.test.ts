/**
 * The EVM adapter against a real devnet (anvil, the genuine Wormhole core,
 * the xmargin contracts): the conformance suite on the spoke's vault, with
 * payouts approved on the hub and executed on the spoke as in production,
 * and reorgs made by evm_snapshot / evm_revert.
 */
import { type Hex, toHex } from 'viem'
import { afterAll, describe, expect, it } from 'vitest'
import { sendTransaction } from '../../aggregator/chain/clients.ts'
import { MarginHub, MarginVault } from '../../build/contracts/artifacts.ts'
import { decodePayload, encodePayload } from '../../contracts/payloads.ts'
import {
  deposit,
  type Fixture,
  forgedVaa,
  published,
  signedVaa,
  startFixture,
  trader,
} from '../../test/helpers/devnet-fixture.ts'
import type { ChainManifest } from '../devnet/manifest.ts'
import { type ChainHarness, chainAdapterConformance } from './chain-adapter.conformance.ts'
import { EvmChainAdapter } from './evm-adapter.ts'

const REFUSALS = (MarginVault.abi as readonly { type: string; name?: string }[]).some(
  (x) => x.type === 'event' && x.name === 'PayoutRefused',
)

function devnetHarness(f: Fixture): ChainHarness {
  const chain = f.spoke
  const t = trader(0)
  const token = chain.tokens.USDC.address
  const rpc = f.clients(chain).public
  const moved = (txHash: Hex) => ({ txHash, account: t.address, token })
  const execute = (vaa: Hex) =>
    sendTransaction(f.clients(chain), {
      address: chain.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'execute',
      args: [vaa],
    })
  /** A real approval from the hub for `amount`, after the deposit behind it reached the hub's ledger. */
  async function approval(amount: bigint) {
    const deposited = await deposit(f, chain, t.key, 'USDC', amount)
    await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'ingestCollateralUpdate',
      args: [await signedVaa(f, chain, deposited)],
    })
    const approved = await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'approveWithdrawal',
      args: [chain.wormholeChainId, t.address, token, amount],
    })
    const [message] = await published(f, f.hub, approved)
    return { vaa: await signedVaa(f, f.hub, approved), payload: decodePayload(message!.payload) }
  }
  let forged = 0n
  return {
    adapter: (options) => new EvmChainAdapter(chain, options),
    head: () => rpc.getBlockNumber({ cacheTime: 0 }),
    deposit: async (amount) =>
      moved((await deposit(f, chain, t.key, 'USDC', amount)).transactionHash),
    async payout(amount) {
      const { vaa, payload } = await approval(amount)
      if (payload.kind !== 'withdrawalApproval')
        throw new Error(`the hub published ${payload.kind}`)
      return { ...moved((await execute(vaa)).transactionHash), id: payload.id }
    },
    async refusePayout(amount, reason) {
      const { vaa, payload } = await approval(reason === 'expired' ? amount : 1n)
      if (payload.kind !== 'withdrawalApproval')
        throw new Error(`the hub published ${payload.kind}`)
      if (reason === 'expired') {
        // the real approval, executed in the first block past its expiry
        const { expiry } = payload as { expiry?: bigint }
        if (expiry === undefined) throw new Error('this payload version has no expiry')
        // the hub's clock moves too, or its later approvals would be expired on arrival
        const hub = f.clients(f.hub).public
        for (const c of [rpc, hub]) {
          await c.request({
            method: 'evm_setNextBlockTimestamp' as never,
            params: [toHex(expiry + 1n)] as never,
          })
        }
        await hub.request({ method: 'anvil_mine' as never, params: ['0x1'] as never })
        return { ...moved((await execute(vaa)).transactionHash), id: payload.id }
      }
      // The hub never approves more than its ledger holds (E2): a refusal for lack of balance is
      // a real approval (whatever fields its version has) re-signed for an account holding nothing.
      const id = (1n << 60n) + ++forged
      const account = trader(2).address
      const refused = forgedVaa(
        f.hub,
        f.hub.contracts.hub!,
        (1n << 40n) + forged,
        encodePayload({ ...payload, id, account, token, amount }),
      )
      return { txHash: (await execute(refused)).transactionHash, account, token, id }
    },
    mine: async (blocks) => {
      if (blocks > 0)
        await rpc.request({ method: 'anvil_mine' as never, params: [toHex(blocks)] as never })
    },
    async fork() {
      const snapshot = (await rpc.request({ method: 'evm_snapshot' as never })) as Hex
      return async () => {
        const ok = await rpc.request({ method: 'evm_revert' as never, params: [snapshot] as never })
        if (ok !== true) throw new Error(`evm_revert to ${snapshot} failed`)
      }
    },
    // the file's afterAll stops the devnet
    stop: async () => {},
  }
}

/** One devnet for the file, stopped after every suite in it. */
let fixture: Promise<Fixture> | undefined
const devnet = () => {
  fixture ??= startFixture(2)
  return fixture
}
afterAll(async () => {
  await (await fixture)?.stop()
})

chainAdapterConformance(
  'EVM adapter on a devnet spoke',
  async () => devnetHarness(await devnet()),
  {
    refusals: REFUSALS,
  },
)

describe('EvmChainAdapter', () => {
  it('refuses to read a node that serves another chain than the manifest names', async () => {
    const f = await devnet()
    const wrong = { ...f.spoke, evmChainId: f.spoke.evmChainId + 1 }
    const a = new EvmChainAdapter(wrong, { confirmations: 0, maxBlockRange: 10 })
    await expect(a.poll(0n)).rejects.toMatchObject({ code: 'wrong_chain' })
  })

  const chain = {
    name: 'nowhere',
    evmChainId: 31_337,
    rpcUrl: 'http://127.0.0.1:9',
    contracts: { vault: '0x0000000000000000000000000000000000000001' },
  } as unknown as ChainManifest

  it.each([
    { confirmations: -1, maxBlockRange: 10 },
    { confirmations: 1.5, maxBlockRange: 10 },
    { confirmations: 1, maxBlockRange: 0 },
  ])('refuses options $confirmations confirmations, maxBlockRange $maxBlockRange', (options) => {
    expect(() => new EvmChainAdapter(chain, options)).toThrow(
      expect.objectContaining({ code: 'invalid_argument' }),
    )
  })
})
