/** The unix time of the blocks a batch of logs came from, for readers of events. */
import type { Chain, Log, PublicClient, Transport } from 'viem'

/**
 * The unix time of each block these logs are in: from the logs themselves
 * where the node reports blockTimestamp (anvil and recent clients do), else
 * read from the block, once per block.
 */
export async function blockTimes(
  logs: readonly Log[],
  client: PublicClient<Transport, Chain>,
): Promise<Map<bigint, number>> {
  const times = new Map<bigint, number>()
  const missing = new Set<bigint>()
  for (const log of logs) {
    const n = log.blockNumber!
    if (log.blockTimestamp != null) times.set(n, Number(log.blockTimestamp))
    else missing.add(n)
  }
  await Promise.all(
    [...missing]
      .filter((n) => !times.has(n))
      .map(async (n) => {
        times.set(n, Number((await client.getBlock({ blockNumber: n })).timestamp))
      }),
  )
  return times
}
