/**
 * Solvency proofs on chain: the registry on every chain checks them against
 * the latest posted roots and remembers solvent accounts; the hub publishes a
 * liquidation only with a valid liquidatable proof about the named account.
 * Against a hostile operator: a proof must sit at the leaf index the hub
 * assigned the account (E4), an epoch may advance only by the configured
 * step, and an attestation goes stale after the registry's maximum age (E8).
 */
import { type Hex, pad, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ChainClients, sendTransaction } from '../aggregator/chain/clients.ts'
import type { ChainManifest } from '../aggregator/devnet/manifest.ts'
import { MarginHub, MarginVault, SolvencyRegistry } from '../build/contracts/artifacts.ts'
import { solidityCall } from '../circuits/proof-file.ts'
import { type ProofResult, releaseProver } from '../circuits/prover.ts'
import { decodePayload } from '../contracts/payloads.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from '../test/helpers/circuits.ts'
import {
  advanceTime,
  deliverIndices,
  deposit,
  type Fixture,
  forgedVaa,
  hubLedger,
  hubPayout,
  hubReserved,
  published,
  revertOf,
  signedVaa,
  startFixture,
  trader,
  units,
} from '../test/helpers/devnet-fixture.ts'
import {
  cachedProof,
  type EpochAccounts,
  epochOf,
  twoAccountEpoch,
} from '../test/helpers/proofs.ts'

let f: Fixture
let epoch: EpochAccounts
let healthy: ProofResult
let liquidatable: ProofResult
const solvent = trader(0)
const underwater = trader(1)
const keeper = trader(2)
const word = (x: bigint) => pad(toHex(x), { size: 32 })

async function postEpoch(n: bigint, stateRoot: Hex, marketRoot: Hex, on = f): Promise<void> {
  const receipt = await sendTransaction(on.clients(on.hub), {
    address: on.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'postEpoch',
    args: [n, stateRoot, marketRoot],
  })
  const vaa = await signedVaa(on, on.hub, receipt)
  for (const chain of on.manifest.chains) {
    await sendTransaction(on.clients(chain), {
      address: chain.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'receiveEpochRoot',
      args: [vaa],
    })
  }
}

const args = (p: ProofResult, signals?: bigint[]) => solidityCall(p.proof, p.publicSignals, signals)

function verifySolvency(
  chain: ChainManifest,
  p: ProofResult,
  signals?: bigint[],
  c: ChainClients = f.clients(chain),
) {
  return sendTransaction(c, {
    address: chain.contracts.registry,
    abi: SolvencyRegistry.abi,
    functionName: 'verifySolvency',
    args: args(p, signals),
  })
}

function isSolvent(chain: ChainManifest, idHash: string, minEpoch: bigint) {
  return f.clients(chain).public.readContract({
    address: chain.contracts.registry,
    abi: SolvencyRegistry.abi,
    functionName: 'isSolvent',
    args: [word(BigInt(idHash)), minEpoch],
  })
}

function liquidate(
  p: ProofResult,
  account = underwater.address,
  amount = 1_000_000n,
  from: Hex | undefined = undefined,
  on = f,
) {
  return sendTransaction(on.clients(on.hub, from), {
    address: on.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'liquidate',
    args: [
      ...args(p),
      on.spoke.wormholeChainId,
      account,
      on.spoke.tokens.USDC.address,
      amount,
      keeper.address,
    ],
  })
}

const tampered = (p: ProofResult, index: number, value: bigint) =>
  p.publicSignals.map((s, i) => (i === index ? value : BigInt(s)))

/** Credit `who` on the spoke and ingest it on the hub: the first credit assigns the leaf index. */
async function credit(on: Fixture, who: { key: Hex }, amount: string): Promise<void> {
  const receipt = await deposit(on, on.spoke, who.key, 'USDC', units(on.spoke, 'USDC', amount))
  await sendTransaction(on.clients(on.hub), {
    address: on.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'ingestCollateralUpdate',
    args: [await signedVaa(on, on.spoke, receipt)],
  })
}

