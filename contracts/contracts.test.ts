/**
 * MarginVault, MarginHub and SolvencyRegistry against real anvil chains and
 * the genuine Wormhole core, with VAAs signed by the devnet guardian key.
 */
import {
  type Address,
  decodeErrorResult,
  type Hex,
  keccak256,
  pad,
  parseEventLogs,
  toHex,
  zeroAddress,
} from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployContract, sendTransaction } from '../aggregator/chain/clients.ts'
import type { TokenSymbol } from '../aggregator/devnet/chains.ts'
import {
  FeeOnTransferToken,
  MarginHub,
  MarginVault,
  SolvencyRegistry,
  TestToken,
} from '../build/contracts/artifacts.ts'
import { signVaa } from '../relayer/devnet-guardian.ts'
import {
  deposit,
  type Fixture,
  forgedVaa,
  fund,
  hubLedger,
  published,
  revertOf,
  signedVaa,
  startFixture,
  trader,
  units,
} from '../test/helpers/devnet-fixture.ts'
import { decodePayload, encodePayload, type XMarginPayload } from './payloads.ts'

let f: Fixture
beforeAll(async () => {
  f = await startFixture(3)
}, 60_000)
afterAll(async () => {
  await f?.stop()
})

const OUTSIDER_KEY = keccak256(toHex('not a guardian')).slice(2)
/** An expiry no test reaches (2100-01-01): these payouts are about something else. */
const FAR = 4_102_444_800n

const vaultBalance = (chain = f.spoke, account: Address, token: Address) =>
  f.clients(chain).public.readContract({
    address: chain.contracts.vault,
    abi: MarginVault.abi,
    functionName: 'balanceOf',
    args: [account, token],
  })
const ledger = (account: Address, chain = f.spoke, symbol: TokenSymbol = 'USDC') =>
  hubLedger(f, account, chain, symbol)
const ingest = (vaa: Hex) =>
  sendTransaction(f.clients(f.hub), {
    address: f.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'ingestCollateralUpdate',
    args: [vaa],
  })
const execute = (vaa: Hex, chain = f.spoke) =>
  sendTransaction(f.clients(chain), {
    address: chain.contracts.vault,
    abi: MarginVault.abi,
    functionName: 'execute',
    args: [vaa],
  })

/** A message as if the hub published it. */
const fromHub = (payload: XMarginPayload | Hex, sequence: bigint, key?: string): Hex =>
  forgedVaa(f.hub, f.hub.contracts.hub!, sequence, payload, key === undefined ? undefined : [key])

async function tokenBalance(token: Address, who: Address, chain = f.spoke): Promise<bigint> {
  const erc20 = [
    {
      type: 'function',
      name: 'balanceOf',
      stateMutability: 'view',
      inputs: [{ name: 'a', type: 'address' }],
      outputs: [{ name: '', type: 'uint256' }],
    },
  ] as const
  return f
    .clients(chain)
    .public.readContract({ address: token, abi: erc20, functionName: 'balanceOf', args: [who] })
}

