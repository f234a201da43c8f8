/**
 * Payouts end to end, on anvil with the genuine Wormhole core: the hub
 * reserves every payout on the ledger entry it is paid from (E2) and stamps
 * its expiry (E3); the vault pays it, or refuses it past its expiry or beyond
 * the account's balance, consumes it either way and reports the outcome; the
 * report settles the payout at the hub and releases its reservation. Last, a
 * fast-check sequence of deposits, approvals, executions and reports, checked
 * against a model and the two invariants after every step.
 */
import fc from 'fast-check'
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  type Hex,
  keccak256,
  maxUint256,
  parseEventLogs,
  type TransactionReceipt,
  toHex,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sendTransaction } from '../aggregator/chain/clients.ts'
import type { TokenSymbol } from '../aggregator/devnet/chains.ts'
import { MarginHub, MarginVault, TestToken } from '../build/contracts/artifacts.ts'
import {
  advanceTime,
  deposit,
  type Fixture,
  forgedVaa,
  hubLedger,
  hubPayout,
  hubReserved,
  published,
  revertOf,
  signedVaa,
  snapshotChains,
  startFixture,
  trader,
} from '../test/helpers/devnet-fixture.ts'
import {
  type CollateralUpdate,
  decodePayload,
  type Liquidation,
  type WithdrawalApproval,
} from './payloads.ts'

/** IMarginHub.PayoutStatus */
const STATUS = { none: 0, outstanding: 1, paid: 2, expired: 3, refused: 4 } as const
/** IMarginVault's PayoutRefused reasons */
const REASON = { expired: 1, insufficientBalance: 2 } as const

let f: Fixture
let lifetime: number
beforeAll(async () => {
  f = await startFixture(2, { verifier: 'later' })
  lifetime = await f.clients(f.hub).public.readContract({
    address: f.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'payoutLifetime',
  })
}, 60_000)
afterAll(async () => {
  await f?.stop()
})

// Anyone may carry VAAs: a stranger executes and delivers here, never the operator.
const stranger = trader(2)
const hubAddress = () => f.hub.contracts.hub!
const token = (symbol: TokenSymbol) => f.spoke.tokens[symbol].address

const approve = (account: Address, symbol: TokenSymbol, amount: bigint, key?: Hex) =>
  sendTransaction(f.clients(f.hub, key), {
    address: hubAddress(),
    abi: MarginHub.abi,
    functionName: 'approveWithdrawal',
    args: [f.spoke.wormholeChainId, account, token(symbol), amount],
  })
const execute = (vaa: Hex) =>
  sendTransaction(f.clients(f.spoke, stranger.key), {
    address: f.spoke.contracts.vault,
    abi: MarginVault.abi,
    functionName: 'execute',
    args: [vaa],
  })
const ingest = (vaa: Hex) =>
  sendTransaction(f.clients(f.hub, stranger.key), {
    address: hubAddress(),
    abi: MarginHub.abi,
    functionName: 'ingestCollateralUpdate',
    args: [vaa],
  })
const vaultBalance = (account: Address, symbol: TokenSymbol) =>
  f.clients(f.spoke).public.readContract({
    address: f.spoke.contracts.vault,
    abi: MarginVault.abi,
    functionName: 'balanceOf',
    args: [account, token(symbol)],
  })
const walletBalance = (account: Address, symbol: TokenSymbol) =>
  f.clients(f.spoke).public.readContract({
    address: token(symbol),
    abi: TestToken.abi,
    functionName: 'balanceOf',
    args: [account],
  })
const blockTime = async (receipt: TransactionReceipt, chain = f.spoke) =>
  (await f.clients(chain).public.getBlock({ blockNumber: receipt.blockNumber })).timestamp

/** The one payload a transaction published. */
async function payloadOf<T>(chain = f.spoke, receipt: TransactionReceipt): Promise<T> {
  const messages = await published(f, chain, receipt)
  expect(messages).toHaveLength(1)
  return decodePayload(messages[0]!.payload) as T
}

