/**
 * The circuit's input for one account: its leaf (netted positions,
 * collateral, cash, salt), its place in the state tree, and the market rows
 * its holdings use, all from the same validated documents the engine reads.
 */
import { InputError } from '../aggregator/errors.ts'
import { instrumentKey, netPositions } from '../aggregator/risk/netting.ts'
import type { MarginInputs } from '../aggregator/risk/types.ts'
import {
  abs,
  ceilScaled,
  floorScaled,
  LIMITS,
  quantityUnits,
  requireBits,
  UNITS,
  USD,
} from './fixed-point.ts'
import { CAPACITY, type MarketRow, type MarketTable, NO_UNDERLYING } from './market-table.ts'
import type { Hasher } from './poseidon.ts'
import type { StateTree } from './trees.ts'

/** One holding as the leaf commits it. */
export interface LeafHolding {
  readonly index: number
  readonly qAbs: bigint
  readonly qNeg: 0 | 1
  readonly entry: bigint
}

export interface AccountLeaf {
  readonly accountId: bigint
  readonly salt: bigint
  readonly cashAbs: bigint
  readonly cashNeg: 0 | 1
  readonly positions: readonly LeafHolding[]
  readonly collateral: readonly LeafHolding[]
}

const POS_BITS = BigInt(CAPACITY.instrumentBits + 65) + LIMITS.entryPrice
const COL_BITS = BigInt(CAPACITY.assetBits + 65)
const EMPTY: LeafHolding = { index: 0, qAbs: 0n, qNeg: 0, entry: 0n }

function packHolding(h: LeafHolding, indexBits: number): bigint {
  const b = BigInt(indexBits)
  return BigInt(h.index) + (BigInt(h.qNeg) << b) + (h.qAbs << (b + 1n)) + (h.entry << (b + 65n))
}

function padded(xs: readonly LeafHolding[], n: number): LeafHolding[] {
  return [...xs, ...Array<LeafHolding>(n - xs.length).fill(EMPTY)]
}

/** Poseidon(accountId, salt, cash, positions two a field, collateral three a field). */
export function leafHash(hash: Hasher, leaf: AccountLeaf): bigint {
  return hash(leafFields(leaf))
}

/** The leaf's 14 field elements, as `leafHash` hashes them (for hashing many elsewhere). */
export function leafFields(leaf: AccountLeaf): bigint[] {
  const pos = padded(leaf.positions, CAPACITY.positions).map((h) =>
    packHolding(h, CAPACITY.instrumentBits),
  )
  const col = padded(leaf.collateral, CAPACITY.collateral).map((h) =>
    packHolding(h, CAPACITY.assetBits),
  )
  const fields = [leaf.accountId, leaf.salt, leaf.cashAbs + (BigInt(leaf.cashNeg) << 64n)]
  for (let f = 0; f < pos.length; f += 2) fields.push(pos[f]! + ((pos[f + 1] ?? 0n) << POS_BITS))
  for (let f = 0; f < col.length; f += 3)
    fields.push(
      col[f]! + ((col[f + 1] ?? 0n) << COL_BITS) + ((col[f + 2] ?? 0n) << (2n * COL_BITS)),
    )
  return fields
}

export function accountIdHash(hash: Hasher, accountId: bigint): bigint {
  return hash([accountId])
}

function capacity(field: string, what: string, count: number, max: number): void {
  if (count > max)
    throw new InputError(
      field,
      'out_of_range',
      `the circuit proves at most ${max} ${what} per account, got ${count}`,
    )
}

/**
 * The account's leaf in fixed point, rounded against it: cash and collateral
 * down; an entry price up for a long, down for a short. A netted linear
 * position whose average entry price cannot be committed (no net quantity,
 * or a negative average) moves its cost basis into cash instead.
 */
export function accountLeaf(
  inputs: MarginInputs,
  table: MarketTable,
  accountId: bigint,
  salt: bigint,
): AccountLeaf {
  const { portfolio } = inputs
  let cash = portfolio.cash
  const positions: LeafHolding[] = []
  for (const [i, p] of netPositions(portfolio.positions).entries()) {
    const q = quantityUnits(p.quantity, `portfolio.positions[${i}].quantity`)
    if (q === 0n && p.basis === 0) continue
    const field = `portfolio.positions[${i}]`
    let entry = 0n
    if (p.instrument.kind !== 'option') {
      const average = q === 0n ? -1 : p.basis / p.quantity
      if (average >= 0 && average * USD < 2 ** Number(LIMITS.entryPrice)) {
        entry =
          q > 0n
            ? ceilScaled(average, USD, `${field}.entryPrice`)
            : floorScaled(average, USD, `${field}.entryPrice`)
      } else {
        cash -= p.basis
      }
    }
    if (q === 0n) continue
    positions.push({
      index: table.instrumentIndex.get(instrumentKey(p.instrument))!,
      qAbs: requireBits(abs(q), LIMITS.quantity, `${field}.quantity`),
      qNeg: q < 0n ? 1 : 0,
      entry,
    })
  }
  const amounts = new Map<string, number>()
  for (const c of portfolio.collateral) amounts.set(c.asset, (amounts.get(c.asset) ?? 0) + c.amount)
  const collateral = [...amounts]
    .map(([asset, amount]) => ({
      index: table.assetIndex.get(asset)!,
      qAbs: requireBits(
        floorScaled(amount, UNITS, `portfolio.collateral.${asset}`),
        LIMITS.quantity,
        `portfolio.collateral.${asset}.amount`,
      ),
      qNeg: 0 as const,
      entry: 0n,
    }))
    .filter((c) => c.qAbs > 0n)
  capacity(
    'portfolio.positions',
    'positions (netted per instrument)',
    positions.length,
    CAPACITY.positions,
  )
  capacity('portfolio.collateral', 'collateral assets', collateral.length, CAPACITY.collateral)
  const cashUnits = floorScaled(cash, USD, 'portfolio.cash')
  return {
    accountId,
    salt,
    cashAbs: requireBits(abs(cashUnits), LIMITS.cash, 'portfolio.cash'),
    cashNeg: cashUnits < 0n ? 1 : 0,
    positions,
    collateral,
  }
}

