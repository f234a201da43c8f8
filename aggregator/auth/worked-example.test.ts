/** The client-author guide's worked example, checked byte for byte against the code. */
import { readFileSync } from 'node:fs'
import { hashDomain, hashStruct, hashTypedData, keccak256, toHex } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { REQUEST_TYPES, xmarginDomain } from './typed-data.ts'

const guide = readFileSync(new URL('./README.md', import.meta.url), 'utf8')
const block = /## A worked example[\s\S]*?```text\n([\s\S]*?)```/.exec(guide)![1]!
const v = Object.fromEntries(
  block
    .trim()
    .split('\n')
    .map((line) => {
      const [name, ...rest] = line.split(':')
      return [name!.trim(), rest.join(':').trim()]
    }),
) as Record<string, string>

describe('the worked example in aggregator/auth/README.md', () => {
  const signer = privateKeyToAccount(v['key'] as `0x${string}`)
  const domain = xmarginDomain(Number(v['chainId']), v['hub'] as `0x${string}`)
  const message = {
    account: v['account'] as `0x${string}`,
    chain: 23,
    token: v['token'] as `0x${string}`,
    amount: BigInt(v['amount']!),
    nonce: BigInt(v['nonce']!),
    expiry: BigInt(v['expiry']!),
  }
  const types = {
    EIP712Domain: [
      { name: 'name', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' },
      { name: 'verifyingContract', type: 'address' },
    ],
    ...REQUEST_TYPES,
  } as const

  it.each([
    ['account', () => signer.address],
    [
      'type',
      () => `Withdraw(${REQUEST_TYPES.Withdraw.map((f) => `${f.type} ${f.name}`).join(',')})`,
    ],
    ['typeHash', () => keccak256(toHex(v['type']!))],
    ['domainSeparator', () => hashDomain({ domain: domain as never, types })],
    ['structHash', () => hashStruct({ data: message, primaryType: 'Withdraw', types })],
    [
      'digest',
      () => hashTypedData({ domain, types: REQUEST_TYPES, primaryType: 'Withdraw', message }),
    ],
  ] as const)('%s', (name, compute) => {
    expect(compute()).toBe(v[name])
  })

  it('signature', async () => {
    expect(
      await signer.signTypedData({
        domain,
        types: REQUEST_TYPES,
        primaryType: 'Withdraw',
        message,
      }),
    ).toBe(v['signature'])
  })
})