/** The solvent trader credited first (leaf 0), the underwater one second (leaf 1); every registry told. */
async function indexBoth(on: Fixture, underwaterAmount: string): Promise<void> {
  await credit(on, solvent, '100')
  await credit(on, underwater, underwaterAmount)
  await deliverIndices(on, [solvent.address, underwater.address])
}

function postEpochAt(n: bigint, on = f) {
  return sendTransaction(on.clients(on.hub), {
    address: on.hub.contracts.hub!,
    abi: MarginHub.abi,
    functionName: 'postEpoch',
    args: [n, word(n), word(n)],
  })
}

beforeAll(async () => {
  await circuitsReady()
  f = await startFixture(2)
  epoch = await twoAccountEpoch(
    { healthy: BigInt(solvent.address), liquidatable: BigInt(underwater.address) },
    1n,
  )
  healthy = await cachedProof(epoch.healthy.input)
  liquidatable = await cachedProof(epoch.liquidatable.input)
  await releaseProver()
  // the underwater trader has collateral on the spoke, known to the hub's ledger
  await indexBoth(f, '5000')
  await postEpoch(
    1n,
    word(epoch.healthy.statement.stateRoot),
    word(epoch.healthy.statement.marketRoot),
  )
}, CIRCUIT_WAIT_MS)
afterAll(async () => {
  await f?.stop()
})

describe('SolvencyRegistry.verifySolvency', () => {
  it('a healthy account proves solvent on every chain, and protocols see it with isSolvent', async () => {
    for (const chain of f.manifest.chains) {
      await verifySolvency(chain, healthy)
      expect(await isSolvent(chain, healthy.publicSignals[5]!, 1n)).toBe(true)
      expect(await isSolvent(chain, healthy.publicSignals[5]!, 2n)).toBe(false)
    }
  })

  it('a valid liquidatable proof is accepted but does not make the account solvent', async () => {
    const { result } = await f.clients(f.spoke).public.simulateContract({
      address: f.spoke.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'verifySolvency',
      args: args(liquidatable),
    })
    expect(result).toBe(false)
    await verifySolvency(f.spoke, liquidatable)
    expect(await isSolvent(f.spoke, liquidatable.publicSignals[5]!, 0n)).toBe(false)
  })

  it.each([
    ['the outcome bit flipped', 0, 0n, 'InvalidProof'],
    ['coversInitial flipped', 1, 0n, 'InvalidProof'],
    ['another account id hash', 5, 12345n, 'WrongLeafIndex'],
    ['another leaf index', 6, 1n, 'WrongLeafIndex'],
    ['another state root', 2, 999n, 'RootMismatch'],
    ['another market root', 3, 999n, 'RootMismatch'],
    ['an epoch never posted', 4, 77n, 'UnknownEpoch'],
    ['an epoch beyond uint64', 4, 1n << 64n, 'UnknownEpoch'],
  ])('a proof with %s is refused (%s)', async (_, index, value, error) => {
    expect(await revertOf(verifySolvency(f.spoke, healthy, tampered(healthy, index, value)))).toBe(
      error,
    )
  })

  it('a tampered proof is refused', async () => {
    const broken = structuredClone(healthy)
    broken.proof.pi_a[0] = (BigInt(broken.proof.pi_a[0]!) + 1n).toString()
    expect(await revertOf(verifySolvency(f.spoke, broken))).toBe('InvalidProof')
    const swapped = structuredClone(healthy)
    swapped.proof.pi_c = liquidatable.proof.pi_c
    expect(await revertOf(verifySolvency(f.spoke, swapped))).toBe('InvalidProof')
  })
})

