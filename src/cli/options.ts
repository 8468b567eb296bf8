/**
 * Flag parsers and the global flags (--json, --log-level). Light on purpose: every command's
 * registration imports it, and `dfaas --version` must load no capability.
 */
import { InvalidArgumentError } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from '../core/logger.js';
import type { CliContext, CliIo } from './io.js';
import { untilSignal } from './signals.js';

/**
 * A decimal number as people write it ("12", "-0.5", "1e3"), else NaN. Number() alone takes
 * "0x50" as 80, "0b1" as 1 and "" or " " as 0, so `--port 0x50` listened on 80 and `--port ''`
 * on a random port.
 */
export function parseDecimal(value: string): number {
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(value) ? Number(value) : Number.NaN;
}

/** A commander parser for a whole-number flag within [min, max]. */
export function intOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = parseDecimal(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
    }
    return n;
  };
}

export function logLevelOption(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return value as LogLevel;
}

export function cliContext(io: CliIo, opts: { json?: boolean; logLevel?: LogLevel }): CliContext {
  const json = opts.json ?? false;
  const logLevel = opts.logLevel ?? 'info';
  const logger = createLogger({
    level: logLevel,
    json: json || !io.stderr.isTTY,
    write: (line) => io.stderr.write(line),
  });
  const wait = io.untilSignal ?? untilSignal;
  return { io, json, logLevel, logger, untilSignal: () => wait(logger) };
}
