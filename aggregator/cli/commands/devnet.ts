import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { needsBuild } from '../../chain/built.ts'
import { DEFAULT_BASE_PORT, DEFAULT_CHAINS } from '../../devnet/defaults.ts'
import { type Command, EXIT_OK, parseFlags, portFlag, wholeNumberFlag } from '../command.ts'

export const DEFAULT_MANIFEST = join(
  fileURLToPath(new URL('../../..', import.meta.url)),
  'build/devnet.json',
)

export const devnetCommand: Command = {
  name: 'devnet',
  summary: 'run local chains with the genuine Wormhole core and xmargin contracts',
  help: `Usage: xmargin devnet [--chains N] [--port P] [--manifest FILE] [--json]

Starts one anvil per chain on 127.0.0.1 (the first chain is the hub), deploys
the genuine Wormhole core with the devnet guardian on each, test tokens (USDC 6
decimals, WETH 18, WBTC 8, each with a faucet), a MarginVault and a
SolvencyRegistry per chain and the MarginHub on the hub, registers the
emitters, and writes a manifest (RPC URLs, chain ids, every address). The
Groth16 verifier is bound at once if the circuit is built; otherwise the
circuit builds in the background (progress on stderr) and the verifier is
bound when it is done.
Runs until SIGINT or SIGTERM, then stops every chain.

  --chains N       chains including the hub, 2 to 5 (default ${DEFAULT_CHAINS})
  --port P         RPC port of the hub; spokes use the next ones (default ${DEFAULT_BASE_PORT})
  --manifest FILE  where to write the manifest (default build/devnet.json)
  --json           also print the manifest on stdout`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      chains: { type: 'string' },
      port: { type: 'string' },
      manifest: { type: 'string' },
      json: { type: 'boolean' },
    })
    const chains = wholeNumberFlag(values.chains, 'chains', DEFAULT_CHAINS)
    const basePort = portFlag(values.port, 'port', DEFAULT_BASE_PORT)
    const manifestPath = values.manifest ?? DEFAULT_MANIFEST
    const started = performance.now()
    const [{ startDevnet }, { bindWhenReady }, { progressBar }] = await needsBuild(() =>
      Promise.all([
        import('../../devnet/devnet.ts'),
        import('../../devnet/bind-when-ready.ts'),
        import('../../../circuits/progress-bar.ts'),
      ]),
    )
    const devnet = await startDevnet({ chains, basePort, manifestPath })
    if (values.json) io.out(`${JSON.stringify(devnet.manifest, null, 2)}\n`)
    const lines = devnet.manifest.chains.map(
      (c) =>
        `  ${c.name.padEnd(9)} ${c.role.padEnd(5)} ${c.rpcUrl}  evm ${c.evmChainId}  wormhole ${c.wormholeChainId}`,
    )
    io.err(
      `devnet up in ${Math.round(performance.now() - started)} ms; manifest ${manifestPath}\n${lines.join('\n')}\n${devnet.verifierBound ? '' : 'The verifier is bound once the circuit is built (below); the manifest then names it.\n'}Ctrl-C stops it.\n`,
    )
    // no circuit build yet (a fresh clone): build it in the background, then bind the verifier
    const binding = bindWhenReady(devnet, progressBar())
    await new Promise<void>((resolve) => {
      const stop = () => {
        void binding
          .stop()
          .then(() => devnet.stop())
          .then(resolve)
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    return EXIT_OK
  },
}