describe('MarginHub.liquidate', () => {
  it('publishes a seizure for the vault with a valid liquidatable proof, and the vault pays the keeper', async () => {
    const amount = units(f.spoke, 'USDC', '1000')
    expect(await hubLedger(f, underwater.address, f.spoke)).toBe(units(f.spoke, 'USDC', '5000'))
    const receipt = await liquidate(liquidatable, underwater.address, amount)
    const [message] = await published(f, f.hub, receipt)
    expect(decodePayload(message!.payload)).toMatchObject({
      kind: 'liquidation',
      account: underwater.address,
      amount,
      recipient: keeper.address,
      epoch: 1n,
    })
    // a seizure reserves like a withdrawal (E2), until the vault's report settles it
    const { id } = decodePayload(message!.payload) as { id: bigint }
    expect(await hubReserved(f, underwater.address, f.spoke)).toBe(amount)
    expect(await hubPayout(f, id)).toMatchObject({ seizure: true, status: 1, amount })
    const executed = await sendTransaction(f.clients(f.spoke), {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'execute',
      args: [await signedVaa(f, f.hub, receipt)],
    })
    await sendTransaction(f.clients(f.hub), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'ingestCollateralUpdate',
      args: [await signedVaa(f, f.spoke, executed)],
    })
    expect(await hubReserved(f, underwater.address, f.spoke)).toBe(0n)
    expect(await hubPayout(f, id)).toMatchObject({ status: 2 })
    expect(await hubLedger(f, underwater.address, f.spoke)).toBe(units(f.spoke, 'USDC', '4000'))
    const paid = await f.clients(f.spoke).public.readContract({
      address: f.spoke.tokens.USDC.address,
      abi: [
        {
          type: 'function',
          name: 'balanceOf',
          stateMutability: 'view',
          inputs: [{ name: '', type: 'address' }],
          outputs: [{ name: '', type: 'uint256' }],
        },
      ],
      functionName: 'balanceOf',
      args: [keeper.address],
    })
    expect(paid).toBe(amount)
  })

  it.each([
    ['a solvent account', () => liquidate(healthy, solvent.address), 'NotLiquidatable'],
    [
      'a proof about another account',
      () => liquidate(liquidatable, solvent.address),
      'WrongAccount',
    ],
    [
      'more than the ledger holds',
      () => liquidate(liquidatable, underwater.address, 10n ** 30n),
      'InsufficientLedgerBalance',
    ],
    [
      'a caller who is not the operator',
      () => liquidate(liquidatable, underwater.address, 1n, keeper.key),
      'NotOperator',
    ],
  ])('refuses %s', async (_, call, error) => {
    expect(await revertOf(call())).toBe(error)
  })
})