describe('deposits', () => {
  it('a deposit publishes a collateral update matching it, and the hub ledger shows it once ingested', async () => {
    const t = trader(0)
    const amount = units(f.spoke, 'USDC', '2500')
    const receipt = await deposit(f, f.spoke, t.key, 'USDC', amount)
    const [message] = await published(f, f.spoke, receipt)
    expect(message!.sender.toLowerCase()).toBe(f.spoke.contracts.vault.toLowerCase())
    expect(decodePayload(message!.payload)).toEqual({
      kind: 'collateralUpdate',
      action: 'deposit',
      chain: f.spoke.wormholeChainId,
      account: t.address,
      token: f.spoke.tokens.USDC.address,
      amount,
      balance: amount,
      payoutId: 0n,
    })
    await ingest(signVaa(message!))
    expect(await ledger(t.address)).toBe(amount)
  })

  it('the same VAA twice: the second reverts AlreadyConsumed', async () => {
    const t = trader(1)
    const vaa = await signedVaa(
      f,
      f.spoke,
      await deposit(f, f.spoke, t.key, 'WETH', units(f.spoke, 'WETH', '1')),
    )
    await ingest(vaa)
    expect(await revertOf(ingest(vaa))).toBe('AlreadyConsumed')
  })

  it.each([
    { name: 'a token not on the allow-list', error: 'TokenNotAllowed' },
    { name: 'an amount over the cap', error: 'CapExceeded' },
    { name: 'a zero amount', error: 'ZeroAmount' },
    { name: 'a fee-on-transfer token', error: 'FeeOnTransferToken' },
  ])('rejects $name with $error and moves nothing', async ({ error }) => {
    const t = trader(2)
    const c = f.clients(f.spoke, t.key)
    let token: Address = f.spoke.tokens.WBTC.address
    let amount = units(f.spoke, 'WBTC', '1')
    if (error === 'TokenNotAllowed')
      token = (
        await deployContract(f.clients(f.spoke), TestToken, ['Other', 'OTH', 18, 10n ** 24n])
      ).address
    if (error === 'CapExceeded') amount = units(f.spoke, 'WBTC', '100001')
    if (error === 'ZeroAmount') amount = 0n
    if (error === 'FeeOnTransferToken') {
      const fee = await deployContract(f.clients(f.spoke), FeeOnTransferToken)
      token = fee.address
      await sendTransaction(f.clients(f.spoke), {
        address: token,
        abi: FeeOnTransferToken.abi,
        functionName: 'mint',
        args: [t.address, 10n ** 20n],
      })
      await sendTransaction(c, {
        address: token,
        abi: FeeOnTransferToken.abi,
        functionName: 'approve',
        args: [f.spoke.contracts.vault, 10n ** 20n],
      })
      await sendTransaction(f.clients(f.spoke), {
        address: f.spoke.contracts.vault,
        abi: MarginVault.abi,
        functionName: 'allowToken',
        args: [token, 10n ** 30n],
      })
    } else if (error !== 'TokenNotAllowed') {
      await fund(f, f.spoke, t.key, 'WBTC', units(f.spoke, 'WBTC', '100'))
    }
    const before = await vaultBalance(f.spoke, t.address, token)
    const call = sendTransaction(c, {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'deposit',
      args: [token, amount],
    })
    expect(await revertOf(call)).toBe(error)
    expect(await vaultBalance(f.spoke, t.address, token)).toBe(before)
  })

  it('a deposit with a message fee other than the core fee reverts WrongMessageFee', async () => {
    const t = trader(2)
    await fund(f, f.spoke, t.key, 'USDC', 1_000_000n)
    const call = sendTransaction(f.clients(f.spoke, t.key), {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'deposit',
      args: [f.spoke.tokens.USDC.address, 1_000_000n],
      value: 1n,
    })
    expect(await revertOf(call)).toBe('WrongMessageFee')
  })
})

describe('VAAs the contracts must refuse', () => {
  const t = trader(0)
  const approval = (
    overrides: Partial<Extract<XMarginPayload, { kind: 'withdrawalApproval' }>> = {},
  ): XMarginPayload => ({
    kind: 'withdrawalApproval',
    targetChain: f.spoke.wormholeChainId,
    vault: f.spoke.contracts.vault,
    id: 900n,
    account: t.address,
    token: f.spoke.tokens.USDC.address,
    amount: 1n,
    expiry: FAR,
    ...overrides,
  })

  it.each([
    {
      name: 'from an unregistered emitter',
      error: 'UnknownEmitter',
      vaa: () => forgedVaa(f.hub, t.address, 1n, approval()),
    },
    {
      name: 'signed by a key outside the guardian set',
      error: 'InvalidVaa',
      vaa: () => fromHub(approval(), 2n, OUTSIDER_KEY),
    },
    {
      name: 'for another chain',
      error: 'WrongTarget',
      vaa: () => fromHub(approval({ targetChain: f.hub.wormholeChainId }), 3n),
    },
    {
      name: 'for another vault',
      error: 'WrongTarget',
      vaa: () => fromHub(approval({ vault: f.hub.contracts.vault }), 4n),
    },
    {
      name: 'with a payload tampered after signing',
      error: 'InvalidVaa',
      vaa: () => {
        const vaa = fromHub(approval(), 5n)
        return `${vaa.slice(0, -2)}${vaa.endsWith('00') ? '01' : '00'}` as Hex
      },
    },
    {
      name: 'with a validly signed but malformed payload',
      error: 'MalformedPayload',
      vaa: () => fromHub(`${encodePayload(approval())}00`, 6n),
    },
  ])('a vault refuses a VAA $name ($error) and pays nothing', async ({ error, vaa }) => {
    const token = f.spoke.tokens.USDC.address
    const [held, wallet] = await Promise.all([
      vaultBalance(f.spoke, t.address, token),
      tokenBalance(token, t.address),
    ])
    expect(await revertOf(execute(vaa()))).toBe(error)
    expect([
      await vaultBalance(f.spoke, t.address, token),
      await tokenBalance(token, t.address),
    ]).toEqual([held, wallet])
  })

  it('the hub refuses a collateral update from an emitter it did not register', async () => {
    const rogue = forgedVaa(f.spoke, t.address, 0n, {
      kind: 'collateralUpdate',
      action: 'deposit',
      chain: f.spoke.wormholeChainId,
      account: t.address,
      token: f.spoke.tokens.USDC.address,
      amount: 10n ** 12n,
      balance: 10n ** 12n,
      payoutId: 0n,
    })
    const before = await ledger(t.address)
    expect(await revertOf(ingest(rogue))).toBe('UnknownEmitter')
    expect(await ledger(t.address)).toBe(before)
  })
})

