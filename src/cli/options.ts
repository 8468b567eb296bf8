import { InvalidArgumentError } from 'commander';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from '../core/logger.js';

export interface GlobalOptions {
  json: boolean;
  logLevel: LogLevel;
  logger: Logger;
}

/** A commander parser for a whole-number flag within [min, max]. */
export function intOption(flag: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
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

export function globalOptions(opts: { json?: boolean; logLevel?: LogLevel }): GlobalOptions {
  const json = opts.json ?? false;
  const logLevel = opts.logLevel ?? 'info';
  return { json, logLevel, logger: createLogger({ level: logLevel, json: json || !process.stderr.isTTY }) };
}