describe('E4: one leaf per account, at the index the hub assigned', () => {
  // A hostile operator's epoch 2: the true leaves at 0 and 1, and beside them
  // a fake healthy leaf for the underwater trader (to attest it solvent) and a
  // fake liquidatable one for the solvent trader (to seize its collateral).
  let fakeHealthy: ProofResult
  let fakeLiquidatable: ProofResult
  beforeAll(async () => {
    const { proofs } = await epochOf(
      [
        { accountId: BigInt(solvent.address), shape: 'healthy', index: 0, salt: 11n },
        { accountId: BigInt(underwater.address), shape: 'liquidatable', index: 1, salt: 13n },
        { accountId: BigInt(underwater.address), shape: 'healthy', index: 7, salt: 17n },
        { accountId: BigInt(solvent.address), shape: 'liquidatable', index: 6, salt: 19n },
      ],
      2n,
    )
    fakeHealthy = await cachedProof(proofs[2]!.input)
    fakeLiquidatable = await cachedProof(proofs[3]!.input)
    await releaseProver()
    await postEpoch(2n, word(proofs[0]!.statement.stateRoot), word(proofs[0]!.statement.marketRoot))
  }, CIRCUIT_WAIT_MS)

  it("the hub and every registry know each account's index", async () => {
    for (const [who, index] of [
      [solvent, 0n],
      [underwater, 1n],
    ] as const) {
      const onHub = await f.clients(f.hub).public.readContract({
        address: f.hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'leafIndexOf',
        args: [who.address],
      })
      expect(onHub).toEqual([true, index])
    }
    for (const chain of f.manifest.chains)
      expect(
        await f.clients(chain).public.readContract({
          address: chain.contracts.registry,
          abi: SolvencyRegistry.abi,
          functionName: 'leafIndexOf',
          args: [word(BigInt(healthy.publicSignals[5]!))],
        }),
      ).toEqual([true, 0n])
  })

  it('a fake healthy leaf for an underwater account is refused by every registry', async () => {
    expect(fakeHealthy.publicSignals[6]).toBe('7')
    for (const chain of f.manifest.chains)
      expect(await revertOf(verifySolvency(chain, fakeHealthy))).toBe('WrongLeafIndex')
    expect(await isSolvent(f.spoke, fakeHealthy.publicSignals[5]!, 2n)).toBe(false)
  })

  it('a fake liquidatable leaf for a solvent account cannot seize on the hub', async () => {
    expect(await revertOf(liquidate(fakeLiquidatable, solvent.address))).toBe('WrongLeafIndex')
  })

  const publish = (accounts: `0x${string}`[], from?: Hex) =>
    sendTransaction(f.clients(f.hub, from), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName: 'publishAccountIndices',
      args: [accounts],
    })

  it("anyone may publish an account's index (the hub's own), so the operator cannot withhold one", async () => {
    const receipt = await publish([underwater.address], keeper.key)
    const [message] = await published(f, f.hub, receipt)
    expect(decodePayload(message!.payload)).toMatchObject({ kind: 'accountIndices', first: 1n })
  })

  it.each([
    ['no accounts', () => [], 'AccountIndicesCount'],
    ['33 accounts', () => Array(33).fill(solvent.address), 'AccountIndicesCount'],
    ['indices out of order', () => [underwater.address, solvent.address], 'NotIndexedInOrder'],
    ['an account the hub never indexed', () => [keeper.address], 'NotIndexedInOrder'],
  ])('publishAccountIndices refuses %s', async (_, accounts, error) => {
    expect(await revertOf(publish(accounts() as `0x${string}`[]))).toBe(error)
  })

  it('a registry takes indices only as such, from the hub, once', async () => {
    const vaa = await signedVaa(f, f.hub, await publish([solvent.address]))
    const call = (functionName: 'receiveAccountIndices' | 'receiveEpochRoot', v: Hex) =>
      sendTransaction(f.clients(f.spoke), {
        address: f.spoke.contracts.registry,
        abi: SolvencyRegistry.abi,
        functionName,
        args: [v],
      })
    expect(await revertOf(call('receiveEpochRoot', vaa))).toBe('UnexpectedKind')
    await call('receiveAccountIndices', vaa)
    expect(await revertOf(call('receiveAccountIndices', vaa))).toBe('AlreadyConsumed')
    const stranger = forgedVaa(f.hub, keeper.address, 1n, {
      kind: 'accountIndices',
      first: 0n,
      accountIdHashes: [word(1n)],
    })
    expect(await revertOf(call('receiveAccountIndices', stranger))).toBe('UnknownEmitter')
  })

  it('naming the right index over a proof made at the wrong one fails the proof itself', async () => {
    const signals = tampered(fakeHealthy, 6, 1n)
    expect(await revertOf(verifySolvency(f.spoke, fakeHealthy, signals))).toBe('InvalidProof')
  })
})

describe('after a newer epoch', () => {
  it('proofs against the older roots are refused, by the registry and the hub', async () => {
    await postEpoch(3n, word(3n), word(4n))
    expect(await revertOf(verifySolvency(f.spoke, healthy))).toBe('StaleEpoch')
    expect(await revertOf(liquidate(liquidatable))).toBe('StaleEpoch')
    // what was proved at epoch 1 stays on record for protocols that accept it, while fresh
    expect(await isSolvent(f.spoke, healthy.publicSignals[5]!, 1n)).toBe(true)
  })
})

