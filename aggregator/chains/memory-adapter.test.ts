/** The in-memory chain and its adapter: the conformance suite, and the script's own rules. */
import { describe, expect, it } from 'vitest'
import { type ChainHarness, chainAdapterConformance } from './chain-adapter.conformance.ts'
import { MemoryChainAdapter } from './memory-adapter.ts'
import { MemoryChain } from './memory-chain.ts'

const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
/** Never deposits. */
const PENNILESS = '0x90F79bf6EB2c4f870365E785982E1f101E93b906'
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

function memoryHarness(chain = new MemoryChain('memory')): ChainHarness {
  let ids = 0n
  const moved = (txHash: `0x${string}`) => ({ txHash, account: ACCOUNT, token: TOKEN }) as const
  return {
    adapter: (options) => new MemoryChainAdapter(chain, options),
    head: async () => chain.head,
    deposit: async (amount) => moved(chain.deposit(ACCOUNT, TOKEN, amount).txHash),
    async payout(amount) {
      chain.deposit(ACCOUNT, TOKEN, amount)
      const id = ++ids
      return { ...moved(chain.payout({ id, account: ACCOUNT, token: TOKEN, amount }).txHash), id }
    },
    async refusePayout(amount, reason) {
      const id = ++ids
      const account = reason === 'expired' ? ACCOUNT : PENNILESS
      const refused = chain.refusePayout({ id, account, token: TOKEN, amount, reason })
      return { txHash: refused.txHash, account, token: TOKEN, id }
    },
    mine: async (blocks) => chain.mine(blocks),
    async fork() {
      const at = chain.head
      return async () => chain.rewind(at)
    },
    stop: async () => {},
  }
}

chainAdapterConformance('memory chain', async () => memoryHarness(), { refusals: true })

describe('MemoryChain', () => {
  it('keeps balances and sequences of the canonical chain only, across a rewind', () => {
    const chain = new MemoryChain('m')
    chain.deposit(ACCOUNT, TOKEN, 10n)
    const orphan = chain.deposit(ACCOUNT, TOKEN, 5n)
    chain.rewind(1n)
    const replacement = chain.deposit(ACCOUNT, TOKEN, 7n)
    expect(replacement).toMatchObject({ blockNumber: 2n, balance: 17n, sequence: 1n })
    expect(replacement.txHash).not.toBe(orphan.txHash)
    expect(chain.balanceOf(ACCOUNT, TOKEN)).toBe(17n)
  })

  it.each([
    {
      name: 'a payout over the balance',
      code: 'insufficient_balance',
      run: (c: MemoryChain) => c.payout({ id: 1n, account: ACCOUNT, token: TOKEN, amount: 1n }),
    },
    {
      name: 'a zero deposit',
      code: 'invalid_argument',
      run: (c: MemoryChain) => c.deposit(ACCOUNT, TOKEN, 0n),
    },
    {
      name: 'a rewind above the head',
      code: 'invalid_argument',
      run: (c: MemoryChain) => c.rewind(5n),
    },
  ])('refuses $name ($code)', ({ code, run }) => {
    expect(() => run(new MemoryChain())).toThrow(expect.objectContaining({ code }))
  })

  it('reads a seizure and an expired payout as the vault reports them', async () => {
    const chain = new MemoryChain()
    const a = new MemoryChainAdapter(chain, { confirmations: 0, maxBlockRange: 100 })
    const liquidator = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
    chain.deposit(ACCOUNT, TOKEN, 9n)
    chain.payout({
      id: 4n,
      account: ACCOUNT,
      token: TOKEN,
      amount: 9n,
      recipient: liquidator,
      liquidation: true,
    })
    chain.refusePayout({ id: 5n, account: ACCOUNT, token: TOKEN, amount: 1n, reason: 'expired' })
    const { events } = await a.poll(0n)
    expect(events.map((e) => e.kind)).toEqual(['deposit', 'payout', 'payout_refused'])
    expect(events[1]).toMatchObject({ recipient: liquidator, liquidation: true, amount: 9n })
    expect(events[2]).toMatchObject({ reason: 'expired', id: 5n })
    expect(events.map((e) => e.blockTime)).toEqual([1_767_225_602, 1_767_225_604, 1_767_225_606])
  })

  it('refuses a poll after close', async () => {
    const a = new MemoryChainAdapter(new MemoryChain(), { confirmations: 0, maxBlockRange: 1 })
    await a.close()
    await expect(a.poll(0n)).rejects.toMatchObject({ code: 'closed' })
  })
})