/** A deposit that the hub's ledger has taken. */
async function credited(account: { key: Hex }, symbol: TokenSymbol, amount: bigint) {
  await ingest(await signedVaa(f, f.spoke, await deposit(f, f.spoke, account.key, symbol, amount)))
}

/** An approval as the relayer sees it: its VAA and payload. */
async function approved(account: Address, symbol: TokenSymbol, amount: bigint) {
  const receipt = await approve(account, symbol, amount)
  return {
    receipt,
    vaa: await signedVaa(f, f.hub, receipt),
    payload: await payloadOf<WithdrawalApproval>(f.hub, receipt),
  }
}

/** What the vault's execute emitted and reported. */
async function outcome(receipt: TransactionReceipt) {
  const logs = parseEventLogs({ abi: MarginVault.abi, logs: receipt.logs })
  return {
    paid: logs.filter((l) => l.eventName === 'PaidOut').map((l) => l.args),
    refused: logs.filter((l) => l.eventName === 'PayoutRefused').map((l) => l.args),
    report: await payloadOf<CollateralUpdate>(f.spoke, receipt),
    vaa: await signedVaa(f, f.spoke, receipt),
  }
}

/** The hub's settlement events in a delivery. */
function settlements(receipt: TransactionReceipt) {
  const logs = parseEventLogs({ abi: MarginHub.abi, logs: receipt.logs })
  return {
    settled: logs.filter((l) => l.eventName === 'PayoutSettled').map((l) => l.args),
    ignored: logs.filter((l) => l.eventName === 'PayoutReportIgnored').map((l) => l.args.id),
  }
}

/** A custom error's name and arguments. */
async function revertWith(call: Promise<unknown>): Promise<{ name: string; args: unknown[] }> {
  try {
    await call
  } catch (err) {
    const reverted =
      err instanceof BaseError ? err.walk((e) => e instanceof ContractFunctionRevertedError) : null
    if (reverted instanceof ContractFunctionRevertedError && reverted.data)
      return { name: reverted.data.errorName, args: [...(reverted.data.args ?? [])] }
    throw err
  }
  throw new Error('the call did not revert')
}

let unknownIds = 1n << 50n
/**
 * A hub-signed payout outside the hub's counter (the devnet guardian signs
 * what it is shown). It stands for a vault ending short of what the hub
 * approved, which the hub itself can never cause (E2).
 */
function outsideTheHub(
  account: Address,
  symbol: TokenSymbol,
  amount: bigint,
  expiry: bigint,
): { vaa: Hex; id: bigint } {
  const id = ++unknownIds
  const seizure: Liquidation = {
    kind: 'liquidation',
    targetChain: f.spoke.wormholeChainId,
    vault: f.spoke.contracts.vault,
    id,
    account,
    token: token(symbol),
    amount,
    expiry,
    recipient: stranger.address,
    epoch: 1n,
  }
  return { vaa: forgedVaa(f.hub, hubAddress(), id, seizure), id }
}