describe('E8: epochs advance by a bounded step, and attestations go stale', () => {
  const hubCall = (functionName: 'setMaxEpochStep', value: bigint, from?: Hex) =>
    sendTransaction(f.clients(f.hub, from), {
      address: f.hub.contracts.hub!,
      abi: MarginHub.abi,
      functionName,
      args: [value],
    })
  const registryCall = (value: bigint, from?: Hex) =>
    sendTransaction(f.clients(f.spoke, from), {
      address: f.spoke.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'setMaxEpochAge',
      args: [value],
    })

  it.each([
    ['two past the latest', 5n, 'EpochStepTooLarge'],
    ['near 2^64', (1n << 64n) - 1n, 'EpochStepTooLarge'],
    ['the latest again', 3n, 'EpochNotIncreasing'],
  ])('the hub refuses an epoch %s (%s)', async (_, n, error) => {
    expect(await revertOf(postEpochAt(n))).toBe(error)
  })

  it.each([
    ['a step of 0', 0n, undefined, 'EpochStepOutOfRange'],
    ['a step past 2^32', (1n << 32n) + 1n, undefined, 'EpochStepOutOfRange'],
    ['anyone but the owner', 2n, keeper.key, 'OwnableUnauthorizedAccount'],
  ])('setMaxEpochStep refuses %s', async (_, value, from, error) => {
    expect(await revertOf(hubCall('setMaxEpochStep', value, from))).toBe(error)
  })

  it('the owner widens the step, and an epoch within it is posted', async () => {
    await hubCall('setMaxEpochStep', 2n)
    await postEpochAt(5n)
    expect(await revertOf(postEpochAt(8n))).toBe('EpochStepTooLarge')
    await hubCall('setMaxEpochStep', 1n)
  })

  it.each([
    ['under a minute', 59n, undefined, 'EpochAgeOutOfRange'],
    ['over 30 days', 30n * 86_400n + 1n, undefined, 'EpochAgeOutOfRange'],
    ['anyone but the owner', 600n, keeper.key, 'OwnableUnauthorizedAccount'],
  ])('setMaxEpochAge refuses %s', async (_, value, from, error) => {
    expect(await revertOf(registryCall(value, from))).toBe(error)
  })

  /** Post epoch n with the solvent trader's leaf at its index 0, healthy or underwater; its proof. */
  async function solventTraderAt(n: bigint, shape: 'healthy' | 'liquidatable') {
    const { proofs } = await epochOf(
      [
        { accountId: BigInt(solvent.address), shape, index: 0, salt: 11n },
        { accountId: BigInt(underwater.address), shape: 'liquidatable', index: 1, salt: 13n },
      ],
      n,
    )
    const proof = await cachedProof(proofs[0]!.input)
    await releaseProver()
    await postEpoch(n, word(proofs[0]!.statement.stateRoot), word(proofs[0]!.statement.marketRoot))
    return proof
  }

  it(
    'a later proof that the account fell below maintenance margin ends its attestation at once',
    async () => {
      const healthyAt6 = await solventTraderAt(6n, 'healthy')
      await verifySolvency(f.spoke, healthyAt6)
      const id = healthyAt6.publicSignals[5]!
      expect(await isSolvent(f.spoke, id, 6n)).toBe(true)
      const underwaterAt7 = await solventTraderAt(7n, 'liquidatable')
      await verifySolvency(f.spoke, underwaterAt7)
      expect(await isSolvent(f.spoke, id, 6n)).toBe(false)
      expect(await isSolvent(f.spoke, id, 0n)).toBe(false)
    },
    CIRCUIT_WAIT_MS,
  )

  it(
    'isSolvent turns false once the attestation is older than the maximum age, and proofs of that epoch are refused',
    async () => {
      await registryCall(1_800n)
      const proof = await solventTraderAt(8n, 'healthy')
      await verifySolvency(f.spoke, proof)
      const id = proof.publicSignals[5]!
      expect(await isSolvent(f.spoke, id, 8n)).toBe(true)
      await advanceTime(f, 1_801)
      expect(await isSolvent(f.spoke, id, 8n)).toBe(false)
      expect(await isSolvent(f.spoke, id, 1n)).toBe(false)
      expect(await revertOf(verifySolvency(f.spoke, proof))).toBe('EpochTooOld')
    },
    CIRCUIT_WAIT_MS,
  )
})

