/**
 * `npm run bench:prove`: one account at the circuit's capacity (16 positions,
 * half options, over 4 underlyings with 4 spread credits; 8 collateral
 * holdings): constraints, witness and proving time (median of 5), off-chain
 * verification, and the gas of the generated verifier on a local chain.
 * Beside the project's prover, snarkjs's own `groth16.prove` on the same key
 * (the zkey file's bytes, in memory) and the same witness (as a wtns file in
 * memory), so the ratio `proveMs / snarkjsProveMs` is measured in one run.
 */
import { readFileSync } from 'node:fs'
import * as snarkjs from 'snarkjs'

import { encodeFunctionData } from 'viem'
import { prepareAccountProof } from '../../circuits/account-proof.ts'
import { CIRCUIT_FILES, readCircuitInfo, requireCircuits } from '../../circuits/build.ts'
import { solidityCall } from '../../circuits/proof-file.ts'
import { calculateWitness, prove, releaseProver, verify } from '../../circuits/prover.ts'
import { wtnsFile } from '../../circuits/wtns-file.ts'
import { verifierArtifact } from '../../contracts/verifier-artifact.ts'
import { chainClients, deployContract } from '../chain/clients.ts'
import { freePort, startAnvil } from '../devnet/anvil.ts'
import { DEVNET_DEPLOYER_KEY } from '../devnet/chains.ts'
import { validateInputs } from '../risk/validate.ts'

