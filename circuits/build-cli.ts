/**
 * `npm run build:circuits`: the contracts if needed, then the circuit under
 * the build lock with a progress bar (or, with --force, rebuilt regardless),
 * then the generated verifier's artifact. A file of its own: the modules it
 * loads import build.ts, which as the entry point would wait on them.
 */
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildCircuits, CIRCUIT_BUILD_DIR, type CircuitInfo } from './build.ts'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const log = (line: string) => process.stderr.write(`circuits: ${line}\n`)
const { ensureContractsBuilt } = await import('../contracts/build.ts')
ensureContractsBuilt()
let info: CircuitInfo
if (process.argv.includes('--force')) {
  info = (await buildCircuits({ force: true, log })).info
} else {
  // under the build lock, with the progress bar: never two builds at once
  const { ensureCircuits } = await import('./ensure.ts')
  const { progressBar } = await import('./progress-bar.ts')
  info = await ensureCircuits({ onStatus: progressBar() })
}
// the generated verifier's own artifact, so that nothing compiles it later
const { verifierArtifact } = await import('../contracts/verifier-artifact.ts')
verifierArtifact()
log(`up to date: ${info.constraints} constraints -> ${relative(ROOT, CIRCUIT_BUILD_DIR)}`)
process.exit(0)