describe('the verifier, bound once by the owner', () => {
  // a devnet deployed before the circuit was ready: nothing is bound yet
  let g: Fixture
  beforeAll(async () => {
    g = await startFixture(2, { verifier: 'later' })
    await postEpoch(
      1n,
      word(epoch.healthy.statement.stateRoot),
      word(epoch.healthy.statement.marketRoot),
      g,
    )
    await indexBoth(g, '1')
  }, 60_000)
  afterAll(async () => {
    await g?.stop()
  })

  const bind = (on: Fixture, target: 'hub' | 'registry', verifier: Hex, from?: Hex) =>
    sendTransaction(on.clients(on.hub, from), {
      address: target === 'hub' ? on.hub.contracts.hub! : on.hub.contracts.registry,
      abi: target === 'hub' ? MarginHub.abi : SolvencyRegistry.abi,
      functionName: 'bindVerifier',
      args: [verifier],
    })
  // a hostile verifier would accept any proof; any address stands for it here
  const rogue = keeper.address
  const zero = '0x0000000000000000000000000000000000000000'

  it('before it is bound, proofs revert VerifierNotBound on the registry and the hub', async () => {
    expect(g.devnet.verifierBound).toBe(false)
    expect(await revertOf(verifySolvency(g.spoke, healthy, undefined, g.clients(g.spoke)))).toBe(
      'VerifierNotBound',
    )
    expect(await revertOf(liquidate(liquidatable, underwater.address, 1n, undefined, g))).toBe(
      'VerifierNotBound',
    )
  })

  it.each([
    [
      'anyone but the owner, before binding',
      () => g,
      keeper.key,
      rogue,
      'OwnableUnauthorizedAccount',
    ],
    ['the owner, to the zero address', () => g, undefined, zero, 'ZeroAddress'],
    ['the owner, once bound (no swap, ever)', () => f, undefined, rogue, 'VerifierAlreadyBound'],
    ['anyone but the owner, once bound', () => f, keeper.key, rogue, 'OwnableUnauthorizedAccount'],
  ] as const)(
    'bindVerifier by %s reverts %s on the hub and the registry',
    async (_, on, from, verifier, error) => {
      for (const target of ['hub', 'registry'] as const)
        expect(await revertOf(bind(on(), target, verifier, from))).toBe(error)
    },
  )

  it('the owner binds it once, with VerifierBound, and proofs then check on every chain', async () => {
    await g.devnet.bindVerifier()
    for (const chain of g.manifest.chains) {
      const targets = [
        { address: chain.contracts.registry, abi: SolvencyRegistry.abi },
        ...(chain.contracts.hub ? [{ address: chain.contracts.hub, abi: MarginHub.abi }] : []),
      ]
      for (const t of targets) {
        const c = g.clients(chain).public
        expect(
          await c.readContract({ address: t.address, abi: t.abi, functionName: 'verifier' }),
        ).toBe(chain.contracts.verifier)
        const events = await c.getContractEvents({
          address: t.address,
          abi: SolvencyRegistry.abi,
          eventName: 'VerifierBound',
          fromBlock: 0n,
        })
        expect(events.map((e) => e.args.verifier)).toEqual([chain.contracts.verifier])
      }
      await verifySolvency(chain, healthy, undefined, g.clients(chain))
    }
    expect(await revertOf(bind(g, 'hub', rogue))).toBe('VerifierAlreadyBound')
  })
})
