import { parseUnits } from 'viem'
import { needsBuild } from '../../chain/built.ts'
import { chainClients, sendTransaction } from '../../chain/clients.ts'
import { InputError } from '../../errors.ts'
import { type Command, EXIT_OK, parseFlags } from '../command.ts'
import {
  chainFlag,
  manifestFlag,
  privateKeyFlag,
  tokenFlag,
  WALLET_FLAGS,
  WALLET_HELP,
} from '../wallet-flags.ts'

export const depositCommand: Command = {
  name: 'deposit',
  summary: 'deposit collateral into a chain vault (devnet)',
  help: `Usage: xmargin deposit --chain NAME --token SYMBOL --amount X [--mint] [--manifest FILE] [--key K] [--json]

Approves the chain's MarginVault and deposits, paying the Wormhole message fee.
The vault publishes a collateral update that the relayer carries to the hub.

  --chain NAME     a chain of the manifest (ethereum, arbitrum, base, ...)
  --token SYMBOL   USDC, WETH or WBTC
  --amount X       in whole tokens, decimals allowed (2500, 0.5)
  --mint           first mint the amount from the devnet token faucet
${WALLET_HELP}
  --json           print the result as JSON`,
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      ...WALLET_FLAGS,
      chain: { type: 'string' },
      token: { type: 'string' },
      amount: { type: 'string' },
      mint: { type: 'boolean' },
      json: { type: 'boolean' },
    })
    const manifest = await manifestFlag(values.manifest)
    const chain = chainFlag(manifest, values.chain)
    const symbol = tokenFlag(values.token)
    const key = privateKeyFlag(values.key)
    const token = chain.tokens[symbol]
    if (values.amount === undefined || !/^\d+(\.\d+)?$/.test(values.amount)) {
      throw new InputError(
        '--amount',
        'wrong_type',
        `--amount must be a positive decimal number, got ${values.amount ?? 'nothing'}`,
      )
    }
    const amount = parseUnits(values.amount, token.decimals)
    if (amount === 0n) throw new InputError('--amount', 'out_of_range', '--amount must be > 0')

    const { MarginVault, TestToken } = await needsBuild(
      () => import('../../../build/contracts/artifacts.ts'),
    )
    const c = chainClients(chain.rpcUrl, chain.evmChainId, key, chain.name)
    const account = c.wallet.account.address
    if (values.mint) {
      await sendTransaction(c, {
        address: token.address,
        abi: TestToken.abi,
        functionName: 'faucet',
        args: [account, amount],
      })
    }
    await sendTransaction(c, {
      address: token.address,
      abi: TestToken.abi,
      functionName: 'approve',
      args: [chain.contracts.vault, amount],
    })
    const fee = await c.public.readContract({
      address: chain.contracts.wormhole,
      abi: [
        {
          type: 'function',
          name: 'messageFee',
          stateMutability: 'view',
          inputs: [],
          outputs: [{ name: '', type: 'uint256' }],
        },
      ],
      functionName: 'messageFee',
    })
    const receipt = await sendTransaction(c, {
      address: chain.contracts.vault,
      abi: MarginVault.abi,
      functionName: 'deposit',
      args: [token.address, amount],
      value: fee,
    })
    const result = {
      chain: chain.name,
      account,
      token: symbol,
      amount: values.amount,
      transaction: receipt.transactionHash,
    }
    io.out(
      values.json
        ? `${JSON.stringify(result)}\n`
        : `deposited ${values.amount} ${symbol} on ${chain.name} for ${account} (tx ${receipt.transactionHash})\n`,
    )
    return EXIT_OK
  },
}
