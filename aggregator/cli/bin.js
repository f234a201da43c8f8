#!/usr/bin/env node
// The `xmargin` executable: loads the TypeScript sources through tsx, so a
// checkout runs without a build step.
import { register } from 'tsx/esm/api'

register()
// Modules across the CLI import the generated contract artifacts statically, so
// on a fresh clone they must exist before main.ts loads: build them (seconds,
// said on stderr; nothing when they are current).
const { ensureContractsBuilt } = await import('../../contracts/build.ts')
ensureContractsBuilt()
const { main } = await import('./main.ts')
process.exitCode = await main(process.argv.slice(2))
