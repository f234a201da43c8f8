/** Why a withdrawal request was refused before anything was published. */
import { XmarginError } from '../errors.ts'

export class WithdrawalRefused extends XmarginError {
  override name = 'WithdrawalRefused'
  constructor(
    readonly reason:
      | 'exceeds_withdrawable'
      | 'unknown_token'
      | 'unknown_chain'
      | 'zero_amount'
      | 'stale_price',
    shortMessage: string,
    /** Base units that could be withdrawn now, where that is the reason. */
    readonly allowed?: bigint,
  ) {
    super(shortMessage, { code: reason })
  }
}