describe('payouts', () => {
  it('a withdrawal approval from the hub pays the account exactly once', async () => {
    const t = trader(1)
    const token = f.spoke.tokens.USDC.address
    const amount = units(f.spoke, 'USDC', '300')
    await ingest(await signedVaa(f, f.spoke, await deposit(f, f.spoke, t.key, 'USDC', amount)))
    const approve = await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'approveWithdrawal',
      args: [f.spoke.wormholeChainId, t.address, token, amount / 3n],
    })
    const vaa = await signedVaa(f, f.hub, approve)
    const [approval] = await published(f, f.hub, approve)
    const { id } = decodePayload(approval!.payload) as { id: bigint }
    const wallet = await tokenBalance(token, t.address)
    const paid = await execute(vaa)
    expect(await tokenBalance(token, t.address)).toBe(wallet + amount / 3n)
    expect(await vaultBalance(f.spoke, t.address, token)).toBe(amount - amount / 3n)
    expect(await revertOf(execute(vaa))).toBe('AlreadyConsumed')
    // The payout reports the new balance back to the hub.
    const [report] = await published(f, f.spoke, paid)
    expect(decodePayload(report!.payload)).toMatchObject({
      action: 'withdrawal',
      balance: amount - amount / 3n,
      payoutId: id,
    })
  })

  it('a liquidation pays the recipient it names', async () => {
    const t = trader(2)
    const liquidator = trader(0).address
    const token = f.spoke.tokens.WETH.address
    const amount = units(f.spoke, 'WETH', '2')
    await deposit(f, f.spoke, t.key, 'WETH', amount)
    const before = await tokenBalance(token, liquidator)
    await execute(
      fromHub(
        {
          kind: 'liquidation',
          targetChain: f.spoke.wormholeChainId,
          vault: f.spoke.contracts.vault,
          id: 77n,
          account: t.address,
          token,
          amount,
          expiry: FAR,
          recipient: liquidator,
          epoch: 3n,
        },
        100n,
      ),
    )
    expect(await tokenBalance(token, liquidator)).toBe(before + amount)
    expect(await vaultBalance(f.spoke, t.address, token)).toBe(0n)
  })
})

describe('pause', () => {
  it('stops deposits and new approvals, never payouts already approved', async () => {
    const t = trader(0)
    const owner = f.clients(f.spoke)
    const token = f.spoke.tokens.USDC.address
    await ingest(await signedVaa(f, f.spoke, await deposit(f, f.spoke, t.key, 'USDC', 5_000_000n)))
    const approvedBefore = await signedVaa(
      f,
      f.hub,
      await sendTransaction(f.clients(f.hub), {
        address: f.hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'approveWithdrawal',
        args: [f.spoke.wormholeChainId, t.address, token, 1_000_000n],
      }),
    )
    await sendTransaction(owner, {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'pause',
      args: [],
    })
    await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'pause',
      args: [],
    })
    try {
      await fund(f, f.spoke, t.key, 'USDC', 1_000_000n)
      const depositCall = sendTransaction(f.clients(f.spoke, t.key), {
        address: f.spoke.contracts.vault,
        abi: MarginVault.abi,
        functionName: 'deposit',
        args: [token, 1_000_000n],
      })
      expect(await revertOf(depositCall)).toBe('EnforcedPause')
      const approveCall = sendTransaction(f.clients(f.hub), {
        address: f.hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'approveWithdrawal',
        args: [f.spoke.wormholeChainId, t.address, token, 1n],
      })
      expect(await revertOf(approveCall)).toBe('EnforcedPause')
      const wallet = await tokenBalance(token, t.address)
      await execute(approvedBefore)
      expect(await tokenBalance(token, t.address)).toBe(wallet + 1_000_000n)
    } finally {
      await sendTransaction(owner, {
        address: f.spoke.contracts.vault,
        abi: MarginVault.abi,
        functionName: 'unpause',
        args: [],
      })
      await sendTransaction(f.clients(f.hub), {
        address: f.hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'unpause',
        args: [],
      })
    }
  })

  it('only the owner pauses', async () => {
    const call = sendTransaction(f.clients(f.spoke, trader(0).key), {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'pause',
      args: [],
    })
    expect(await revertOf(call)).toBe('OwnableUnauthorizedAccount')
  })
})

