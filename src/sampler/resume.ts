import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { writeFileAtomic } from '../core/files.js';
import { csvText } from '../dataset/cells.js';
import {
  legacyResultsHeader,
  parseResults,
  ratesOf,
  resultsHeader,
  resultsLine,
} from '../dataset/results.js';
import { OutputDirInUseError } from './errors.js';
import { configId } from './plan.js';

export interface DoneRows {
  /** Rows already in results.csv, per configuration id. */
  iterations: Map<string, number>;
  /** Rows whose node was overloaded, per configuration id. */
  overloaded: Map<string, number>;
  /** The rates of each configuration seen, by id. */
  rates: Map<string, Record<string, number>>;
  /** The rates of every row, in file order (to rebuild index.csv). */
  rows: Record<string, number>[];
}

/**
 * What an interrupted run already wrote: results.csv is the record of truth. A last line cut by
 * a crash (no newline) is removed, so the rerun writes it whole once. The header must be the one
 * this sweep writes for `names` (sorted), or dfaas's older numbered one for as many functions with
 * rows naming only these functions; otherwise the folder belongs to another sweep (an
 * OutputDirInUseError). An older file is rewritten (atomically) in the reference's format, so the
 * rows appended next match it: its power converted to microwatts, its latencies (medians, then)
 * written in whole ms.
 */
export function readDoneRows(resultsPath: string, names: readonly string[]): DoneRows {
  const header = resultsHeader(names).join(',');
  const legacy = legacyResultsHeader(names.length).join(',');
  const done: DoneRows = { iterations: new Map(), overloaded: new Map(), rates: new Map(), rows: [] };
  if (!existsSync(resultsPath)) return done;
  const text = cutPartialLastLine(resultsPath);
  const first = text
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .find((l) => l !== '');
  if (first === undefined) return done;
  if (first !== header && first !== legacy) throw new OutputDirInUseError(resultsPath);
  const rows = parseResults(text, resultsPath);
  if (first !== header) {
    if (rows.some((r) => r.functions.some((f) => !names.includes(f.name))))
      throw new OutputDirInUseError(resultsPath);
    // Rate 0 took nan then; the reference writes success 1 and latency 0.
    const migrated = rows.map((r) => ({
      ...r,
      functions: r.functions.map((f) => (f.rate === 0 ? { ...f, successRate: 1, meanLatencyMs: 0 } : f)),
    }));
    writeFileAtomic(resultsPath, csvText([header, ...migrated.map((r) => resultsLine(names, r))]));
  }
  for (const row of rows) {
    const rates = ratesOf(row);
    const id = configId(rates);
    done.rows.push(rates);
    done.rates.set(id, rates);
    done.iterations.set(id, (done.iterations.get(id) ?? 0) + 1);
    if (row.node.overloaded) done.overloaded.set(id, (done.overloaded.get(id) ?? 0) + 1);
  }
  return done;
}

/**
 * Removes a last line that a crash cut short (no newline at its end) from a file the sweep appends
 * lines to, and returns the text left. Without this the next append would run on from the cut
 * line and make one garbled line of two; the rerun writes the cut record again, whole, once.
 */
export function cutPartialLastLine(path: string): string {
  if (!existsSync(path)) return '';
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end === text.length) return text;
  truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  return text.slice(0, end);
}
