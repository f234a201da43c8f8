/**
 * Where a proof's circuit input comes from: the latest committed epoch's
 * tree and market table (the epochs capability's EpochService.proofInput),
 * or a refusal saying why there is none for this account.
 */
import type { Address } from 'viem'
import type { CircuitInput } from '../../circuits/witness.ts'

export type ProofInputRefusal = 'no_epoch' | 'not_indexed'

export type ProofInputAnswer =
  | { readonly epoch: bigint; readonly input: CircuitInput }
  | { readonly refused: ProofInputRefusal; readonly message: string }

export interface ProofInputs {
  inputFor(account: Address): Promise<ProofInputAnswer>
}

/** Until epochs are committed: every account is refused with no_epoch. */
export const NO_EPOCHS: ProofInputs = {
  inputFor: async () => ({
    refused: 'no_epoch',
    message: 'no epoch has been committed yet: there is no state root to prove against',
  }),
}
