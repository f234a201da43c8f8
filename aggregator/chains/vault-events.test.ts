/** Decoding the vault's logs: what the devnet cannot produce on demand (an unknown refusal reason, logs out of order). */
import { encodeAbiParameters, encodeEventTopics, type Hex, type Log } from 'viem'
import { describe, expect, it } from 'vitest'
import { PAYOUT_REFUSED, vaultEventsFromLogs } from './vault-events.ts'

const ACCOUNT = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8'
const TOKEN = '0x5FbDB2315678afecb367f032d93F642f64180aa3'

function refusedLog(reason: number, blockNumber: bigint, logIndex: number): Log {
  return {
    address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
    topics: encodeEventTopics({
      abi: [PAYOUT_REFUSED],
      eventName: 'PayoutRefused',
      args: { id: 9n, account: ACCOUNT, token: TOKEN },
    }) as [Hex, ...Hex[]],
    data: encodeAbiParameters(
      [{ type: 'uint256' }, { type: 'uint8' }, { type: 'uint64' }],
      [5n, reason, 3n],
    ),
    blockNumber,
    logIndex,
    transactionHash: `0x${'ab'.repeat(32)}`,
    transactionIndex: 0,
    blockHash: `0x${'cd'.repeat(32)}`,
    removed: false,
  }
}

const times = new Map([
  [1n, 100],
  [2n, 102],
])

describe('vaultEventsFromLogs', () => {
  it.each([
    { code: 1, reason: 'expired' },
    { code: 2, reason: 'insufficient_balance' },
  ])('reads PayoutRefused reason $code as $reason', ({ code, reason }) => {
    expect(vaultEventsFromLogs([refusedLog(code, 1n, 0)], 'x', times)).toEqual([
      {
        chain: 'x',
        blockNumber: 1n,
        txHash: `0x${'ab'.repeat(32)}`,
        logIndex: 0,
        blockTime: 100,
        kind: 'payout_refused',
        id: 9n,
        account: ACCOUNT,
        token: TOKEN,
        amount: 5n,
        reason,
        sequence: 3n,
      },
    ])
  })

  it('refuses a reason it does not know, rather than drop the refusal', () => {
    expect(() => vaultEventsFromLogs([refusedLog(3, 1n, 0)], 'x', times)).toThrow(
      expect.objectContaining({ code: 'unknown_refusal_reason' }),
    )
  })

  it('returns events in (blockNumber, logIndex) order whatever order the node gave', () => {
    const logs = [refusedLog(1, 2n, 0), refusedLog(1, 1n, 7), refusedLog(1, 1n, 3)]
    const order = vaultEventsFromLogs(logs, 'x', times).map((e) => [e.blockNumber, e.logIndex])
    expect(order).toEqual([
      [1n, 3],
      [1n, 7],
      [2n, 0],
    ])
  })
})
