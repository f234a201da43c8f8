/**
 * Our governance payloads read back through the Wormhole SDK's own layouts,
 * an encoder written independently of ours (the devnet tests then submit
 * them to the genuine core).
 */
import { toChain } from '@wormhole-foundation/sdk-base'
import { deserializePayload } from '@wormhole-foundation/sdk-definitions'
import { type Address, bytesToHex, hexToBytes, size } from 'viem'
import { describe, expect, it } from 'vitest'
import { DEVNET_GUARDIAN_ADDRESS } from './devnet-guardian.ts'
import {
  GOVERNANCE_CHAIN,
  GOVERNANCE_CONTRACT,
  governanceVaa,
  guardianSetUpgrade,
  setMessageFee,
} from './governance.ts'
import { parseVaa } from './verify.ts'

const DEVNET = DEVNET_GUARDIAN_ADDRESS as Address
const OTHER: Address = '0x00000000000000000000000000000000000000aa'

describe('core governance payloads', () => {
  it.each([
    { guardians: [DEVNET], index: 1, chain: 0 },
    { guardians: [DEVNET, OTHER], index: 7, chain: 23 },
  ])(
    'guardian set upgrade to set $index of $guardians.length on chain $chain',
    ({ guardians, index, chain }) => {
      const payload = guardianSetUpgrade(index, guardians, chain)
      expect(size(payload)).toBe(32 + 1 + 2 + 4 + 1 + 20 * guardians.length)
      expect(deserializePayload('WormholeCore:GuardianSetUpgrade', hexToBytes(payload))).toEqual({
        protocol: 'WormholeCore',
        action: 'GuardianSetUpgrade',
        chain: chain === 0 ? null : toChain(chain),
        actionArgs: { guardianSet: index, guardians: guardians.map((g) => g.toLowerCase()) },
      })
    },
  )

  it.each([
    { chain: 2, fee: 1n },
    { chain: 30, fee: 10n ** 15n },
    { chain: 23, fee: 2n ** 256n - 1n },
  ])('message fee $fee on chain $chain', ({ chain, fee }) => {
    const payload = setMessageFee(chain, fee)
    expect(size(payload)).toBe(32 + 1 + 2 + 32)
    expect(deserializePayload('WormholeCore:SetMessageFee', hexToBytes(payload))).toEqual({
      protocol: 'WormholeCore',
      action: 'SetMessageFee',
      chain: toChain(chain),
      actionArgs: { messageFee: fee },
    })
  })

  it.each([0, 256])('refuses a guardian set of %i guardians', (n) => {
    expect(() =>
      guardianSetUpgrade(
        1,
        Array.from({ length: n }, () => OTHER),
      ),
    ).toThrow(/1 to 255/)
  })

  it('a governance VAA comes from the governance emitter, signed by the given set', () => {
    const payload = setMessageFee(2, 5n)
    const vaa = parseVaa(
      hexToBytes(governanceVaa(payload, 9n, { keys: ['11'.repeat(32)], setIndex: 3 })),
    )
    expect({
      chain: vaa.emitterChain,
      emitter: vaa.emitterAddress.toString(),
      sequence: vaa.sequence,
      set: vaa.guardianSet,
      signatures: vaa.signatures.length,
      payload: bytesToHex(vaa.payload),
    }).toEqual({
      chain: toChain(GOVERNANCE_CHAIN),
      emitter: GOVERNANCE_CONTRACT,
      sequence: 9n,
      set: 3,
      signatures: 1,
      payload,
    })
  })
})
