import { type Address, formatUnits, isAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { needsBuild } from '../../chain/built.ts'
import { chainClients } from '../../chain/clients.ts'
import { DEVNET_DEPLOYER_KEY, DEVNET_TOKENS } from '../../devnet/chains.ts'
import { hubOf } from '../../devnet/manifest.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_OK, parseFlags } from '../command.ts'
import { manifestFlag, privateKeyFlag, WALLET_FLAGS, WALLET_HELP } from '../wallet-flags.ts'

export interface BalanceRow {
  readonly chain: string
  readonly token: string
  /** In the account's wallet. */
  readonly wallet: string
  /** In the chain's MarginVault. */
  readonly vault: string
  /** What the hub's ledger shows for that vault. */
  readonly hubLedger: string
}

export const balancesCommand: Command = {
  name: 'balances',
  summary: "an account's tokens, vault collateral and hub ledger on every chain (devnet)",
  help: `Usage: xmargin balances [--account ADDRESS | --key K] [--manifest FILE] [--json]

For each chain and token: the wallet balance, the collateral in the chain's
vault, and what the hub's ledger shows for that vault (it follows once the
relayer has delivered the collateral updates).

  --account ADDRESS  the account to show (default: the address of --key)
${WALLET_HELP}
  --json             print the rows as JSON`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      ...WALLET_FLAGS,
      account: { type: 'string' },
      json: { type: 'boolean' },
    })
    const manifest = await manifestFlag(values.manifest)
    let account: Address
    if (values.account !== undefined) {
      if (!isAddress(values.account))
        throw new InputError(
          '--account',
          'wrong_type',
          `--account must be an address, got ${values.account}`,
        )
      account = values.account
    } else {
      account = privateKeyToAccount(privateKeyFlag(values.key)).address
    }
    const { MarginHub, MarginVault, TestToken } = await needsBuild(
      () => import('../../../build/contracts/artifacts.ts'),
    )
    const hub = hubOf(manifest)
    const hubClient = chainClients(hub.rpcUrl, hub.evmChainId, DEVNET_DEPLOYER_KEY, hub.name).public
    const rows: BalanceRow[] = []
    for (const chain of manifest.chains) {
      const c = chainClients(chain.rpcUrl, chain.evmChainId, DEVNET_DEPLOYER_KEY, chain.name).public
      for (const t of DEVNET_TOKENS) {
        const token = chain.tokens[t.symbol].address
        const [wallet, vault, ledger] = await Promise.all([
          c.readContract({
            address: token,
            abi: TestToken.abi,
            functionName: 'balanceOf',
            args: [account],
          }),
          c.readContract({
            address: chain.contracts.vault,
            abi: MarginVault.abi,
            functionName: 'balanceOf',
            args: [account, token],
          }),
          hubClient.readContract({
            address: hub.contracts.hub,
            abi: MarginHub.abi,
            functionName: 'collateral',
            args: [account, chain.wormholeChainId, token],
          }),
        ])
        const fmt = (x: bigint) => formatUnits(x, t.decimals)
        rows.push({
          chain: chain.name,
          token: t.symbol,
          wallet: fmt(wallet),
          vault: fmt(vault),
          hubLedger: fmt(ledger),
        })
      }
    }
    if (values.json) {
      io.out(`${JSON.stringify({ account, balances: rows }, null, 2)}\n`)
    } else {
      const header = ['chain', 'token', 'wallet', 'vault', 'hub ledger']
      const table = [header, ...rows.map((r) => [r.chain, r.token, r.wallet, r.vault, r.hubLedger])]
      const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)))
      io.out(
        `account ${account}\n${table
          .map((r) =>
            r
              .map((x, i) => x.padEnd(widths[i]!))
              .join('  ')
              .trimEnd(),
          )
          .join('\n')}\n`,
      )
    }
    return EXIT_OK
  },
}
