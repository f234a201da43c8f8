/**
 * The generated Groth16 verifier as a deployable artifact: compiled on its
 * own from build/circuits/Groth16Verifier.sol once the circuit's setup has
 * made it, and cached beside it by the hash of its source and the compiler,
 * so the minutes-long circuit build never holds up the contracts build.
 */
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Hex } from 'viem'
import { XmarginError } from '../aggregator/errors.ts'
import { IGroth16Verifier } from '../build/contracts/artifacts.ts'
import { CIRCUIT_FILES } from '../circuits/build.ts'
import { compileSolidity, SETTINGS, SOLC_VERSION, writeAtomic } from './build.ts'

const SOURCE = 'generated/Groth16Verifier.sol'

export interface VerifierArtifact {
  readonly abi: typeof IGroth16Verifier.abi
  readonly bytecode: Hex
}

export function verifierArtifact(dir = join(CIRCUIT_FILES.verifier, '..')): VerifierArtifact {
  const sol = join(dir, 'Groth16Verifier.sol')
  if (!existsSync(sol)) {
    throw new XmarginError('the circuit is not built: no generated verifier', {
      code: 'not_built',
      details: `${sol} is missing; 'npm run build:circuits' makes it`,
    })
  }
  const source = readFileSync(sol, 'utf8')
  const inputHash = createHash('sha256')
    .update(JSON.stringify({ SETTINGS, solc: SOLC_VERSION }))
    .update(source)
    .digest('hex')
  const cache = join(dir, 'Groth16Verifier.json')
  if (existsSync(cache)) {
    const cached = JSON.parse(readFileSync(cache, 'utf8')) as { inputHash: string; bytecode: Hex }
    if (cached.inputHash === inputHash)
      return { abi: IGroth16Verifier.abi, bytecode: cached.bytecode }
  }
  const compiled = compileSolidity({ [SOURCE]: source })[SOURCE]?.['Groth16Verifier']
  if (!compiled) {
    throw new XmarginError('the generated verifier has no Groth16Verifier contract', {
      code: 'build_failed',
      details: sol,
    })
  }
  const bytecode: Hex = `0x${compiled.evm.bytecode.object}`
  writeAtomic(cache, JSON.stringify({ inputHash, bytecode }))
  return { abi: IGroth16Verifier.abi, bytecode }
}
