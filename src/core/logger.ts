/**
 * The run's log settings and the logger every module takes (injected, never global).
 * Text lines on a terminal, JSON lines otherwise or with --json, always on stderr so stdout
 * stays for results.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  level: LogLevel;
  json: boolean;
  write?: (line: string) => void;
}

export function createLogger({ level, json, write = (l) => process.stderr.write(l) }: LoggerOptions): Logger {
  const threshold = LOG_LEVELS.indexOf(level);
  const emit =
    (lvl: Exclude<LogLevel, 'silent'>) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (LOG_LEVELS.indexOf(lvl) < threshold) return;
      if (json) {
        write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, message, ...fields })}\n`);
      } else {
        const extra = Object.entries(fields)
          .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
          .join(' ');
        write(`${lvl === 'info' ? '' : `${lvl}: `}${message}${extra ? ` ${extra}` : ''}\n`);
      }
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything, for library use and tests. */
export const silentLogger: Logger = createLogger({ level: 'silent', json: false });
