/**
 * index.csv and skipped.csv: a sweep's lists of configurations, one line each,
 * `functions;rates;X` with the function names sorted and their rates in that order
 * (`figlet,shasum;10,20;…`). index.csv maps every results.csv row to its file
 * (`functions;rates;results_file`); skipped.csv names each configuration not run and why
 * (`functions;rates;reason`). The one definition of both rows, their writers and their readers.
 */
import { existsSync } from 'node:fs';
import { readInputFile } from '../core/files.js';
import { csvLines, cutLineHint, parseNumberCell } from './cells.js';
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

/**
 * The configuration and the rest (the third field, which may hold `;`) of each line of a list
 * file. Every line is `names;rates;rest`: names not empty and each once, as many rates, each a
 * decimal number of 0 or more. Anything else is a DatasetFormatError naming the file and line,
 * the last line cut short by a crash too (the sampler removes such a line before it reads the
 * file on resume, src/sampler/runner.ts, so a sweep resumes past a crash).
 */
function readList(path: string, header: string): { rates: Record<string, number>; rest: string }[] {
  if (!existsSync(path)) return [];
  const text = readInputFile(path);
  const [head, ...lines] = csvLines(text);
  if (head !== undefined && head.line !== header)
    throw new DatasetFormatError(`${path} line 1: header is "${head.line}", expected "${header}"`);
  return lines.map(({ line, number }) => {
    const bad = (what: string) =>
      new DatasetFormatError(`${path} line ${number}: ${what}${cutLineHint(text, number)}`);
    const [names, values, ...rest] = line.split(';');
    if (names === undefined || values === undefined || rest.length === 0)
      throw bad(`"${line}" is not ${header} (3 fields separated by ;)`);
    const functions = names.split(',');
    const texts = values.split(',');
    if (texts.length !== functions.length)
      throw bad(`${plural(texts.length, 'rate')} for ${plural(functions.length, 'function')} in "${line}"`);
    const seen = new Set<string>();
    const rates = functions.map((name, i): [string, number] => {
      if (name === '') throw bad(`an empty function name in "${line}"`);
      if (seen.has(name)) throw bad(`${name} twice in "${line}"`);
      seen.add(name);
      const text = texts[i] ?? '';
      const rate = parseNumberCell(text);
      if (rate === undefined || !Number.isFinite(rate) || rate < 0)
        throw bad(`rate of ${name} is "${text}": not a number of 0 or more`);
      return [name, rate + 0]; // -0 is 0
    });
    return { rates: Object.fromEntries(rates), rest: rest.join(';') };
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** index.csv's rows; none when the file does not exist. */
export function readIndex(path: string): IndexRow[] {
  return readList(path, INDEX_HEADER).map(({ rates, rest }) => ({ rates, resultsFile: rest }));
}

/** skipped.csv's rows; none when the file does not exist. */
export function readSkipped(path: string): SkippedRow[] {
  return readList(path, SKIPPED_HEADER).map(({ rates, rest }) => ({ rates, reason: rest }));
}
