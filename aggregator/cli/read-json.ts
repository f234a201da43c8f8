/** Reading JSON documents named on the command line, with errors that name the flag. */
import { readFile } from 'node:fs/promises'
import { InputError } from '../errors.ts'

export async function readJsonFile(path: string, flag: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new InputError(
      `--${flag}`,
      'invalid_argument',
      `--${flag}: cannot read ${path} (${reason})`,
      cause,
    )
  }
  try {
    return JSON.parse(text)
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : 'parse error'
    throw new InputError(
      `--${flag}`,
      'invalid_json',
      `--${flag}: ${path} is not valid JSON (${reason})`,
      cause,
    )
  }
}