describe('approvals reserve what they pay', () => {
  const t = trader(0)

  it('an approval reserves its amount and records its expiry; approvals beyond balance - reserved are refused with the figures', async () => {
    await credited(t, 'WBTC', 100n)
    const first = await approved(t.address, 'WBTC', 60n)
    const stamped = (await blockTime(first.receipt, f.hub)) + BigInt(lifetime)
    expect(first.payload.expiry).toBe(stamped)
    expect(await hubReserved(f, t.address, f.spoke, 'WBTC')).toBe(60n)
    expect(await hubPayout(f, first.payload.id)).toEqual({
      account: t.address,
      chain: f.spoke.wormholeChainId,
      expiry: stamped,
      status: STATUS.outstanding,
      seizure: false,
      token: token('WBTC'),
      amount: 60n,
    })
    const chain = f.spoke.wormholeChainId
    expect(await revertWith(approve(t.address, 'WBTC', 41n))).toEqual({
      name: 'InsufficientLedgerBalance',
      args: [t.address, chain, token('WBTC'), 100n, 60n, 41n],
    })
    await approve(t.address, 'WBTC', 40n)
    expect(await hubReserved(f, t.address, f.spoke, 'WBTC')).toBe(100n)
    expect(await revertOf(approve(t.address, 'WBTC', 1n))).toBe('InsufficientLedgerBalance')
    // the ledger itself is untouched until the vault reports
    expect(await hubLedger(f, t.address, f.spoke, 'WBTC')).toBe(100n)
  })

  it.each([
    {
      name: 'the trader approving their own withdrawal',
      key: t.key,
      amount: 1n,
      error: 'NotOperator',
    },
    { name: 'a stranger', key: stranger.key, amount: 1n, error: 'NotOperator' },
    { name: 'the operator, for zero', key: undefined, amount: 0n, error: 'ZeroAmount' },
  ])(
    'refuses an approval by $name ($error) and reserves nothing',
    async ({ key, amount, error }) => {
      await credited(t, 'USDC', 10n)
      const before = await hubReserved(f, t.address, f.spoke, 'USDC')
      expect(await revertOf(approve(t.address, 'USDC', amount, key))).toBe(error)
      expect(await hubReserved(f, t.address, f.spoke, 'USDC')).toBe(before)
    },
  )
})

