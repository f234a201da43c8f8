/** Loading modules that need `npm run build` (the generated contract artifacts), with a clear error when it has not run. */
import { XmarginError } from '../errors.ts'

export async function needsBuild<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (cause) {
    const missing =
      (cause as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      String(cause).includes('build/contracts')
    if (!missing) throw cause
    throw new XmarginError('the contracts are not built', {
      code: 'not_built',
      details: "run 'npm run build' first",
      cause,
    })
  }
}
