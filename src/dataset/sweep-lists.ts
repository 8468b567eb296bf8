/**
 * index.csv and skipped.csv: a sweep's lists of configurations, one line each,
 * `functions;rates;X` with the function names sorted and their rates in that order
 * (`figlet,shasum;10,20;…`). index.csv maps every results.csv row to its file
 * (`functions;rates;results_file`); skipped.csv names each configuration not run and why
 * (`functions;rates;reason`). The one definition of both rows, their writers and their readers.
 */
import { existsSync } from 'node:fs';
import { readInputFile } from '../core/files.js';
import { csvLines } from './cells.js';
import { DatasetFormatError } from './errors.js';

export interface IndexRow {
  rates: Record<string, number>;
  /** The results file holding the row, relative to the sweep's folder. */
  resultsFile: string;
}

export interface SkippedRow {
  rates: Record<string, number>;
  reason: string;
}

export const INDEX_HEADER = 'functions;rates;results_file';
export const SKIPPED_HEADER = 'functions;rates;reason';

/** A configuration as these lists write it, `a,b;10,20`: also the key that tells configurations apart. */
export function configurationKey(rates: Record<string, number>): string {
  const names = Object.keys(rates).sort();
  return `${names.join(',')};${names.map((n) => rates[n]).join(',')}`;
}

export function indexLine(row: IndexRow): string {
  return `${configurationKey(row.rates)};${row.resultsFile}`;
}

export function skippedLine(row: SkippedRow): string {
  return `${configurationKey(row.rates)};${row.reason}`;
}

/** The configuration and the rest (the third field, which may hold `;`) of each line of a list file. */
function readList(path: string, header: string): { rates: Record<string, number>; rest: string }[] {
  if (!existsSync(path)) return [];
  const [head, ...lines] = csvLines(readInputFile(path));
  if (head !== undefined && head.line !== header)
    throw new DatasetFormatError(`${path} line 1: header is "${head.line}", expected "${header}"`);
  return lines.map(({ line, number }) => {
    const [names = '', values = '', ...rest] = line.split(';');
    const functions = names.split(',');
    const rates = values.split(',').map(Number);
    if (names === '' || functions.length !== rates.length || rates.some((r) => !Number.isFinite(r)))
      throw new DatasetFormatError(`${path} line ${number}: "${line}" is not functions;rates;…`);
    return {
      rates: Object.fromEntries(functions.map((f, i) => [f, rates[i] as number])),
      rest: rest.join(';'),
    };
  });
}

/** index.csv's rows; none when the file does not exist. */
export function readIndex(path: string): IndexRow[] {
  return readList(path, INDEX_HEADER).map(({ rates, rest }) => ({ rates, resultsFile: rest }));
}

/** skipped.csv's rows; none when the file does not exist. */
export function readSkipped(path: string): SkippedRow[] {
  return readList(path, SKIPPED_HEADER).map(({ rates, rest }) => ({ rates, reason: rest }));
}
