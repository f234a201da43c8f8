/** Structured JSON logs (pino) for every long-running component. */
import { type Logger, pino } from 'pino'

export type { Logger }

export function createLogger(name: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  return pino({ name, level })
}

/** A logger that writes nothing, for tests and one-shot commands. */
export const silentLogger: Logger = pino({ level: 'silent' })