describe('the vault pays, refuses, and reports; the report settles', () => {
  const t = trader(1)

  it('a paid payout debits the ledger and releases its reservation, once', async () => {
    await credited(t, 'USDC', 1_000n)
    const { vaa, payload } = await approved(t.address, 'USDC', 600n)
    const wallet = await walletBalance(t.address, 'USDC')
    const executed = await outcome(await execute(vaa))
    expect(executed.paid).toMatchObject([{ id: payload.id, amount: 600n, recipient: t.address }])
    expect(executed.refused).toEqual([])
    expect(await walletBalance(t.address, 'USDC')).toBe(wallet + 600n)
    expect(executed.report).toMatchObject({
      action: 'withdrawal',
      payoutId: payload.id,
      balance: 400n,
    })
    expect(await revertOf(execute(vaa))).toBe('AlreadyConsumed')

    expect(settlements(await ingest(executed.vaa)).settled).toEqual([
      {
        id: payload.id,
        account: t.address,
        chain: f.spoke.wormholeChainId,
        token: token('USDC'),
        amount: 600n,
        status: STATUS.paid,
      },
    ])
    expect(await hubLedger(f, t.address, f.spoke, 'USDC')).toBe(400n)
    expect(await hubReserved(f, t.address, f.spoke, 'USDC')).toBe(0n)
    expect((await hubPayout(f, payload.id)).status).toBe(STATUS.paid)
    expect(await revertOf(ingest(executed.vaa))).toBe('AlreadyConsumed')
  })

  it.each([
    { at: 'its expiry', offset: 0n, pays: true },
    { at: 'one second past its expiry', offset: 1n, pays: false },
  ])('an approval executed at $at pays: $pays', async ({ offset, pays }) => {
    await credited(t, 'WETH', 50n)
    const { vaa, payload } = await approved(t.address, 'WETH', 50n)
    // the execution's block at exactly that time, and the hub's clock along with it
    const at = payload.expiry + offset
    await Promise.all(
      f.manifest.chains.map((chain) =>
        f.clients(chain).public.request({
          method: 'evm_setNextBlockTimestamp' as never,
          params: [toHex(at)] as never,
        }),
      ),
    )
    await f.clients(f.hub).public.request({ method: 'evm_mine' as never, params: [] as never })
    const receipt = await execute(vaa)
    expect(await blockTime(receipt)).toBe(payload.expiry + offset)
    const { paid, refused, vaa: report } = await outcome(receipt)
    expect([paid.length, refused.length]).toEqual(pays ? [1, 0] : [0, 1])
    expect(await vaultBalance(t.address, 'WETH')).toBe(pays ? 0n : 50n)
    expect(settlements(await ingest(report)).settled).toMatchObject([
      { id: payload.id, status: pays ? STATUS.paid : STATUS.expired },
    ])
    expect(await hubReserved(f, t.address, f.spoke, 'WETH')).toBe(0n)
  })

  it('an approval past its expiry cannot pay: it is consumed, reported, and its reservation released at the hub', async () => {
    await credited(t, 'USDC', 100n)
    const { vaa, payload } = await approved(t.address, 'USDC', 70n)
    const [held, wallet] = [
      await vaultBalance(t.address, 'USDC'),
      await walletBalance(t.address, 'USDC'),
    ]
    const ledger = await hubLedger(f, t.address, f.spoke, 'USDC')
    const reserved = await hubReserved(f, t.address, f.spoke, 'USDC')
    await advanceTime(f, lifetime + 1)

    const executed = await outcome(await execute(vaa))
    expect(executed.paid).toEqual([])
    expect(executed.refused).toMatchObject([
      {
        id: payload.id,
        account: t.address,
        token: token('USDC'),
        amount: 70n,
        reason: REASON.expired,
      },
    ])
    expect(executed.report).toMatchObject({
      action: 'expired',
      payoutId: payload.id,
      amount: 70n,
      balance: held,
    })
    expect([await vaultBalance(t.address, 'USDC'), await walletBalance(t.address, 'USDC')]).toEqual(
      [held, wallet],
    )
    expect(await revertOf(execute(vaa))).toBe('AlreadyConsumed')

    expect(settlements(await ingest(executed.vaa)).settled).toMatchObject([
      { id: payload.id, status: STATUS.expired },
    ])
    expect(await hubReserved(f, t.address, f.spoke, 'USDC')).toBe(reserved - 70n)
    expect(await hubLedger(f, t.address, f.spoke, 'USDC')).toBe(ledger)
    expect((await hubPayout(f, payload.id)).status).toBe(STATUS.expired)
  })

  it('a payout the vault cannot make is consumed, reported, and releases its reservation', async () => {
    const u = trader(0)
    await credited(u, 'WETH', 100n)
    const { vaa, payload } = await approved(u.address, 'WETH', 60n)
    // the vault ends short of what the hub approved
    const drain = outsideTheHub(u.address, 'WETH', 100n, payload.expiry)
    const drained = await outcome(await execute(drain.vaa))
    expect(await vaultBalance(u.address, 'WETH')).toBe(0n)

    const wallet = await walletBalance(u.address, 'WETH')
    const executed = await outcome(await execute(vaa))
    expect(executed.paid).toEqual([])
    expect(executed.refused).toMatchObject([
      { id: payload.id, amount: 60n, reason: REASON.insufficientBalance },
    ])
    expect(executed.report).toMatchObject({
      action: 'insufficientBalance',
      payoutId: payload.id,
      balance: 0n,
    })
    expect(await walletBalance(u.address, 'WETH')).toBe(wallet)
    expect(await revertOf(execute(vaa))).toBe('AlreadyConsumed')

    // in order: the drain's report names no payout of the hub's, then the refusal settles
    expect(settlements(await ingest(drained.vaa)).ignored).toEqual([drain.id])
    expect(settlements(await ingest(executed.vaa)).settled).toMatchObject([
      { id: payload.id, status: STATUS.refused },
    ])
    expect(await hubReserved(f, u.address, f.spoke, 'WETH')).toBe(0n)
    expect(await hubLedger(f, u.address, f.spoke, 'WETH')).toBe(0n)
  })
})

