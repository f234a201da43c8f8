/**
 * The accounts service over scripted chains and a scripted hub, on both store
 * backends: one account fed by two chains, exactly-once credits across a
 * restart, withdrawals refused beyond withdrawable (with the allowed amount),
 * paid once, and a refused payout releasing its reservation.
 */
import { type Address, pad } from 'viem'
import { afterEach, describe, expect, it } from 'vitest'
import type { Database } from '../../relayer/store/database.ts'
import { CHAINS, manifest, USDC, WETH } from '../../test/helpers/account-world.ts'
import { BACKENDS } from '../../test/helpers/databases.ts'
import { MemoryChainAdapter } from '../chains/memory-adapter.ts'
import { MemoryChain } from '../chains/memory-chain.ts'
import { silentLogger } from '../log.ts'
import { Directory } from './directory.ts'
import { AccountService, WithdrawalRefused } from './index.ts'
import { fixedMarket } from './market-source.ts'
import { MemoryHub } from './memory-hub.ts'

const TRADER = pad('0x7e', { size: 20 }) as Address

interface World {
  db: Database
  chains: MemoryChain[]
  hub: MemoryHub
  open(): Promise<AccountService>
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`never: ${what}`)
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe.each(BACKENDS)('AccountService on %s', (_, openDb) => {
  async function world(): Promise<World> {
    const { db, cleanup } = await openDb()
    cleanups.push(cleanup)
    const chains = CHAINS.map((c) => new MemoryChain(c.name))
    const hub = new MemoryHub()
    return {
      db,
      chains,
      hub,
      open: async () => {
        const service = await AccountService.open({
          db,
          directory: new Directory(manifest),
          adapters: chains.map(
            (m) => new MemoryChainAdapter(m, { confirmations: 1, maxBlockRange: 5 }),
          ),
          hub,
          market: fixedMarket(),
          logger: silentLogger,
          pollMs: 5,
          snapshotEvery: 3,
        })
        service.start()
        cleanups.push(() => service.stop())
        return service
      },
    }
  }

  it('deposits on two chains make one account holding both, each credited once across a restart', async () => {
    const w = await world()
    const first = await w.open()
    w.chains[0]!.deposit(TRADER, USDC, 2_500_000_000n)
    w.chains[1]!.deposit(TRADER, WETH, 10n ** 18n)
    for (const c of w.chains) c.mine(1)
    await until(() => first.state(TRADER)?.holdings.size === 2, 'both credited')
    await first.stop()
    for (let i = 0; i < 5; i++) w.chains[0]!.deposit(TRADER, USDC, 1_000_000n)
    w.chains[0]!.mine(1)
    const second = await w.open()
    await until(
      async () =>
        (await second.view(TRADER)).collateral.length === 2 &&
        second.state(TRADER)!.holdings.get(`arbitrum:${USDC.toLowerCase()}`)!.credited ===
          2_505_000_000n,
      'backfilled',
    )
    const view = await second.view(TRADER)
    expect(view.collateral.map((l) => [l.chain, l.asset, l.credited])).toEqual([
      ['arbitrum', 'USDC', '2505000000'],
      ['base', 'WETH', '1000000000000000000'],
    ])
    expect(view.margin.status).toBe('healthy')
    expect(view.margin.equity).toBeCloseTo(2505 + 3000 * 0.95, 6)
  })

  it('refuses a withdrawal beyond withdrawable with the allowed amount; pays one within it once', async () => {
    const w = await world()
    const s = await w.open()
    w.chains[0]!.deposit(TRADER, USDC, 100_000_000n)
    w.chains[0]!.mine(1)
    w.hub.setBalance(TRADER, 23, USDC, 100_000_000n)
    await until(() => s.state(TRADER)?.holdings.size === 1, 'credited')
    const ask = (amount: bigint) =>
      s.withdraw({ account: TRADER, chain: 23, token: USDC, amount, nonce: 1n, expiry: 0n })
    const refused = await ask(100_000_001n).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(WithdrawalRefused)
    expect((refused as WithdrawalRefused).allowed).toBe(100_000_000n)
    const approved = await ask(60_000_000n)
    expect(approved.status).toBe('approved')
    // The reservation holds the rest back until the payout settles.
    expect(((await ask(40_000_001n).catch((e: unknown) => e)) as WithdrawalRefused).allowed).toBe(
      40_000_000n,
    )
    w.chains[0]!.payout({
      id: BigInt(approved.payoutId!),
      account: TRADER,
      token: USDC,
      amount: 60_000_000n,
    })
    w.chains[0]!.mine(1)
    await until(() => s.state(TRADER)!.withdrawals.get(approved.id)!.status === 'paid', 'paid')
    expect((await s.view(TRADER)).collateral[0]!.credited).toBe('40000000')
  })

  it('a reorg shallower than the confirmation depth never credits the orphaned deposit', async () => {
    const w = await world()
    const s = await w.open()
    const chain = w.chains[0]!
    const fork = chain.head
    chain.deposit(TRADER, USDC, 7n) // orphaned below
    await new Promise((r) => setTimeout(r, 50))
    expect(s.state(TRADER)).toBeUndefined() // one block deep: not final at depth 1
    chain.rewind(fork)
    chain.deposit(TRADER, USDC, 11n) // the replacing branch
    chain.mine(2)
    await until(() => s.state(TRADER)?.holdings.size === 1, 'the replacement credited')
    await new Promise((r) => setTimeout(r, 50))
    expect(s.state(TRADER)!.holdings.get(`arbitrum:${USDC.toLowerCase()}`)!.credited).toBe(11n)
  })

  it('a payout the vault refuses releases its reservation', async () => {
    const w = await world()
    const s = await w.open()
    w.chains[1]!.deposit(TRADER, USDC, 50_000_000n)
    w.chains[1]!.mine(1)
    w.hub.setBalance(TRADER, 30, USDC, 50_000_000n)
    await until(() => s.state(TRADER)?.holdings.size === 1, 'credited')
    const approved = await s.withdraw({
      account: TRADER,
      chain: 30,
      token: USDC,
      amount: 50_000_000n,
      nonce: 1n,
      expiry: 0n,
    })
    expect((await s.view(TRADER)).collateral[0]!.withdrawable).toBe('0')
    w.chains[1]!.refusePayout({
      id: BigInt(approved.payoutId!),
      account: TRADER,
      token: USDC,
      amount: 50_000_000n,
      reason: 'expired',
    })
    w.chains[1]!.mine(1)
    await until(
      () => s.state(TRADER)!.withdrawals.get(approved.id)!.status === 'expired',
      'expired',
    )
    expect((await s.view(TRADER)).collateral[0]!.withdrawable).toBe('50000000')
  })
})