export interface Statement {
  readonly stateRoot: bigint
  readonly marketRoot: bigint
  readonly epoch: bigint
  readonly accountIdHash: bigint
  /** The leaf's index: the hub's assignment for the account (E4), checked on chain. */
  readonly leafIndex: bigint
}

export type CircuitInput = Record<string, string | string[] | string[][] | string[][][]>

const str = (x: bigint | number) => x.toString()

/** Slots for the underlyings with price risk; unused slots get distinct values no tag can take. */
function slotsFor(rows: readonly MarketRow[]): bigint[] {
  const used = [
    ...new Set(rows.filter((r) => r.tag !== BigInt(NO_UNDERLYING)).map((r) => r.tag)),
  ].sort((a, b) => Number(a - b))
  capacity('portfolio', 'underlyings with price risk', used.length, CAPACITY.underlyings)
  return Array.from({ length: CAPACITY.underlyings }, (_, j) => used[j] ?? BigInt(100 + j))
}

/** The full circuit input for `leaf`, which must already sit at `leafIndex` of `state`. */
export function circuitInput(
  table: MarketTable,
  state: StateTree,
  leafIndex: number,
  leaf: AccountLeaf,
  epoch: bigint,
  hash: Hasher,
): { input: CircuitInput; statement: Statement } {
  const positions = padded(leaf.positions, CAPACITY.positions)
  const collateral = padded(leaf.collateral, CAPACITY.collateral)
  const rows = [
    ...positions.map((h) => (h.qAbs === 0n ? undefined : table.instruments[h.index]!)),
    ...collateral.map((h) => (h.qAbs === 0n ? undefined : table.assets[h.index]!)),
  ]
  const usedRows = rows.filter((r): r is MarketRow => r !== undefined)
  const slotU = slotsFor(usedRows)
  const zeroRow: MarketRow = { tag: 0n, mark: 0n, som: 0n, entries: Array(16).fill(0n) }
  const filled = rows.map((r) => r ?? zeroRow)
  const slotOf = filled.map((r, h) =>
    slotU.map((u) => (rows[h] !== undefined && r.tag === u ? '1' : '0')),
  )
  // an unused holding still needs exactly one slot unless its tag says "no risk"
  for (const [h, r] of rows.entries()) if (r === undefined) slotOf[h]![0] = '1'
  const path = state.path(leafIndex)
  const statement: Statement = {
    stateRoot: state.root,
    marketRoot: table.marketRoot,
    epoch,
    accountIdHash: accountIdHash(hash, leaf.accountId),
    leafIndex: BigInt(leafIndex),
  }
  const input: CircuitInput = {
    stateRoot: str(statement.stateRoot),
    marketRoot: str(statement.marketRoot),
    epoch: str(epoch),
    accountIdHash: str(statement.accountIdHash),
    leafIndex: str(leafIndex),
    accountId: str(leaf.accountId),
    salt: str(leaf.salt),
    cashAbs: str(leaf.cashAbs),
    cashNeg: str(leaf.cashNeg),
    stateSiblings: path.siblings.map(str),
    posIndex: positions.map((h) => str(h.index)),
    posQAbs: positions.map((h) => str(h.qAbs)),
    posQNeg: positions.map((h) => str(h.qNeg)),
    posEntry: positions.map((h) => str(h.entry)),
    colIndex: collateral.map((h) => str(h.index)),
    colAmount: collateral.map((h) => str(h.qAbs)),
    rowTag: filled.map((r) => str(r.tag)),
    rowMark: filled.map((r) => str(r.mark)),
    rowSom: filled.map((r) => str(r.som)),
    rowEntries: filled.map((r) => r.entries.map(str)),
    instrumentRows: table.instrumentDigests.map(str),
    assetRows: table.assetDigests.map(str),
    imFactor: str(table.params.imFactor),
    creditLegA: table.params.legA.map(str),
    creditLegB: table.params.legB.map(str),
    creditRate: table.params.rate.map(str),
    slotU: slotU.map(str),
    slotOf,
  }
  return { input, statement }
}
