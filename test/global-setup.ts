/**
 * Start the circuit build (it returns at once when the build in place is
 * current) in a child process as the suite starts, so the few tests that need
 * it (test/helpers/circuits.ts) wait less and the rest never wait. Stopped at
 * the end if still running.
 */
import { startCircuitSetup } from '../circuits/setup-child.ts'

export default function setup(): () => Promise<void> {
  const setup = startCircuitSetup()
  return () => setup.stop()
}
