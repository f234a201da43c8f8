/**
 * The xmargin Wormhole payloads (version 2): the TypeScript codec every
 * component uses. Layouts are documented in contracts/README.md and mirrored
 * by contracts/src/libraries/XMarginPayloads.sol; tests round-trip the two.
 */
import { type Address, bytesToHex, encodePacked, getAddress, type Hex, hexToBytes } from 'viem'
import { XmarginError } from '../aggregator/errors.ts'

export const PAYLOAD_VERSION = 2

export const KIND = {
  collateralUpdate: 1,
  epochRoot: 2,
  withdrawalApproval: 3,
  liquidation: 4,
  accountIndices: 5,
} as const
/** withdrawal and seizure: paid; expired and insufficientBalance: refused by the vault, nothing moved. */
export const ACTION = {
  deposit: 1,
  withdrawal: 2,
  seizure: 3,
  expired: 4,
  insufficientBalance: 5,
} as const
export const PAYLOAD_LENGTH = {
  collateralUpdate: 117,
  epochRoot: 82,
  withdrawalApproval: 112,
  liquidation: 140,
} as const

/** accountIndices is the one variable-length layout: this header, then 32 bytes a hash. */
export const ACCOUNT_INDICES_HEADER = 11
export const MAX_ACCOUNT_INDICES = 32

function expectedLength(kind: PayloadKind, bytes: Uint8Array): number {
  if (kind !== 'accountIndices') return PAYLOAD_LENGTH[kind]
  const count = bytes[10] ?? 0
  return count >= 1 && count <= MAX_ACCOUNT_INDICES ? ACCOUNT_INDICES_HEADER + 32 * count : -1
}

export type PayloadKind = keyof typeof KIND
export type CollateralAction = keyof typeof ACTION

/**
 * A vault's report of an account's balance of a token after a deposit, or
 * after a payout it paid (withdrawal, seizure) or refused (expired,
 * insufficientBalance: the balance unchanged).
 */
export interface CollateralUpdate {
  readonly kind: 'collateralUpdate'
  readonly action: CollateralAction
  /** Wormhole chain id of the vault. */
  readonly chain: number
  readonly account: Address
  readonly token: Address
  readonly amount: bigint
  readonly balance: bigint
  /** 0 for a deposit; otherwise the hub's id of the payout this settles (never 0). */
  readonly payoutId: bigint
}

/** The hub's roots for an epoch, sent to every chain's registry. */
export interface EpochRoot {
  readonly kind: 'epochRoot'
  readonly epoch: bigint
  readonly stateRoot: Hex
  readonly marketRoot: Hex
  readonly postedAt: bigint
}

/** The state-tree leaf indices the hub assigned (E4): accountIdHashes[i] has index first + i. */
export interface AccountIndices {
  readonly kind: 'accountIndices'
  readonly first: bigint
  readonly accountIdHashes: readonly Hex[]
}

/** The hub's order to one vault to pay an account. */
export interface WithdrawalApproval {
  readonly kind: 'withdrawalApproval'
  readonly targetChain: number
  readonly vault: Address
  readonly id: bigint
  readonly account: Address
  readonly token: Address
  readonly amount: bigint
  /** Unix seconds: the vault pays while its block time is at most this, and refuses after. */
  readonly expiry: bigint
}

/** The hub's order to one vault to seize an account's collateral for `recipient`. */
export interface Liquidation extends Omit<WithdrawalApproval, 'kind'> {
  readonly kind: 'liquidation'
  readonly recipient: Address
  readonly epoch: bigint
}

export type XMarginPayload =
  | CollateralUpdate
  | EpochRoot
  | AccountIndices
  | WithdrawalApproval
  | Liquidation

/** A payload that is not one of the version-1 layouts. */
export class PayloadError extends XmarginError {
  override name = 'PayloadError'
  constructor(shortMessage: string) {
    super(shortMessage, { code: 'malformed_payload' })
  }
}

const head = (kind: PayloadKind) => [PAYLOAD_VERSION, KIND[kind]] as const

