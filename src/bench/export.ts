/**
 * `dfaas bench export`: the store's tables as files, one per table (`Invocation.csv`, …), every
 * column with its full precision (epoch seconds need more than the sampler's 3 decimals), JSON
 * columns as JSON text. CSV quoting is RFC 4180's; each file is written atomically.
 */
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { rowsOfRuns, selectRuns } from './runs.js';
import type { ResultsStore, StoreRow } from './store/contract.js';

export interface BenchExportOptions {
  /** A run (uuid or meta identifier); all runs when absent. */
  run?: string;
  format: 'csv' | 'json';
  out: string;
  /** Where `out` came from, for the error when it cannot be made (a flag: `command line`, `--out`). */
  outOrigin?: { source: string; field: string };
}

export interface BenchExportResult {
  dir: string;
  files: { table: string; path: string; rows: number }[];
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: readonly StoreRow[]): string {
  return [columns, ...rows.map((r) => columns.map((c) => r[c]))]
    .map((l) => `${l.map(csvField).join(',')}\r\n`)
    .join('');
}

export async function writeBenchExport(
  store: ResultsStore,
  opts: BenchExportOptions,
): Promise<BenchExportResult> {
  const runs = opts.run ? await selectRuns(store, [opts.run]) : await store.select('Experiment');
  ensureDir(opts.out, opts.outOrigin ?? { source: 'command line', field: '--out' });
  const files: BenchExportResult['files'] = [];
  for (const table of await store.tables()) {
    const rows = await rowsOfRuns(store, table.name, runs);
    const path = join(opts.out, `${table.name}.${opts.format}`);
    const columns = ['id', ...Object.keys(table.columns)];
    writeFileAtomic(
      path,
      opts.format === 'csv' ? toCsv(columns, rows) : `${JSON.stringify(rows, null, 1)}\n`,
    );
    files.push({ table: table.name, path, rows: rows.length });
  }
  return { dir: opts.out, files };
}
