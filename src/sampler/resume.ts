import { existsSync, readFileSync, truncateSync } from 'node:fs';
import { parseResultLines } from '../dataset/results.js';
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
 * this configuration writes, or the folder belongs to another sweep.
 */
export function readDoneRows(resultsPath: string, header: string): DoneRows {
  const done: DoneRows = { iterations: new Map(), overloaded: new Map(), rates: new Map(), rows: [] };
  if (!existsSync(resultsPath)) return done;
  let text = readFileSync(resultsPath, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) {
    truncateSync(resultsPath, Buffer.byteLength(text.slice(0, end)));
    text = text.slice(0, end);
  }
  const lines = text.split('\n').filter((l) => l !== '');
  if (lines.length === 0) return done;
  if (lines[0] !== header) {
    throw new Error(
      `${resultsPath} has other columns than this sweep writes: use another output_dir or run_id`,
    );
  }
  for (const row of parseResultLines(header, lines.slice(1))) {
    const id = configId(row.rates);
    done.rows.push(row.rates);
    done.rates.set(id, row.rates);
    done.iterations.set(id, (done.iterations.get(id) ?? 0) + 1);
    if (row.cells.overloaded_node === '1') done.overloaded.set(id, (done.overloaded.get(id) ?? 0) + 1);
  }
  return done;
}
