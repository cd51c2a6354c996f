/**
 * @module
 * Structured logs (pino): JSON lines for machines, with the component that wrote them.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Options for {@link createLogger}. */
export interface LoggerOptions {
  /** Minimum level written. @default 'info' (or the SIMIAN_LOG_LEVEL environment variable) */
  level?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';
  /** Where lines go. @default standard error, so standard output stays free for command results */
  destination?: DestinationStream;
  /** Fields on every line, for example `{ component: 'daemon' }`. */
  bindings?: Record<string, unknown>;
}

/**
 * Creates a logger. Logs go to standard error by default: a command's `--json` output on standard output must
 * stay parseable.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env['SIMIAN_LOG_LEVEL'] as LoggerOptions['level']) ?? 'info';
  const logger = pino({ level, base: { pid: process.pid } }, options.destination ?? pino.destination(2));
  return options.bindings ? logger.child(options.bindings) : logger;
}

/** A logger that writes nothing: the default for library code that was given none. */
export const silentLogger: Logger = pino({ level: 'silent' });