describe('reports that settle nothing', () => {
  const t = trader(1)
  /** A report as if the spoke's vault had published it, at sequence 0: never newer than the ledger. */
  const fromVault = (fields: Partial<CollateralUpdate>): Hex =>
    forgedVaa(f.spoke, f.spoke.contracts.vault, 0n, {
      kind: 'collateralUpdate',
      action: 'withdrawal',
      chain: f.spoke.wormholeChainId,
      account: t.address,
      token: token('WBTC'),
      amount: 5n,
      balance: 0n,
      payoutId: 1n,
      ...fields,
    })
  let outstanding: WithdrawalApproval
  let settled: bigint
  beforeAll(async () => {
    await credited(t, 'WBTC', 20n)
    const paid = await approved(t.address, 'WBTC', 5n)
    await ingest((await outcome(await execute(paid.vaa))).vaa)
    settled = paid.payload.id
    outstanding = (await approved(t.address, 'WBTC', 5n)).payload
  })

  it.each([
    { name: 'an unknown id', report: () => fromVault({ payoutId: 1n << 60n }) },
    { name: 'an id already settled', report: () => fromVault({ payoutId: settled }) },
    {
      name: 'an id already settled, as refused',
      report: () => fromVault({ action: 'expired', payoutId: settled }),
    },
    {
      name: 'an outstanding id with another amount',
      report: () => fromVault({ payoutId: outstanding.id, amount: 4n }),
    },
    {
      name: 'an outstanding id for another account',
      report: () => fromVault({ payoutId: outstanding.id, account: stranger.address }),
    },
    {
      name: 'an outstanding withdrawal reported as a seizure',
      report: () => fromVault({ payoutId: outstanding.id, action: 'seizure' }),
    },
  ])('a report naming $name changes nothing', async ({ report }) => {
    const read = () =>
      Promise.all([
        hubReserved(f, t.address, f.spoke, 'WBTC'),
        hubLedger(f, t.address, f.spoke, 'WBTC'),
        hubPayout(f, outstanding.id),
        hubPayout(f, settled),
      ])
    const before = await read()
    const vaa = report()
    const { settled: done, ignored } = settlements(await ingest(vaa))
    expect([done, ignored.length]).toEqual([[], 1])
    expect(await read()).toEqual(before)
    expect(await revertOf(ingest(vaa))).toBe('AlreadyConsumed')
  })

  it('the outstanding payout still settles on its own report', async () => {
    const vaa = fromVault({ payoutId: outstanding.id, action: 'expired', balance: 15n })
    expect(settlements(await ingest(vaa)).settled).toMatchObject([
      { id: outstanding.id, status: STATUS.expired },
    ])
    expect(await hubReserved(f, t.address, f.spoke, 'WBTC')).toBe(0n)
  })
})

describe('the payout lifetime', () => {
  const set = (lifetime: number, key?: Hex) =>
    sendTransaction(f.clients(f.hub, key), {
      address: hubAddress(),
      abi: MarginHub.abi,
      functionName: 'setPayoutLifetime',
      args: [lifetime],
    })

  it.each([
    { name: 'below the floor', lifetime: 3_599, key: undefined, error: 'PayoutLifetimeOutOfRange' },
    {
      name: 'above the ceiling',
      lifetime: 7 * 86_400 + 1,
      key: undefined,
      error: 'PayoutLifetimeOutOfRange',
    },
    {
      name: 'set by anyone but the owner',
      lifetime: 7_200,
      key: trader(0).key,
      error: 'OwnableUnauthorizedAccount',
    },
  ])('a lifetime $name is refused ($error)', async ({ lifetime: l, key, error }) => {
    expect(await revertOf(set(l, key))).toBe(error)
  })

  it('the owner sets it within bounds, and new approvals expire that long after', async () => {
    const t = trader(0)
    await credited(t, 'USDC', 10n)
    await set(3_600)
    try {
      const { receipt, payload } = await approved(t.address, 'USDC', 1n)
      expect(payload.expiry).toBe((await blockTime(receipt, f.hub)) + 3_600n)
    } finally {
      await set(lifetime)
    }
  })
})

