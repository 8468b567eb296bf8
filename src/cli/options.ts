/**
 * Flag parsers and the global flags (--json, --log-level). Light on purpose: every command's
 * registration imports it, and `dfaas --version` must load no capability.
 */
import { InvalidArgumentError } from 'commander';
import { ConfigError } from '../core/errors.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../core/logger.js';
import type { CliContext, CliIo } from './io.js';
import { processInterrupts, untilSignal } from './signals.js';

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

/**
 * The environment variables that set the log level when --log-level is not given, first one set
 * wins: DFAAS_LOG_LEVEL, then LB_LOG_LEVEL (the reference's switch, `LB_LOG_LEVEL=DEBUG`).
 */
export const LOG_LEVEL_VARIABLES = ['DFAAS_LOG_LEVEL', 'LB_LOG_LEVEL'] as const;

/** Python's level names too (the reference's): WARNING is warn, CRITICAL is error. */
const LEVEL_ALIASES: Record<string, LogLevel> = { warning: 'warn', critical: 'error', fatal: 'error' };

/**
 * The run's log level: --log-level when given on the command line, else the first of
 * LOG_LEVEL_VARIABLES that is set (case-insensitive), else info. A bad value in a variable is
 * bad input naming it (exit 2).
 */
export function resolveLogLevel(
  flag: LogLevel | undefined,
  env: Readonly<Record<string, string | undefined>>,
): LogLevel {
  if (flag !== undefined) return flag;
  for (const name of LOG_LEVEL_VARIABLES) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    const value = raw.toLowerCase();
    if ((LOG_LEVELS as readonly string[]).includes(value)) return value as LogLevel;
    const alias = LEVEL_ALIASES[value];
    if (alias) return alias;
    throw new ConfigError('environment', [
      {
        field: name,
        message: `must be one of ${LOG_LEVELS.join(', ')} (any case; also warning, critical), got "${raw}"`,
      },
    ]);
  }
  return 'info';
}

export function cliContext(
  io: CliIo,
  opts: { json?: boolean; logLevel?: LogLevel },
  /** Whether --log-level was on the command line (else its default gives way to the environment). */
  logLevelFromFlag = opts.logLevel !== undefined,
): CliContext {
  const json = opts.json ?? false;
  const logLevel = resolveLogLevel(logLevelFromFlag ? opts.logLevel : undefined, io.env ?? process.env);
  const logger = createLogger({
    level: logLevel,
    json: json || !io.stderr.isTTY,
    write: (line) => io.stderr.write(line),
  });
  const wait = io.untilSignal ?? untilSignal;
  const interrupts = io.interrupts ?? processInterrupts;
  return {
    io,
    json,
    logLevel,
    logger,
    untilSignal: () => wait(logger),
    interrupts: () => interrupts(logger),
  };
}
