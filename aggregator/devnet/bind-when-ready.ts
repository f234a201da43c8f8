/**
 * A devnet whose contracts are up before the circuit is: run the circuit's
 * setup in a child process and, once the proving key is ready, deploy and
 * bind the verifier on every chain. Until then the status is `setting_up`
 * (the child's progress); proofs work once it says `ready`.
 */
import { startCircuitSetup } from '../../circuits/setup-child.ts'
import type { CircuitStatus } from '../../circuits/setup-status.ts'
import type { XmarginError } from '../errors.ts'
import type { Devnet } from './devnet.ts'

export interface VerifierBinding {
  status(): CircuitStatus
  /** Resolves once bound (or failed: then status() says why). */
  readonly done: Promise<void>
  stop(): Promise<void>
}

export function bindWhenReady(
  devnet: Devnet,
  onStatus: (s: CircuitStatus) => void = () => {},
): VerifierBinding {
  if (devnet.verifierBound) {
    return { status: () => ({ state: 'ready' }), done: Promise.resolve(), stop: async () => {} }
  }
  let current: CircuitStatus = {
    state: 'setting_up',
    phase: 'starting',
    percent: 0,
    etaSeconds: null,
  }
  const set = (s: CircuitStatus) => {
    current = s
    onStatus(s)
  }
  // the child's `ready` means the key is; proofs are on only once the verifier is bound
  const setup = startCircuitSetup((s) => {
    if (s.state !== 'ready') set(s)
  })
  const done = setup.done.then(
    async () => {
      set({ state: 'setting_up', phase: 'binding the verifier', percent: 99, etaSeconds: 1 })
      try {
        await devnet.bindVerifier()
        set({ state: 'ready' })
      } catch (err) {
        const e = err as XmarginError
        set({ state: 'failed', reason: `binding the verifier: ${e.shortMessage ?? e.message}` })
      }
    },
    // the child reported its failure already
    () => {
      current = setup.status()
    },
  )
  return { status: () => current, done, stop: () => setup.stop() }
}
