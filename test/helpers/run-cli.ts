/** Run the CLI in process, capturing what it prints and its exit code. */
import { main } from '../../aggregator/cli/main.ts'

/** `xmargin up`'s port flags, each 0: every part on a free port, so tests never collide. */
export const UP_ON_ANY_PORTS = [
  ...['--port', '0', '--guardian-port', '0', '--relayer-port', '0'],
  ...['--api-port', '0', '--venue-port', '0'],
] as const

export const BIN = new URL('../../aggregator/cli/bin.js', import.meta.url).pathname

export async function runCli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await main(argv, {
    out: (t) => {
      out += t
    },
    err: (t) => {
      err += t
    },
  })
  return { code, out, err }
}
