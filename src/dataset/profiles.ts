/**
 * profiles/NAME.csv: one function's figures measured alone (the sampler's profiler mode), one row
 * per load window, the input of function grouping. The one definition of the row, its writer and
 * its reader: the sampler writes it from a single-function sweep's results.csv; forecast reads it.
 */
import { readInputFile, writeFileAtomic } from '../core/files.js';
import { cell, csvLines, parseNumberCell } from './cells.js';
import { DatasetFormatError } from './errors.js';
import type { FunctionResult, ResultRow } from './results.js';

/** A function's figures over one load window; `overloaded` is the node's verdict. */
export type ProfileRow = Omit<FunctionResult, 'replicas'>;

const COLUMNS = [
  'name',
  'rate',
  'success_rate',
  'cpu_usage',
  'ram_usage',
  'power_usage',
  'overloaded',
  'medium_latency',
] as const;
const HEADER = COLUMNS.join(',');

/** The profile rows of a single-function sweep's results.csv rows. */
export function profileRowsOf(results: ResultRow[]): ProfileRow[] {
  return results.flatMap((r) =>
    r.functions.map(({ replicas: _, ...f }) => ({ ...f, overloaded: r.node.overloaded })),
  );
}

/** Writes profiles/NAME.csv atomically; returns its path. */
export function writeProfileCsv(path: string, rows: ProfileRow[]): string {
  const lines = rows.map((r) =>
    [r.name, r.rate, r.successRate, r.cpuPct, r.ramBytes, r.powerMicrowatts, r.overloaded, r.meanLatencyMs]
      .map(cell)
      .join(','),
  );
  writeFileAtomic(path, `${[HEADER, ...lines].join('\n')}\n`);
  return path;
}

/**
 * Reads profiles/NAME.csv as written: `nan` cells are NaN (the caller decides what a missing
 * figure means), overloaded is 0, 1 or `nan` (not overloaded). Throws a DatasetFormatError
 * naming the file and the line for another header, a row of another width, an empty name, a
 * cell that is not a number, a `nan` rate or another overloaded value.
 */
export function readProfileCsv(path: string): ProfileRow[] {
  const [head, ...lines] = csvLines(readInputFile(path));
  const header = head?.number === 1 ? head.line : '';
  if (header !== HEADER)
    throw new DatasetFormatError(`${path} line 1: header is "${header}", expected "${HEADER}"`);
  return lines.map(({ line, number }) => {
    const where = `${path} line ${number}`;
    const cells = line.split(',');
    if (cells.length !== COLUMNS.length)
      throw new DatasetFormatError(`${where}: ${cells.length} cells, expected ${COLUMNS.length}`);
    const [name = '', ...rest] = cells;
    if (name === '') throw new DatasetFormatError(`${where}: empty name`);
    const [rate, successRate, cpuPct, ramBytes, powerMicrowatts, overloaded, meanLatencyMs] = rest.map(
      (text, c) => {
        // The writer writes every figure (`nan` when there is none): an empty cell is not one.
        const value = text === '' ? undefined : parseNumberCell(text);
        if (value === undefined)
          throw new DatasetFormatError(`${where}: ${COLUMNS[c + 1]} "${text}" is not a number`);
        return value;
      },
    ) as [number, number, number, number, number, number, number];
    if (Number.isNaN(rate)) throw new DatasetFormatError(`${where}: rate is nan`);
    if (overloaded !== 0 && overloaded !== 1 && !Number.isNaN(overloaded))
      throw new DatasetFormatError(`${where}: overloaded is ${overloaded}, expected 0 or 1`);
    return {
      name,
      rate,
      successRate,
      cpuPct,
      ramBytes,
      powerMicrowatts,
      overloaded: overloaded === 1,
      meanLatencyMs,
    };
  });
}
