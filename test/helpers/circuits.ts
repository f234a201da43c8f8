/**
 * Tests that need the circuit's build (witness, proofs, the generated
 * verifier) wait for it here, in a beforeAll with CIRCUIT_WAIT_MS; every other
 * test runs without it. The build is started at the suite's start by
 * test/global-setup.ts in a child process, so it overlaps the other tests;
 * run alone, a file builds it itself. Either way the build lock makes sure
 * one process builds and the others wait.
 */
import { ensureCircuits } from '../../circuits/ensure.ts'

/** A phase-2 setup takes about 5 minutes on 2 cores, slower beside the rest of the suite. */
export const CIRCUIT_WAIT_MS = 20 * 60_000

export async function circuitsReady(): Promise<void> {
  await ensureCircuits()
}