describe('epoch roots', () => {
  it('the hub publishes strictly increasing epochs, and every registry keeps the roots', async () => {
    const stateRoot = keccak256(toHex('state 1'))
    const marketRoot = keccak256(toHex('market 1'))
    const post = (epoch: bigint) =>
      sendTransaction(f.clients(f.hub), {
        address: f.hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'postEpoch',
        args: [epoch, stateRoot, marketRoot],
      })
    const vaa = await signedVaa(f, f.hub, await post(1n))
    expect(await revertOf(post(1n))).toBe('EpochNotIncreasing')
    for (const chain of f.manifest.chains) {
      await sendTransaction(f.clients(chain), {
        address: chain.contracts.registry,
        abi: SolvencyRegistry.abi,
        functionName: 'receiveEpochRoot',
        args: [vaa],
      })
      const roots = await f.clients(chain).public.readContract({
        address: chain.contracts.registry,
        abi: SolvencyRegistry.abi,
        functionName: 'roots',
        args: [1n],
      })
      expect(roots.slice(0, 2)).toEqual([stateRoot, marketRoot])
    }
  })

  it('a registry refuses roots from anyone but the hub emitter', async () => {
    const forged = forgedVaa(f.hub, f.hub.contracts.vault, 0n, {
      kind: 'epochRoot',
      epoch: 99n,
      stateRoot: pad('0x01'),
      marketRoot: pad('0x02'),
      postedAt: 1n,
    })
    const call = sendTransaction(f.clients(f.spoke), {
      address: f.spoke.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'receiveEpochRoot',
      args: [forged],
    })
    expect(await revertOf(call)).toBe('UnknownEmitter')
  })

  it('only the operator posts epochs', async () => {
    const call = sendTransaction(f.clients(f.hub, trader(0).key), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'postEpoch',
      args: [50n, pad('0x01'), pad('0x02')],
    })
    expect(await revertOf(call)).toBe('NotOperator')
  })
})

describe('the hub ledger', () => {
  it('an older collateral update delivered after a newer one does not overwrite it', async () => {
    const t = trader(1)
    const first = await signedVaa(f, f.spoke, await deposit(f, f.spoke, t.key, 'WBTC', 100n))
    const second = await signedVaa(f, f.spoke, await deposit(f, f.spoke, t.key, 'WBTC', 50n))
    await ingest(second)
    await ingest(first)
    expect(await ledger(t.address, f.spoke, 'WBTC')).toBe(150n)
  })

  it('a batch of updates applies each one, skipping (not reverting on) consumed and forged ones', async () => {
    const t = trader(2)
    const a = await signedVaa(f, f.spoke, await deposit(f, f.spoke, t.key, 'WETH', 10n))
    const b = await signedVaa(f, f.spoke, await deposit(f, f.spoke, t.key, 'WETH', 5n))
    await ingest(a)
    const forged = forgedVaa(f.spoke, trader(0).address, 99n, '0x0101')
    const receipt = await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'ingestCollateralUpdates',
      args: [[a, forged, b]],
    })
    const skipped = parseEventLogs({
      abi: MarginHub.abi,
      logs: receipt.logs,
      eventName: 'CollateralUpdateSkipped',
    })
    expect(
      skipped.map((e) => [
        e.args.index,
        decodeErrorResult({ abi: MarginHub.abi, data: e.args.reason }).errorName,
      ]),
    ).toEqual([
      [0n, 'AlreadyConsumed'],
      [1n, 'UnknownEmitter'],
    ])
    expect(await ledger(t.address, f.spoke, 'WETH')).toBe(15n)
  })

  it('ownership moves in two steps', async () => {
    const next = trader(0)
    const owner = f.clients(f.hub)
    await sendTransaction(owner, {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'transferOwnership',
      args: [next.address],
    })
    const read = () =>
      f.clients(f.hub).public.readContract({
        address: f.hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'owner',
      })
    expect(await read()).toBe(owner.wallet.account.address)
    await sendTransaction(f.clients(f.hub, next.key), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'acceptOwnership',
      args: [],
    })
    expect(await read()).toBe(next.address)
    await sendTransaction(f.clients(f.hub, next.key), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'transferOwnership',
      args: [owner.wallet.account.address],
    })
    await sendTransaction(owner, {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'acceptOwnership',
      args: [],
    })
    expect(zeroAddress).not.toBe(await read())
  })
})