// ---------------------------------------------------------------------------
// The property: a short sequence of moves, run against the contracts and a
// model, with reports delivered to the hub in the vault's order (as the
// relayer delivers one emitter's messages). After every step, for every
// (account, token): the hub ledger and the reservation equal the model's,
// reserved <= ledger, and the outstanding payouts the hub records sum to
// what it reserves.

/** Accounts of their own (no other test touches their ledger entries), given gas in beforeAll. */
const ACCOUNTS = [0, 1].map((i) => {
  const key = keccak256(toHex(`payouts property account ${i}`))
  return { key, address: privateKeyToAccount(key).address }
})
const SYMBOLS = ['USDC', 'WETH'] as const satisfies readonly TokenSymbol[]
type Key = `${number}:${number}`
const keys: Key[] = [0, 1].flatMap((a) => [0, 1].map((s): Key => `${a}:${s}`))

type Move =
  | { move: 'deposit'; who: number; symbol: number; amount: bigint }
  /** `percent` of what the hub has free (balance - reserved); over 100 must be refused. */
  | { move: 'approve'; who: number; symbol: number; percent: bigint }
  /** `late`: the clocks first move past the lifetime, so this one (and all outstanding) expire. */
  | { move: 'execute'; pick: number; late: boolean }
  | { move: 'overdraw'; who: number; symbol: number }
  | { move: 'expire' }
  | { move: 'deliver'; count: number }

const who = fc.integer({ min: 0, max: 1 })
const deposit_ = (amount: fc.Arbitrary<bigint>) =>
  fc.record({ move: fc.constant('deposit' as const), who, symbol: who, amount })
