/**
 * A trader for bench:relay, in its own process so that publishing load does
 * not share the relayer's thread: approves once, prints {"ready":true}, waits
 * for the start time (unix ms) on stdin, then deposits at a steady rate
 * (not waiting for one to be mined before sending the next), printing
 * {"key":"<chain>:<sequence>","t":<unix ms>} when each is mined.
 */
import { createInterface } from 'node:readline'
import { encodeFunctionData, type Hex } from 'viem'
import { MarginVault, TestToken } from '../../build/contracts/artifacts.ts'
import { chainClients, sendTransaction } from '../chain/clients.ts'
import type { ChainManifest } from '../devnet/manifest.ts'

const { chain, key, count, perSecond } = JSON.parse(process.argv[2]!) as {
  chain: ChainManifest
  key: Hex
  count: number
  perSecond: number
}
const c = chainClients(chain.rpcUrl, chain.evmChainId, key)
const token = chain.tokens.USDC.address
await sendTransaction(c, {
  address: token,
  abi: TestToken.abi,
  functionName: 'faucet',
  args: [c.wallet.account.address, BigInt(count)],
})
await sendTransaction(c, {
  address: token,
  abi: TestToken.abi,
  functionName: 'approve',
  args: [chain.contracts.vault, BigInt(count)],
})
// The load generator stays lean (fixed gas, local nonce, receipt polled directly): it shares the CPU with what is measured.
const fees = await c.public.estimateFeesPerGas()
let nonce = await c.public.getTransactionCount({
  address: c.wallet.account.address,
  blockTag: 'pending',
})
// Ready: the bench says when to start (unix ms), once every publisher is set up.
process.stdout.write(`${JSON.stringify({ ready: true })}\n`)
const start = await new Promise<number>((resolve) => {
  createInterface({ input: process.stdin }).once('line', (line) => resolve(Number(line)))
})
const mined: Promise<void>[] = []
for (let n = 0; n < count; n++) {
  // Paced: message n goes out at start + n / perSecond, whether or not the ones before it are
  // mined yet, so the offered load does not sag when the chain answers slowly.
  const wait = start + (n * 1000) / perSecond - Date.now()
  if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  const hash = await c.wallet.sendTransaction({
    to: chain.contracts.vault,
    data: encodeFunctionData({ abi: MarginVault.abi, functionName: 'deposit', args: [token, 1n] }),
    gas: 300_000n,
    nonce: nonce++,
    ...fees,
  })
  mined.push(reportWhenMined(hash))
}
await Promise.all(mined)

/** Print the message's key and the time its deposit was first seen mined. */
async function reportWhenMined(hash: Hex): Promise<void> {
  let receipt = await c.public.getTransactionReceipt({ hash }).catch(() => null)
  while (!receipt) {
    await new Promise((r) => setTimeout(r, 2))
    receipt = await c.public.getTransactionReceipt({ hash }).catch(() => null)
  }
  const log = receipt.logs.find(
    (l) => l.address.toLowerCase() === chain.contracts.wormhole.toLowerCase(),
  )!
  // LogMessagePublished's data starts with the sequence word.
  process.stdout.write(
    `${JSON.stringify({ key: `${chain.wormholeChainId}:${BigInt(log.data.slice(0, 66))}`, t: Date.now() })}\n`,
  )
}
