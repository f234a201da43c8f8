/** Where each message goes: by emitter and payload kind, nowhere for anyone else. */
import { type Address, type Hex, pad } from 'viem'
import { describe, expect, it } from 'vitest'
import { encodePayload, type XMarginPayload } from '../contracts/payloads.ts'
import { route, type Topology } from './topology.ts'

const addr = (n: number) => pad(`0x${n.toString(16)}`, { size: 20 }) as Address
const T: Topology = {
  hubChain: 2,
  hub: addr(0xb0),
  chains: [2, 23].map((id) => ({
    name: `c${id}`,
    wormholeChainId: id,
    evmChainId: 1000 + id,
    rpcUrl: '',
    core: addr(id),
    vault: addr(0x100 + id),
    registry: addr(0x200 + id),
  })),
}
const universal = (a: Address): Hex => pad(a, { size: 32 })
const HUB = { chain: 2, emitter: universal(T.hub) }
const VAULT_23 = { chain: 23, emitter: universal(addr(0x117)) }
const STRANGER = { chain: 23, emitter: universal(addr(0xdead)) }
const word = pad('0x01', { size: 32 })

const indices: XMarginPayload = { kind: 'accountIndices', first: 4n, accountIdHashes: [word] }
const epochRoot: XMarginPayload = {
  kind: 'epochRoot',
  epoch: 1n,
  stateRoot: word,
  marketRoot: word,
  postedAt: 1n,
}
const registries = (method: string) =>
  T.chains.map((c) => ({ chain: c.wormholeChainId, contract: c.registry, method }))

describe('route', () => {
  it.each([
    ['an epoch root from the hub', HUB, epochRoot, registries('receiveEpochRoot')],
    ['account indices from the hub', HUB, indices, registries('receiveAccountIndices')],
    ['account indices from a vault', VAULT_23, indices, []],
    ['an epoch root from a stranger', STRANGER, epochRoot, []],
  ])('%s', (_, from, payload, targets) => {
    expect(route(T, from.chain, from.emitter, encodePayload(payload)).targets).toEqual(targets)
  })

  it('a malformed payload goes nowhere', () => {
    expect(route(T, HUB.chain, HUB.emitter, '0x0205')).toEqual({ kind: 'malformed', targets: [] })
  })
})
