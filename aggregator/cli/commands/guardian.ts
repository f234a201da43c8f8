import { needsBuild } from '../../chain/built.ts'
import { chainClients } from '../../chain/clients.ts'
import { DEVNET_DEPLOYER_KEY } from '../../devnet/chains.ts'
import { type Command, EXIT_OK, parseFlags, portFlag } from '../command.ts'
import { manifestFlag } from '../wallet-flags.ts'

export const guardianCommand: Command = {
  name: 'guardian',
  summary: 'the devnet guardian: sign observed messages, serve them like Wormholescan',
  help: `Usage: xmargin guardian [--manifest FILE] [--port P]

Observes every chain of a devnet manifest and serves the VAAs it signs with
the published devnet guardian key at Wormholescan's path:
  GET /api/v1/vaas/{chain}/{emitter}/{sequence} -> { "data": { "vaa": base64 } }
(404 until the message exists). Point a relayer at it with
  "source": { "kind": "wormholescan", "baseUrl": "http://127.0.0.1:P" }.
'xmargin up' (npm start) runs one for you.

  --manifest FILE  devnet manifest (default build/devnet.json)
  --port P         HTTP port (default 7071)`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { manifest: { type: 'string' }, port: { type: 'string' } })
    const manifest = await manifestFlag(values.manifest)
    const port = portFlag(values.port, 'port', 7071)
    const [{ startGuardianServer }, { topologyFromManifest }] = await needsBuild(() =>
      Promise.all([
        import('../../../relayer/guardian-server.ts'),
        import('../../../relayer/topology.ts'),
      ]),
    )
    const topology = topologyFromManifest(manifest)
    const guardian = await startGuardianServer(
      topology.chains.map((chain) => ({
        chain,
        client: chainClients(chain.rpcUrl, chain.evmChainId, DEVNET_DEPLOYER_KEY).public,
      })),
      port,
    )
    io.err(`devnet guardian on ${guardian.url}/api/v1/vaas/{chain}/{emitter}/{sequence}\n`)
    await new Promise<void>((resolve) => {
      const stop = () => void guardian.close().then(resolve)
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    })
    return EXIT_OK
  },
}
