/** Reading JSON documents named on the command line, with errors that name the flag. */
import { open } from 'node:fs/promises'
import { InputError } from '../errors.ts'
import { parseJsonText } from '../risk/json-text.ts'

/** The largest document a command reads, as for an HTTP body. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024

export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  const text = await readBounded(path, flag)
  return parseJsonText(text, { root: flag, label: `--${flag}: ${path}` })
}

/** Reads at most MAX_DOCUMENT_BYTES, so a huge file (or /dev/zero) fails fast instead of filling memory. */
async function readBounded(path: string, flag: string): Promise<string> {
  try {
    const file = await open(path, 'r')
    try {
      const buffer = Buffer.alloc(MAX_DOCUMENT_BYTES + 1)
      let length = 0
      for (;;) {
        const { bytesRead } = await file.read(buffer, length, buffer.length - length)
        if (bytesRead === 0) break
        length += bytesRead
        if (length > MAX_DOCUMENT_BYTES) {
          throw new InputError(
            `--${flag}`,
            'too_long',
            `--${flag}: ${path} is larger than ${MAX_DOCUMENT_BYTES} bytes`,
          )
        }
      }
      return buffer.toString('utf8', 0, length)
    } finally {
      await file.close()
    }
  } catch (cause) {
    if (cause instanceof InputError) throw cause
    const reason = (cause as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new InputError(
      `--${flag}`,
      'invalid_argument',
      `--${flag}: cannot read ${path} (${reason})`,
      cause,
    )
  }
}
