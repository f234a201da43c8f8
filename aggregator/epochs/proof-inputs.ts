/**
 * The epochs as the proof jobs' input source (aggregator/proofs ProofInputs):
 * proofInput's refusals become answers, anything else stays an error.
 */
import type { ProofInputAnswer, ProofInputs } from '../proofs/inputs.ts'
import { EpochRefused, type EpochService } from './index.ts'

export function epochProofInputs(epochs: EpochService): ProofInputs {
  return {
    async inputFor(account): Promise<ProofInputAnswer> {
      try {
        const { epoch, input } = await epochs.proofInput(account)
        return { epoch, input }
      } catch (err) {
        if (
          err instanceof EpochRefused &&
          (err.reason === 'no_epoch' || err.reason === 'not_indexed')
        )
          return { refused: err.reason, message: err.shortMessage }
        throw err
      }
    },
  }
}