export interface ProveBenchResult {
  constraints: number
  witnessMs: number
  proveMs: number
  proveRuns: number
  /** snarkjs.groth16.prove on the same key and witness (median); it decodes the key each call. */
  snarkjsProveMs: number
  snarkjsProveRuns: number
  /** proveMs / snarkjsProveMs: below 1, the project's prover is ahead. */
  proveRatio: number
  verifyMs: number
  verifyGas: number
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** A full account: every slot the circuit has is used. */
export function capacityAccount(): ReturnType<typeof validateInputs> {
  const names = ['BTC', 'ETH', 'SOL', 'ARB']
  const prices = [90_000, 3_000, 150, 1.2]
  const expiry = 1_769_904_000
  const market = {
    timestamp: 1_767_225_600,
    underlyings: Object.fromEntries(
      names.map((n, i) => [n, { price: prices[i], vol: 0.5 + i / 10 }]),
    ),
    assets: {
      USDC: { price: 1, haircut: 0 },
      USDT: { price: 1, haircut: 0.01 },
      DAI: { price: 1, haircut: 0.02 },
      FRAX: { price: 1, haircut: 0.05 },
      ...Object.fromEntries(names.map((n) => [`W${n}`, { underlying: n, haircut: 0.1 }])),
    },
  }
  const params = {
    underlyings: Object.fromEntries(
      names.map((n) => [n, { priceScanRange: 0.15, volScanRange: 0.3, shortOptionMinimum: 0.005 }]),
    ),
    extremeMove: 2,
    extremeCoverFraction: 0.35,
    lookaheadDays: 1,
    initialMarginFactor: 1.25,
    spreadCredits: [
      { legs: ['BTC', 'ETH'], rate: 0.5 },
      { legs: ['ETH', 'SOL'], rate: 0.3 },
      { legs: ['SOL', 'ARB'], rate: 0.2 },
      { legs: ['BTC', 'ARB'], rate: 0.1 },
    ],
  }
  const positions = names.flatMap((u, i) => [
    {
      chain: 'a',
      instrument: { kind: 'perp', underlying: u },
      quantity: i % 2 ? -2 : 1.5,
      entryPrice: prices[i]! * 0.98,
    },
    {
      chain: 'b',
      instrument: { kind: 'future', underlying: u, expiry },
      quantity: i % 2 ? 1 : -0.5,
      entryPrice: prices[i]! * 1.01,
    },
    {
      chain: 'a',
      instrument: { kind: 'option', underlying: u, type: 'call', strike: prices[i]! * 1.1, expiry },
      quantity: -3,
    },
    {
      chain: 'b',
      instrument: { kind: 'option', underlying: u, type: 'put', strike: prices[i]! * 0.9, expiry },
      quantity: 4,
    },
  ])
  const portfolio = {
    cash: -5000,
    collateral: Object.keys(market.assets).map((asset, i) => ({
      chain: 'c',
      asset,
      amount: 1000 + i,
    })),
    positions,
  }
  return validateInputs(market, params, portfolio)
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const value = await f()
  return [value, performance.now() - started]
}

async function verifierGas([proof, signals]: ReturnType<typeof solidityCall>): Promise<number> {
  const anvil = await startAnvil({ port: await freePort(), chainId: 31_999 })
  try {
    const c = chainClients(anvil.rpcUrl, 31_999, DEVNET_DEPLOYER_KEY)
    const verifier = verifierArtifact()
    const { address } = await deployContract(c, verifier)
    const args = [proof.a, proof.b, proof.c, signals] as const
    const valid = await c.public.readContract({
      address,
      abi: verifier.abi,
      functionName: 'verifyProof',
      args: args as never,
    })
    if (!valid) throw new Error('the on-chain verifier rejected a valid proof')
    // not estimateGas: short of gas, the verifier's precompile calls fail and it returns false
    // instead of reverting, so an estimate finds the cost of a failed check
    const hash = await c.wallet.sendTransaction({
      to: address,
      data: encodeFunctionData({
        abi: verifier.abi,
        functionName: 'verifyProof',
        args: args as never,
      }),
      gas: 1_000_000n,
    })
    return Number((await c.public.waitForTransactionReceipt({ hash })).gasUsed)
  } finally {
    await anvil.stop()
  }
}

export async function runProveBench(
  runs = 5,
  log: (line: string) => void = () => {},
): Promise<ProveBenchResult> {
  requireCircuits()
  const inputs = capacityAccount()
  const { input } = await prepareAccountProof({ inputs, accountId: 0xabcn, salt: 7n, epoch: 1n })
  const witnessTimes: number[] = []
  for (let i = 0; i < runs; i++) witnessTimes.push((await timed(() => calculateWitness(input)))[1])
  const proofs = []
  for (let i = 0; i < runs; i++) {
    proofs.push(await prove(input))
    log(`proof ${i + 1}/${runs}: ${Math.round(proofs.at(-1)!.proveMs)} ms`)
  }
  const last = proofs.at(-1)!
  const [valid, verifyMs] = await timed(() => verify(last.proof, last.publicSignals))
  if (!valid) throw new Error('a fresh proof did not verify')
  // the peer: snarkjs on the same key and witness, in the same process
  const zkey = { type: 'mem' as const, data: new Uint8Array(readFileSync(CIRCUIT_FILES.zkey)) }
  const wtns = { type: 'mem' as const, data: wtnsFile(await calculateWitness(input)) }
  const snarkjsTimes: number[] = []
  for (let i = 0; i < runs; i++) {
    const [peer, ms] = await timed(() => snarkjs.groth16.prove(zkey, wtns))
    if (!(await verify(peer.proof, peer.publicSignals)))
      throw new Error("snarkjs's proof did not verify")
    snarkjsTimes.push(ms)
    log(`snarkjs proof ${i + 1}/${runs}: ${Math.round(ms)} ms`)
  }
  await releaseProver()
  const proveMs = median(proofs.map((p) => p.proveMs))
  const snarkjsProveMs = median(snarkjsTimes)
  return {
    constraints: readCircuitInfo()!.constraints,
    witnessMs: Math.round(median(witnessTimes)),
    proveMs: Math.round(proveMs),
    proveRuns: runs,
    snarkjsProveMs: Math.round(snarkjsProveMs),
    snarkjsProveRuns: runs,
    proveRatio: Math.round((proveMs / snarkjsProveMs) * 1000) / 1000,
    verifyMs: Math.round(verifyMs),
    verifyGas: await verifierGas(solidityCall(last.proof, last.publicSignals)),
  }
}
