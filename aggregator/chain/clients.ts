/**
 * viem clients for one EVM chain, and the two calls everything else uses:
 * deploy a contract and send a transaction, each waiting for its receipt and
 * failing loudly on a revert.
 */
import {
  type Abi,
  type Account,
  type Address,
  BaseError,
  type Chain,
  type ContractFunctionArgs,
  type ContractFunctionName,
  ContractFunctionRevertedError,
  createPublicClient,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  type TransactionReceipt,
  type Transport,
  type WalletClient,
} from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { XmarginError } from '../errors.ts'

export interface ChainClients {
  readonly chain: Chain
  readonly public: PublicClient<Transport, Chain>
  readonly wallet: WalletClient<Transport, Chain, Account>
}

/** Local chains confirm in milliseconds: poll receipts that often. */
const POLLING_MS = 25

export function chainClients(
  rpcUrl: string,
  evmChainId: number,
  privateKey: Hex,
  name = `chain-${evmChainId}`,
): ChainClients {
  const chain = defineChain({
    id: evmChainId,
    name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  })
  const transport = http(rpcUrl, { retryCount: 0 })
  return {
    chain,
    public: createPublicClient({ chain, transport, pollingInterval: POLLING_MS }),
    wallet: createWalletClient({
      chain,
      transport,
      account: privateKeyToAccount(privateKey),
      pollingInterval: POLLING_MS,
    }),
  }
}

async function confirmed(c: ChainClients, hash: Hex, what: string): Promise<TransactionReceipt> {
  const receipt = await c.public.waitForTransactionReceipt({ hash, pollingInterval: POLLING_MS })
  if (receipt.status !== 'success') {
    throw new XmarginError(`${what} reverted`, {
      code: 'transaction_reverted',
      details: `tx ${hash}`,
    })
  }
  return receipt
}

export async function deployContract(
  c: ChainClients,
  artifact: { readonly abi: Abi; readonly bytecode: Hex },
  args: readonly unknown[] = [],
): Promise<{ address: Address; receipt: TransactionReceipt }> {
  const hash = await c.wallet.deployContract({
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    args,
  } as never)
  const receipt = await confirmed(c, hash, 'deployment')
  if (!receipt.contractAddress)
    throw new XmarginError('deployment created no contract', { code: 'transaction_reverted' })
  return { address: getAddress(receipt.contractAddress), receipt }
}

/**
 * Simulate (so a revert surfaces as a decoded custom error before any gas is
 * spent), then send and wait for the receipt.
 */
export async function sendTransaction<
  const abi extends Abi,
  name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
>(
  c: ChainClients,
  call: {
    address: Address
    abi: abi
    functionName: name
    args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', name>
    value?: bigint
  },
): Promise<TransactionReceipt> {
  const { request } = await c.public.simulateContract({
    ...call,
    account: c.wallet.account,
  } as never)
  const hash = await c.wallet.writeContract(request as never)
  return confirmed(c, hash, `${call.functionName}`)
}

/** The custom error (or reason) a failed contract call reverted with; undefined for other failures. */
export function revertName(err: unknown): string | undefined {
  if (!(err instanceof BaseError)) return undefined
  const reverted = err.walk((e) => e instanceof ContractFunctionRevertedError)
  return reverted instanceof ContractFunctionRevertedError
    ? (reverted.data?.errorName ?? reverted.reason)
    : undefined
}
