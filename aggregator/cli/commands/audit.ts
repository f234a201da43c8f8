/**
 * `xmargin audit`: the trader's check of what the operator committed about
 * them (trust model: positions). For every posted epoch it fetches the
 * account's leaf opening and Merkle path (signed) and the published market
 * table, checks both against the roots the HUB holds (read from the hub's
 * chain, not from the operator), and margins the opened leaf again with the
 * circuit's witness. Exit 0 only when every epoch is ok (or has no leaf for
 * the account); 1 when one differs; 2 for bad input.
 */
import { createPublicClient, http } from 'viem'
import { MarginHub } from '../../../build/contracts/artifacts.ts'
import { poseidonHasher } from '../../../circuits/poseidon.ts'
import { calculateWitness, circuitFigures } from '../../../circuits/prover.ts'
import { hubOf } from '../../devnet/manifest.ts'
import { auditEpoch, type EpochAudit } from '../../epochs/audit.ts'
import { type Command, EXIT_FAILURE, EXIT_OK, parseFlags } from '../command.ts'
import { table, usd } from '../text-table.ts'
import { manifestFlag } from '../wallet-flags.ts'
import { API_FLAGS, API_HELP, clientFromFlags } from './account.ts'
import { circuitReady } from './prove.ts'

export const auditCommand: Command = {
  name: 'audit',
  summary: "check every posted epoch's leaf and market table against the hub's roots",
  help: `Usage: xmargin audit [--manifest FILE] [--json]

For every posted epoch: the account's leaf (opened with its path, a signed
request) must fold to the state root the hub holds, the published market
table must hash to the hub's market root, and the leaf is margined again
from those alone. Prints per epoch ok (with equity, MM and IM), absent (no
leaf for the account) or what differs. Exit 0 only when none differs.

${API_HELP}
  --manifest FILE    where the hub is (default build/devnet.json)
  --json             one JSON object`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      ...API_FLAGS,
      manifest: { type: 'string' },
      json: { type: 'boolean' },
    })
    const client = clientFromFlags(values)
    const hub = hubOf(await manifestFlag(values.manifest))
    const chain = createPublicClient({ transport: http(hub.rpcUrl) })
    await circuitReady((line) => io.err(line))
    const hash = await poseidonHasher()
    const margin = async (input: Parameters<typeof calculateWitness>[0]) =>
      circuitFigures(await calculateWitness(input))
    const audits: EpochAudit[] = []
    for (const e of await client.epochs()) {
      const [stateRoot, marketRoot] = await chain.readContract({
        address: hub.contracts.hub!,
        abi: MarginHub.abi,
        functionName: 'epochRoots',
        args: [BigInt(e.number)],
      })
      const opened = await client.epochOpening(e.number)
      audits.push(
        await auditEpoch(
          client.address,
          {
            epoch: BigInt(e.number),
            posted: { stateRoot: BigInt(stateRoot), marketRoot: BigInt(marketRoot) },
            market: await client.epochMarket(e.number),
            opening: opened && {
              leafIndex: BigInt(opened.leafIndex),
              opening: opened.opening,
              siblings: opened.siblings.map(BigInt),
            },
          },
          hash,
          margin,
        ),
      )
    }
    const ok = audits.every((a) => a.status !== 'differs')
    io.out(values.json ? `${JSON.stringify(report(client.address, audits, ok))}\n` : text(audits))
    return ok ? EXIT_OK : EXIT_FAILURE
  },
}

function report(account: string, audits: readonly EpochAudit[], ok: boolean) {
  return {
    account,
    ok,
    epochs: audits.map((a) => ({
      epoch: Number(a.epoch),
      status: a.status,
      differences: a.differences,
      ...(a.leafIndex !== undefined && { leafIndex: Number(a.leafIndex) }),
      ...(a.figures && { figures: a.figures }),
    })),
  }
}

function text(audits: readonly EpochAudit[]): string {
  if (audits.length === 0) return 'no epoch is posted yet\n'
  const rows = audits.map((a) => [
    String(a.epoch),
    a.status,
    a.figures ? usd(a.figures.equity) : '',
    a.figures ? usd(a.figures.maintenanceMargin) : '',
    a.figures ? usd(a.figures.initialMargin) : '',
    a.differences.join('; '),
  ])
  return `${table([['epoch', 'audit', 'equity', 'MM', 'IM', 'differs'], ...rows])}\n`
}
