/**
 * What the CLI touches of the outside world, injected so that a test runs a command in-process
 * and reads what it printed: stdout for results, stderr for logs, progress and errors, and how a
 * long-running command waits for Ctrl-C. Only main.ts builds one from `process`; nothing else
 * in src/cli writes to process.stdout/stderr or exits the process.
 */
import type { Logger, LogLevel } from '../core/logger.js';
import type { Interrupts } from './signals.js';

export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  /**
   * Resolves when the user asks a long-running command to stop (Ctrl-C, SIGTERM); default:
   * the process's signals (see signals.ts).
   */
  untilSignal?: (logger: Logger) => Promise<void>;
  /** How a long job (a sweep) hears Ctrl-C; default: the process's signals (see signals.ts). */
  interrupts?: (logger: Logger) => Interrupts;
  /** The environment (DFAAS_LOG_LEVEL, LB_LOG_LEVEL); default: process.env. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** What every command's action gets: the io and the global flags, with a logger made from them. */
export interface CliContext {
  io: CliIo;
  json: boolean;
  logLevel: LogLevel;
  logger: Logger;
  untilSignal: () => Promise<void>;
  interrupts: () => Interrupts;
}
