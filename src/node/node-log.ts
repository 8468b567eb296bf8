import { appendFileSync, closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * A cluster node's log and what it says about why the node exited. Each node of `dfaas cluster
 * up` appends its stdout and stderr to its log, runs after runs; it runs with --json, so an error
 * that ends it is its last line, one object with the error's code and message (src/cli/errors.ts).
 * That message is the cause `cluster up` prints, not only the log's path.
 */

/** The `event` of the line that opens each run of a node in its log. */
const START_EVENT = 'node-start';

/** How much of the log's end is read for the cause: the error and a few lines before it. */
const TAIL_BYTES = 64 * 1024;

/** Opens a run of `node` in its log (a line in the logger's JSON form), before its process starts. */
export function markNodeStart(log: string, node: string): void {
  const line = {
    time: new Date().toISOString(),
    level: 'info',
    message: `starting ${node}`,
    event: START_EVENT,
  };
  appendFileSync(log, `${JSON.stringify(line)}\n`);
}

/**
 * Why the node's last run ended (or is not working), from its log: the error it reported, else the
 * last error it logged; undefined when it said nothing (killed by a signal, or the log is gone).
 */
export function nodeFailureCause(log: string): string | undefined {
  let logged: string | undefined;
  for (const line of lastRun(log).reverse()) {
    const entry = jsonObject(line);
    if (typeof entry?.message !== 'string') continue;
    // The CLI's error report has a code and no level; log lines have a level.
    if (typeof entry.code === 'string' && entry.level === undefined) return entry.message;
    if (entry.level === 'error')
      logged ??= typeof entry.error === 'string' ? `${entry.message}: ${entry.error}` : entry.message;
  }
  return logged;
}

/** The lines of the log's end that the last run wrote (all of the end when no start line is there). */
function lastRun(log: string): string[] {
  const lines = tail(log).split('\n');
  const start = lines.findLastIndex((l) => jsonObject(l)?.event === START_EVENT);
  return lines.slice(start + 1);
}

function tail(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, TAIL_BYTES));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function jsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
