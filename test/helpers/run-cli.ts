/** Run the CLI in process, capturing what it prints and its exit code. */
import { main } from '../../aggregator/cli/main.ts'

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
