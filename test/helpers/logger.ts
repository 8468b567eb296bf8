import { createLogger, type Logger, type LogLevel } from '../../src/core/logger.js';

export interface LogEntry {
  level: Exclude<LogLevel, 'silent'>;
  message: string;
  [field: string]: unknown;
}

/** A logger at debug level that keeps what it logs: `lines` as written (JSON lines), `entries` parsed. */
export function recordingLogger(): { logger: Logger; lines: string[]; entries: LogEntry[] } {
  const lines: string[] = [];
  const entries: LogEntry[] = [];
  const logger = createLogger({
    level: 'debug',
    json: true,
    write: (line) => {
      lines.push(line);
      entries.push(JSON.parse(line) as LogEntry);
    },
  });
  return { logger, lines, entries };
}
