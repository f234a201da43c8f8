/**
 * One local EVM chain: an anvil process from the npm package
 * @foundry-rs/anvil-linux-amd64 (or `anvil` on PATH elsewhere), bound to
 * 127.0.0.1, with the chain id we give it.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { dirname, join } from 'node:path'
import { XmarginError } from '../errors.ts'

export interface AnvilOptions {
  readonly port: number
  readonly chainId: number
  /** Seconds between blocks; omitted: a block per transaction (automine). */
  readonly blockTime?: number
  /**
   * A file the chain's state is loaded from (if present) and dumped to, every
   * second and on exit: stopping and starting again resumes the same chain.
   */
  readonly statePath?: string
}

export interface Anvil {
  readonly rpcUrl: string
  readonly port: number
  readonly chainId: number
  readonly process: ChildProcess
  stop(): Promise<void>
}

export function anvilBinary(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('@foundry-rs/anvil-linux-amd64/package.json')
    const bin = join(dirname(pkg), 'bin/anvil')
    if (existsSync(bin)) return bin
  } catch {
    // Not this platform's package: fall back to an anvil on PATH.
  }
  return 'anvil'
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      })
      if (res.ok) return
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new XmarginError(`anvil did not answer on ${url}`, {
    code: 'devnet_failed',
    details:
      child.exitCode === null
        ? `no answer within ${timeoutMs} ms`
        : `it exited with code ${child.exitCode}`,
  })
}

export async function startAnvil(options: AnvilOptions): Promise<Anvil> {
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port),
    '--chain-id',
    String(options.chainId),
    '--silent',
  ]
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime))
  if (options.statePath !== undefined)
    args.push('--state', options.statePath, '--state-interval', '1')
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000)
  })
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (cause) =>
      reject(new XmarginError('cannot start anvil', { code: 'devnet_failed', cause })),
    ),
  )
  const rpcUrl = `http://127.0.0.1:${options.port}`
  try {
    await Promise.race([waitForRpc(rpcUrl, child, 15_000), spawnError])
  } catch (err) {
    child.kill('SIGKILL')
    if (err instanceof XmarginError && stderr)
      throw new XmarginError(err.shortMessage, { code: err.code, details: stderr })
    throw err
  }
  return {
    rpcUrl,
    port: options.port,
    chainId: options.chainId,
    process: child,
    stop: () => stopChild(child),
  }
}

/** SIGTERM, then SIGKILL if it lingers; resolves once the process is gone. */
export function stopChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}
