/**
 * MarginVault's logs as the accounts read them: Deposited, PaidOut and
 * PayoutRefused decoded into VaultEvents. PayoutRefused is declared here
 * from its specified signature rather than taken from the artifact, so a
 * vault that emits it is read even by a build whose artifact predates it;
 * an artifact that declares it differently is refused (vaultEventAbi), never
 * misread.
 */
import { type AbiEvent, type Log, parseAbiItem, parseEventLogs } from 'viem'
import { MarginVault } from '../../build/contracts/artifacts.ts'
import { XmarginError } from '../errors.ts'
import type { EventOrigin, VaultEvent } from './chain-adapter.ts'

export const PAYOUT_REFUSED = parseAbiItem(
  'event PayoutRefused(uint64 indexed id, address indexed account, address indexed token, uint256 amount, uint8 reason, uint64 sequence)',
)

/** The vault's refusal reasons (uint8 on chain). */
export const REFUSAL_REASONS = { 1: 'expired', 2: 'insufficient_balance' } as const

const fromArtifact = (name: string) =>
  (MarginVault.abi as readonly { type: string; name?: string }[]).find(
    (x) => x.type === 'event' && x.name === name,
  ) as AbiEvent | undefined

const DEPOSITED = fromArtifact('Deposited')!
const PAID_OUT = fromArtifact('PaidOut')!

/** The shape of an event's inputs, as decoding depends on it. */
const shape = (e: AbiEvent): string =>
  e.inputs.map((i) => `${i.type}${i.indexed ? ' indexed' : ''}`).join()

/** The events to filter and decode; throws if the artifact's PayoutRefused is not the one decoded here. */
export function vaultEventAbi(): readonly AbiEvent[] {
  const declared = fromArtifact('PayoutRefused')
  if (declared && shape(declared) !== shape(PAYOUT_REFUSED)) {
    throw new XmarginError(
      'MarginVault declares PayoutRefused differently than the adapter reads it',
      {
        code: 'abi_mismatch',
        details: `artifact (${shape(declared)}), adapter (${shape(PAYOUT_REFUSED)})`,
      },
    )
  }
  return [DEPOSITED, PAID_OUT, PAYOUT_REFUSED]
}

/** Decode the vault's logs (all from final blocks of `chain`) into events in chain order. */
export function vaultEventsFromLogs(
  logs: readonly Log[],
  chain: string,
  times: ReadonlyMap<bigint, number>,
): VaultEvent[] {
  const origin = (log: Log): EventOrigin => ({
    chain,
    blockNumber: log.blockNumber!,
    txHash: log.transactionHash!,
    logIndex: log.logIndex!,
    blockTime: times.get(log.blockNumber!)!,
  })
  const paid = parseEventLogs({
    abi: MarginVault.abi,
    eventName: ['Deposited', 'PaidOut'],
    logs: [...logs],
  }).map(
    (log): VaultEvent =>
      log.eventName === 'Deposited'
        ? { ...origin(log), kind: 'deposit', ...log.args }
        : { ...origin(log), kind: 'payout', ...log.args },
  )
  const refused = parseEventLogs({ abi: [PAYOUT_REFUSED], logs: [...logs] }).map(
    (log): VaultEvent => {
      const at = origin(log)
      return {
        ...at,
        kind: 'payout_refused',
        ...log.args,
        reason: refusalReason(log.args.reason, at),
      }
    },
  )
  return [...paid, ...refused].sort(inChainOrder)
}

function refusalReason(code: number, at: EventOrigin) {
  const reason = REFUSAL_REASONS[code as keyof typeof REFUSAL_REASONS]
  // Loud, not skipped: a refusal the accounts never see would keep its reservation forever.
  if (reason === undefined) {
    throw new XmarginError(`PayoutRefused with an unknown reason ${code}`, {
      code: 'unknown_refusal_reason',
      details: `${at.chain} block ${at.blockNumber} tx ${at.txHash} log ${at.logIndex}`,
    })
  }
  return reason
}

/** (blockNumber, logIndex) ascending. */
export function inChainOrder(a: EventOrigin, b: EventOrigin): number {
  if (a.blockNumber !== b.blockNumber) return a.blockNumber < b.blockNumber ? -1 : 1
  return a.logIndex - b.logIndex
}
