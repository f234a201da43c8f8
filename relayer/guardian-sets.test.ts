/**
 * What GuardianSets asks the target core, and when: the current index once,
 * again only when a VAA names a newer set, and each set once (the one that
 * was current read again after an upgrade, since it got an expiry). The
 * devnet test (test/relayer-governance.test.ts) runs it against the genuine
 * core.
 */
import type { Address, Chain, PublicClient, Transport } from 'viem'
import { describe, expect, it } from 'vitest'
import { GuardianSets, GuardianSetUnknown } from './guardian-sets.ts'

const CORE: Address = '0x00000000000000000000000000000000000000c0'
const KEY = (i: number): Address => `0x${String(i).padStart(40, '0')}`

/** A core whose sets are [0..current], set i expiring at 1000 + i once replaced; it logs each read. */
function fakeCore(current: number) {
  const state = { current, reads: [] as string[] }
  const client = {
    async readContract({ functionName, args }: { functionName: string; args?: [number] }) {
      state.reads.push(args ? `${functionName}(${args[0]})` : functionName)
      if (functionName === 'getCurrentGuardianSetIndex') return state.current
      const i = args![0]
      return i > state.current
        ? { keys: [], expirationTime: 0 }
        : { keys: [KEY(i)], expirationTime: i === state.current ? 0 : 1000 + i }
    },
  }
  return {
    state,
    sets: new GuardianSets(CORE, client as unknown as PublicClient<Transport, Chain>),
  }
}

describe('GuardianSets', () => {
  it('reads the current index and its set once, however many VAAs name it', async () => {
    const { state, sets } = fakeCore(0)
    const got = await Promise.all([0, 0, 0].map((i) => sets.guardianSet(i)))
    await sets.guardianSet(0)
    expect(got[0]).toEqual({ index: 0, keys: [KEY(0)], expirationTime: 0 })
    expect(state.reads).toEqual(['getCurrentGuardianSetIndex', 'getGuardianSet(0)'])
  })

  it('after an upgrade, a VAA of the new set re-reads the index once, and the old set with its expiry', async () => {
    const { state, sets } = fakeCore(0)
    await sets.guardianSet(0)
    state.current = 1
    state.reads.length = 0
    const [a, b] = await Promise.all([sets.guardianSet(1), sets.guardianSet(1)])
    expect([a, b]).toEqual([
      { index: 1, keys: [KEY(1)], expirationTime: 0 },
      { index: 1, keys: [KEY(1)], expirationTime: 0 },
    ])
    expect(await sets.guardianSet(0)).toEqual({ index: 0, keys: [KEY(0)], expirationTime: 1000 })
    expect(state.reads).toEqual([
      'getCurrentGuardianSetIndex',
      'getGuardianSet(1)',
      'getGuardianSet(0)',
    ])
  })

  it('a VAA of an older set reads that set and not the index', async () => {
    const { state, sets } = fakeCore(2)
    await sets.guardianSet(2)
    state.reads.length = 0
    expect(await sets.guardianSet(0)).toEqual({ index: 0, keys: [KEY(0)], expirationTime: 1000 })
    expect(state.reads).toEqual(['getGuardianSet(0)'])
  })

  it('a set newer than the core has is unknown, and asked about again next time', async () => {
    const { state, sets } = fakeCore(0)
    await expect(sets.guardianSet(1)).rejects.toThrow(GuardianSetUnknown)
    await expect(sets.guardianSet(1)).rejects.toThrow(
      'guardian set 1 is not on the target core yet',
    )
    expect(state.reads.filter((r) => r === 'getCurrentGuardianSetIndex')).toHaveLength(3)
  })
})