export function encodePayload(p: XMarginPayload): Hex {
  switch (p.kind) {
    case 'collateralUpdate':
      return encodePacked(
        ['uint8', 'uint8', 'uint8', 'uint16', 'address', 'address', 'uint256', 'uint256', 'uint64'],
        [
          ...head(p.kind),
          ACTION[p.action],
          p.chain,
          p.account,
          p.token,
          p.amount,
          p.balance,
          p.payoutId,
        ],
      )
    case 'epochRoot':
      return encodePacked(
        ['uint8', 'uint8', 'uint64', 'bytes32', 'bytes32', 'uint64'],
        [...head(p.kind), p.epoch, p.stateRoot, p.marketRoot, p.postedAt],
      )
    case 'accountIndices':
      return encodePacked(
        ['uint8', 'uint8', 'uint64', 'uint8', 'bytes32[]'],
        [...head(p.kind), p.first, p.accountIdHashes.length, [...p.accountIdHashes]],
      )
    case 'withdrawalApproval':
      return encodePacked(
        [
          'uint8',
          'uint8',
          'uint16',
          'address',
          'uint64',
          'address',
          'address',
          'uint256',
          'uint64',
        ],
        [...head(p.kind), p.targetChain, p.vault, p.id, p.account, p.token, p.amount, p.expiry],
      )
    case 'liquidation':
      return encodePacked(
        [
          'uint8',
          'uint8',
          'uint16',
          'address',
          'uint64',
          'address',
          'address',
          'uint256',
          'uint64',
          'address',
          'uint64',
        ],
        [
          ...head(p.kind),
          p.targetChain,
          p.vault,
          p.id,
          p.account,
          p.token,
          p.amount,
          p.expiry,
          p.recipient,
          p.epoch,
        ],
      )
  }
}

/** Reads big-endian fields in order. */
class Reader {
  #at = 2
  constructor(private readonly bytes: Uint8Array) {}
  uint(size: number): bigint {
    let v = 0n
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.bytes[this.#at + i]!)
    this.#at += size
    return v
  }
  small(size: number): number {
    return Number(this.uint(size))
  }
  address(): Address {
    const slice = this.bytes.subarray(this.#at, this.#at + 20)
    this.#at += 20
    return getAddress(bytesToHex(slice))
  }
  bytes32(): Hex {
    const slice = this.bytes.subarray(this.#at, this.#at + 32)
    this.#at += 32
    return bytesToHex(slice)
  }
}

export function decodePayload(payload: Hex | Uint8Array): XMarginPayload {
  const bytes = typeof payload === 'string' ? hexToBytes(payload) : payload
  const version = bytes[0]
  const kind = (Object.keys(KIND) as PayloadKind[]).find((k) => KIND[k] === bytes[1])
  if (
    version !== PAYLOAD_VERSION ||
    kind === undefined ||
    bytes.length !== expectedLength(kind, bytes)
  ) {
    throw new PayloadError(
      `not an xmargin v${PAYLOAD_VERSION} payload (version ${version}, kind ${bytes[1]}, ${bytes.length} bytes)`,
    )
  }
  const r = new Reader(bytes)
  switch (kind) {
    case 'collateralUpdate': {
      const code = r.small(1)
      const action = (Object.keys(ACTION) as CollateralAction[]).find((a) => ACTION[a] === code)
      if (!action) throw new PayloadError(`unknown collateral action ${code}`)
      const update: CollateralUpdate = {
        kind,
        action,
        chain: r.small(2),
        account: r.address(),
        token: r.address(),
        amount: r.uint(32),
        balance: r.uint(32),
        payoutId: r.uint(8),
      }
      // A deposit settles no payout; anything else settles exactly one (hub ids start at 1).
      if ((action === 'deposit') !== (update.payoutId === 0n))
        throw new PayloadError(`a ${action} update with payout id ${update.payoutId}`)
      return update
    }
    case 'epochRoot':
      return {
        kind,
        epoch: r.uint(8),
        stateRoot: r.bytes32(),
        marketRoot: r.bytes32(),
        postedAt: r.uint(8),
      }
    case 'accountIndices': {
      const first = r.uint(8)
      const count = r.small(1)
      return { kind, first, accountIdHashes: Array.from({ length: count }, () => r.bytes32()) }
    }
    case 'withdrawalApproval':
      return { kind, ...readPayout(r) }
    case 'liquidation':
      return { kind, ...readPayout(r), recipient: r.address(), epoch: r.uint(8) }
  }
}

/** The fields a withdrawal approval and a liquidation share, in layout order. */
function readPayout(r: Reader): Omit<WithdrawalApproval, 'kind'> {
  return {
    targetChain: r.small(2),
    vault: r.address(),
    id: r.uint(8),
    account: r.address(),
    token: r.address(),
    amount: r.uint(32),
    expiry: r.uint(8),
  }
}
