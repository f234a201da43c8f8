/**
 * Gas per external function, from a fixed sequence of calls on a fresh
 * devnet, compared with the checked-in contracts/gas-snapshot.json: an entry
 * that grows by more than 2% fails. To accept a change on purpose:
 *
 *     UPDATE_GAS_SNAPSHOT=1 npx vitest run contracts/gas.test.ts
 *
 * and commit the new snapshot with the reason in the message.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { type Hex, pad, type TransactionReceipt, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deployContract, sendTransaction } from '../aggregator/chain/clients.ts'
import {
  MarginHub,
  MarginVault,
  SolvencyRegistry,
  TestToken,
} from '../build/contracts/artifacts.ts'
import { solidityCall } from '../circuits/proof-file.ts'
import { type ProofResult, releaseProver } from '../circuits/prover.ts'
import { verifierArtifact } from '../contracts/verifier-artifact.ts'
import { CIRCUIT_WAIT_MS, circuitsReady } from '../test/helpers/circuits.ts'
import {
  advanceTime,
  deposit,
  type Fixture,
  forgedVaa,
  signedVaa,
  startFixture,
  trader,
  units,
} from '../test/helpers/devnet-fixture.ts'
import { cachedProof, twoAccountEpoch } from '../test/helpers/proofs.ts'

const SNAPSHOT = new URL('./gas-snapshot.json', import.meta.url)
/** An expiry the sequence never reaches (2100-01-01). */
const FAR = 4_102_444_800n
const TOLERANCE = 0.02

// needs the circuit's build: wait for it (test/helpers/circuits.ts)
beforeAll(() => circuitsReady(), CIRCUIT_WAIT_MS)

let f: Fixture
beforeAll(async () => {
  // the verifier left unbound, so that binding it is measured too
  f = await startFixture(2, { verifier: 'later' })
}, 60_000)
afterAll(async () => {
  await f?.stop()
})