// Weighted toward the moves a payout needs after its deposit (approve, execute, deliver),
// so that short runs reach payouts paid, expired and refused, not only refused approvals.
const MOVE: fc.Arbitrary<Move> = fc.oneof(
  { weight: 2, arbitrary: deposit_(fc.bigInt(1n, 1_000n)) },
  {
    weight: 4,
    arbitrary: fc.record({
      move: fc.constant('approve' as const),
      who,
      symbol: who,
      percent: fc.bigInt(1n, 120n),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      move: fc.constant('execute' as const),
      pick: fc.nat(7),
      late: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      move: fc.constant('deliver' as const),
      count: fc.integer({ min: 1, max: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ move: fc.constant('overdraw' as const), who, symbol: who }) },
  { weight: 2, arbitrary: fc.constant({ move: 'expire' as const }) },
)
/** A run: a deposit on every ledger entry, taken by the hub, then the moves. */
const RUN = fc
  .tuple(
    fc.array(fc.bigInt(100n, 1_000n), { minLength: keys.length, maxLength: keys.length }),
    fc.array(MOVE, { minLength: 4, maxLength: 12 }),
  )
  .map(([credits, moves]): Move[] => [
    ...credits.map((amount, i): Move => ({ move: 'deposit', who: i >> 1, symbol: i & 1, amount })),
    { move: 'deliver', count: credits.length },
    ...moves,
  ])

type Status = (typeof STATUS)[keyof typeof STATUS]
interface ModelPayout {
  readonly key: Key
  readonly amount: bigint
  readonly expiry: bigint
  readonly vaa: Hex
  executed: boolean
  status: Status
}
interface Report {
  readonly vaa: Hex
  readonly key: Key
  readonly balance: bigint
  /** The hub payout it settles, and how; absent for a deposit and for a payout outside the hub. */
  readonly settles?: { readonly id: bigint; readonly status: Status }
  /** A payout outside the hub's counter: the hub ignores it (PayoutReportIgnored). */
  readonly ignored?: true
}
interface Model {
  readonly ledger: Map<Key, bigint>
  readonly vault: Map<Key, bigint>
  readonly payouts: Map<bigint, ModelPayout>
  readonly pending: Report[]
  /** The hub's next payout id when the run began. */
  readonly firstId: bigint
}

const keyOf = (w: number, s: number): Key => `${w}:${s}`
const parts = (k: Key) => {
  const [w, s] = k.split(':').map(Number) as [number, number]
  return { account: ACCOUNTS[w]!, symbol: SYMBOLS[s]! }
}
const modelReserved = (m: Model, k: Key) =>
  [...m.payouts.values()]
    .filter((p) => p.key === k && p.status === STATUS.outstanding)
    .reduce((sum, p) => sum + p.amount, 0n)

async function step(m: Model, mv: Move): Promise<void> {
  switch (mv.move) {
    case 'deposit': {
      const k = keyOf(mv.who, mv.symbol)
      const { account, symbol } = parts(k)
      const receipt = await sendTransaction(f.clients(f.spoke, account.key), {
        address: f.spoke.contracts.vault,
        abi: MarginVault.abi,
        functionName: 'deposit',
        args: [token(symbol), mv.amount],
      })
      const balance = (m.vault.get(k) ?? 0n) + mv.amount
      m.vault.set(k, balance)
      m.pending.push({ vaa: await signedVaa(f, f.spoke, receipt), key: k, balance })
      return
    }
    case 'approve': {
      const k = keyOf(mv.who, mv.symbol)
      const { account, symbol } = parts(k)
      const free = (m.ledger.get(k) ?? 0n) - modelReserved(m, k)
      const amount = (free * mv.percent) / 100n + 1n
      if (amount > free) {
        expect(await revertOf(approve(account.address, symbol, amount))).toBe(
          'InsufficientLedgerBalance',
        )
        return
      }
      const { vaa, payload } = await approved(account.address, symbol, amount)
      m.payouts.set(payload.id, {
        key: k,
        amount,
        expiry: payload.expiry,
        vaa,
        executed: false,
        status: STATUS.outstanding,
      })
      return
    }
    case 'execute': {
      const live = [...m.payouts.entries()].filter(([, p]) => !p.executed)
      if (live.length === 0) return
      const [id, p] = live[mv.pick % live.length]!
      if (mv.late) await advanceTime(f, lifetime + 1)
      const receipt = await execute(p.vaa)
      p.executed = true
      const held = m.vault.get(p.key) ?? 0n
      // what the spec prescribes for the block this ran in
      const status: Status =
        (await blockTime(receipt)) > p.expiry
          ? STATUS.expired
          : held < p.amount
            ? STATUS.refused
            : STATUS.paid
      const { paid, refused, report, vaa } = await outcome(receipt)
      expect([paid.length, refused.map((r) => r.reason)]).toEqual(
        status === STATUS.paid
          ? [1, []]
          : [0, [status === STATUS.expired ? REASON.expired : REASON.insufficientBalance]],
      )
      const balance = status === STATUS.paid ? held - p.amount : held
      m.vault.set(p.key, balance)
      expect(report).toMatchObject({ payoutId: id, balance })
      m.pending.push({ vaa, key: p.key, balance, settles: { id, status } })
      return
    }
    case 'overdraw': {
      // a payout outside the hub's counter, beyond the balance: refused, its report settles nothing
      const k = keyOf(mv.who, mv.symbol)
      const { account, symbol } = parts(k)
      const held = m.vault.get(k) ?? 0n
      const now = (await f.clients(f.spoke).public.getBlock()).timestamp
      const receipt = await execute(
        outsideTheHub(account.address, symbol, held + 1n, now + 3_600n).vaa,
      )
      const { refused, vaa } = await outcome(receipt)
      expect(refused.map((r) => r.reason)).toEqual([REASON.insufficientBalance])
      m.pending.push({ vaa, key: k, balance: held, ignored: true })
      return
    }
    case 'expire':
      await advanceTime(f, lifetime + 1)
      return
    case 'deliver':
      for (const report of m.pending.splice(0, mv.count)) {
        const { settled, ignored } = settlements(await ingest(report.vaa))
        // in the vault's order, so every report is newer than the last applied
        m.ledger.set(report.key, report.balance)
        if (report.settles) m.payouts.get(report.settles.id)!.status = report.settles.status
        expect([settled.map((s) => s.status), ignored.length]).toEqual([
          report.settles ? [report.settles.status] : [],
          report.ignored ? 1 : 0,
        ])
      }
      return
  }
}

/** The invariants, and the contracts equal to the model. */
async function check(m: Model): Promise<void> {
  const next = await f.clients(f.hub).public.readContract({
    address: hubAddress(),
    abi: MarginHub.abi,
    functionName: 'nextPayoutId',
  })
  // the run's payouts: the accounts are the run's own, so no earlier payout is theirs
  const records = await Promise.all(
    Array.from({ length: Number(next - m.firstId) }, (_, i) => hubPayout(f, m.firstId + BigInt(i))),
  )
  for (const k of keys) {
    const { account, symbol } = parts(k)
    const [ledger, reserved] = await Promise.all([
      hubLedger(f, account.address, f.spoke, symbol),
      hubReserved(f, account.address, f.spoke, symbol),
    ])
    const outstanding = records
      .filter(
        (r) =>
          r.status === STATUS.outstanding &&
          r.account === account.address &&
          r.token === token(symbol),
      )
      .reduce((sum, r) => sum + r.amount, 0n)
    expect({ k, ledger, reserved }).toEqual({
      k,
      ledger: m.ledger.get(k) ?? 0n,
      reserved: modelReserved(m, k),
    })
    expect(reserved, `${k}: reserved <= ledger`).toBeLessThanOrEqual(ledger)
    expect(outstanding, `${k}: outstanding payouts sum to reserved`).toBe(reserved)
  }
  expect(records.map((r) => r.status)).toEqual([...m.payouts.values()].map((p) => p.status))
}

describe('the ledger never has more outstanding than it holds', () => {
  beforeAll(async () => {
    // every account given gas and tokens, and the vault approved once, so a deposit is one transaction
    for (const account of ACCOUNTS)
      await f.clients(f.spoke).public.request({
        method: 'anvil_setBalance' as never,
        params: [account.address, toHex(10n ** 20n)] as never,
      })
    for (const account of ACCOUNTS)
      for (const symbol of SYMBOLS) {
        const c = f.clients(f.spoke, account.key)
        await sendTransaction(c, {
          address: token(symbol),
          abi: TestToken.abi,
          functionName: 'faucet',
          args: [account.address, 10n ** 9n],
        })
        await sendTransaction(c, {
          address: token(symbol),
          abi: TestToken.abi,
          functionName: 'approve',
          args: [f.spoke.contracts.vault, maxUint256],
        })
      }
  }, 30_000)

  it('any interleaving of deposits, approvals, executions (paid, refused by balance, expired) and in-order reports keeps reserved <= ledger and equal to the outstanding payouts', async () => {
    await fc.assert(
      fc.asyncProperty(RUN, async (moves) => {
        const revert = await snapshotChains(f)
        try {
          const m = await baseline()
          for (const mv of moves) {
            await step(m, mv)
            await check(m)
          }
          await step(m, { move: 'deliver', count: m.pending.length })
          await check(m)
        } finally {
          await revert()
        }
      }),
      { numRuns: 30 },
    )
  }, 240_000)
})

/** The model at the start of a run: the accounts' entries empty, payouts numbered from the hub's next id. */
async function baseline(): Promise<Model> {
  const firstId = await f.clients(f.hub).public.readContract({
    address: hubAddress(),
    abi: MarginHub.abi,
    functionName: 'nextPayoutId',
  })
  return { ledger: new Map(), vault: new Map(), payouts: new Map(), pending: [], firstId }
}