/** The fixed sequence: each entry is the gas of one call, named Contract.function (case). */
async function measure(): Promise<Record<string, number>> {
  const gas: Record<string, number> = {}
  const record = (name: string, r: TransactionReceipt) => {
    gas[name] = Number(r.gasUsed)
    return r
  }
  const owner = f.clients(f.spoke)
  const hubOwner = f.clients(f.hub)
  const hub = f.hub.contracts.hub!
  const t = trader(0)
  const usdc = f.spoke.tokens.USDC.address

  const other = await deployContract(owner, TestToken, ['Other', 'OTH', 18, 10n ** 24n])
  record(
    'MarginVault.allowToken',
    await sendTransaction(owner, {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'allowToken',
      args: [other.address, 10n ** 24n],
    }),
  )
  record(
    'MarginHub.registerVault',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'registerVault',
      args: [999, pad(other.address, { size: 32 })],
    }),
  )

  const bind = async (c: typeof owner, address: Hex, abi: typeof MarginHub.abi) => {
    const verifier = await deployContract(c, verifierArtifact())
    return sendTransaction(c, {
      address,
      abi,
      functionName: 'bindVerifier',
      args: [verifier.address],
    })
  }
  record('MarginHub.bindVerifier', await bind(hubOwner, hub, MarginHub.abi))
  record(
    'SolvencyRegistry.bindVerifier',
    await bind(owner, f.spoke.contracts.registry, SolvencyRegistry.abi as never),
  )

  const amount = units(f.spoke, 'USDC', '1000')
  const first = record(
    'MarginVault.deposit (first of a token)',
    await deposit(f, f.spoke, t.key, 'USDC', amount),
  )
  record('MarginVault.deposit (again)', await deposit(f, f.spoke, t.key, 'USDC', amount))
  const ingest = (vaa: `0x${string}`) =>
    sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'ingestCollateralUpdate',
      args: [vaa],
    })
  record('MarginHub.ingestCollateralUpdate', await ingest(await signedVaa(f, f.spoke, first)))
  const batch: Hex[] = []
  for (let i = 0; i < 4; i++)
    batch.push(
      await signedVaa(f, f.spoke, await deposit(f, f.spoke, trader(2).key, 'USDC', amount)),
    )
  record(
    'MarginHub.ingestCollateralUpdates (4 updates)',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'ingestCollateralUpdates',
      args: [batch],
    }),
  )

  const approval = record(
    'MarginHub.approveWithdrawal',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'approveWithdrawal',
      args: [f.spoke.wormholeChainId, t.address, usdc, amount / 2n],
    }),
  )
  const execute = (vaa: `0x${string}`) =>
    sendTransaction(owner, {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'execute',
      args: [vaa],
    })
  const paid = record(
    'MarginVault.execute (withdrawal)',
    await execute(await signedVaa(f, f.hub, approval)),
  )
  record(
    'MarginHub.ingestCollateralUpdate (payout report)',
    await ingest(await signedVaa(f, f.spoke, paid)),
  )
  // a hub-signed payout beyond the balance (the hub never approves one): refused
  record(
    'MarginVault.execute (refused: insufficient balance)',
    await execute(
      forgedVaa(f.hub, hub, 10_001n, {
        kind: 'withdrawalApproval',
        targetChain: f.spoke.wormholeChainId,
        vault: f.spoke.contracts.vault,
        id: 2n,
        account: t.address,
        token: usdc,
        amount: amount * 10n,
        expiry: FAR,
      }),
    ),
  )
  const liquidation = forgedVaa(f.hub, hub, 10_000n, {
    kind: 'liquidation',
    targetChain: f.spoke.wormholeChainId,
    vault: f.spoke.contracts.vault,
    id: 1n,
    account: t.address,
    token: usdc,
    amount: amount / 4n,
    expiry: FAR,
    recipient: trader(1).address,
    epoch: 1n,
  })
  record('MarginVault.execute (liquidation)', await execute(liquidation))

  // leaf indices: t credited first (0), trader 2 next (1), the underwater trader third (2)
  const underwater = trader(1)
  await ingest(
    await signedVaa(f, f.spoke, await deposit(f, f.spoke, underwater.key, 'USDC', amount)),
  )
  const indices = record(
    'MarginHub.publishAccountIndices (3)',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'publishAccountIndices',
      args: [[t.address, trader(2).address, underwater.address]],
    }),
  )
  record(
    'SolvencyRegistry.receiveAccountIndices (3)',
    await sendTransaction(owner, {
      address: f.spoke.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'receiveAccountIndices',
      args: [await signedVaa(f, f.hub, indices)],
    }),
  )
  const epoch = await twoAccountEpoch(
    { healthy: BigInt(t.address), liquidatable: BigInt(underwater.address) },
    1n,
    { healthy: 0, liquidatable: 2 },
  )
  const root = (x: bigint) => pad(toHex(x), { size: 32 })
  const posted = record(
    'MarginHub.postEpoch',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'postEpoch',
      args: [1n, root(epoch.healthy.statement.stateRoot), root(epoch.healthy.statement.marketRoot)],
    }),
  )
  record(
    'SolvencyRegistry.receiveEpochRoot',
    await sendTransaction(owner, {
      address: f.spoke.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'receiveEpochRoot',
      args: [await signedVaa(f, f.hub, posted)],
    }),
  )
  const proofArgs = (p: ProofResult) => solidityCall(p.proof, p.publicSignals)
  const healthy = await cachedProof(epoch.healthy.input)
  const liquidatable = await cachedProof(epoch.liquidatable.input)
  await releaseProver()
  record(
    'SolvencyRegistry.verifySolvency',
    await sendTransaction(owner, {
      address: f.spoke.contracts.registry,
      abi: SolvencyRegistry.abi,
      functionName: 'verifySolvency',
      args: proofArgs(healthy),
    }),
  )
  record(
    'MarginHub.liquidate',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'liquidate',
      args: [
        ...proofArgs(liquidatable),
        f.spoke.wormholeChainId,
        underwater.address,
        usdc,
        amount / 2n,
        t.address,
      ],
    }),
  )
  record(
    'MarginHub.setPayoutLifetime',
    await sendTransaction(hubOwner, {
      address: hub,
      abi: MarginHub.abi,
      functionName: 'setPayoutLifetime',
      args: [2 * 86_400],
    }),
  )
  // last, as it moves the clocks: an approval executed past its expiry
  const stale = await sendTransaction(hubOwner, {
    address: hub,
    abi: MarginHub.abi,
    functionName: 'approveWithdrawal',
    args: [f.spoke.wormholeChainId, t.address, usdc, 1n],
  })
  await advanceTime(f, 3 * 86_400)
  record('MarginVault.execute (refused: expired)', await execute(await signedVaa(f, f.hub, stale)))
  record(
    'MarginVault.pause',
    await sendTransaction(owner, {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'pause',
      args: [],
    }),
  )
  record(
    'MarginVault.unpause',
    await sendTransaction(owner, {
      address: f.spoke.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'unpause',
      args: [],
    }),
  )
  return gas
}

describe('gas snapshot', () => {
  it('no external function costs more than 2% above contracts/gas-snapshot.json', async () => {
    const measured = await measure()
    if (process.env['UPDATE_GAS_SNAPSHOT']) {
      writeFileSync(SNAPSHOT, `${JSON.stringify(measured, null, 2)}\n`)
      return
    }
    const snapshot = JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as Record<string, number>
    const hint =
      'if the change is intended, run UPDATE_GAS_SNAPSHOT=1 npx vitest run contracts/gas.test.ts and commit the snapshot'
    expect(
      Object.keys(measured).sort(),
      `the measured calls differ from the snapshot's; ${hint}`,
    ).toEqual(Object.keys(snapshot).sort())
    const grown = Object.entries(measured)
      .filter(([name, gas]) => gas > snapshot[name]! * (1 + TOLERANCE))
      .map(
        ([name, gas]) =>
          `${name}: ${snapshot[name]} -> ${gas} (+${(((gas - snapshot[name]!) / snapshot[name]!) * 100).toFixed(1)}%)`,
      )
    expect(grown, `gas grew by more than ${TOLERANCE * 100}%; ${hint}`).toEqual([])
  })
})
