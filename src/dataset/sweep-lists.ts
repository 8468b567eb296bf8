/**
 * index.csv and skipped.csv: a sweep's lists of configurations, in the reference DFaaS tools'
 * formats. index.csv maps each configuration with rows in results.csv to its file, one line per
 * configuration, `functions;rates;results_file` with Python list literals
 * (`['figlet', 'shasum'];[10, 20];results.csv`, read by ast.literal_eval); skipped.csv names each
 * configuration not run, in results.csv's way (`function_<name>,rate_function_<name>` per
 * function) plus dfaas's `reason`. dfaas's older `figlet,shasum;10,20;…` lines still read. The one
 * definition of both rows, their writers and their readers.
 */
import { existsSync } from 'node:fs';
import { readInputFile } from '../core/files.js';
import { csvLines, cutLineHint, parseNumberCell } from './cells.js';
import { DatasetFormatError } from './errors.js';

export interface IndexRow {
  rates: Record<string, number>;
  /** The results file holding the configuration's rows, relative to the sweep's folder. */
  resultsFile: string;
}

export interface SkippedRow {
  rates: Record<string, number>;
  reason: string;
  /** The iteration (from 0) the configuration was at when it was skipped; absent in older files. */
  iteration?: number;
  /** When it was skipped (ISO 8601); absent in older files. */
  skippedAt?: string;
}

/** What skipped.csv has after the reference's function columns: dfaas's, in this order. */
const SKIPPED_TAIL = ['reason', 'iteration', 'skipped_at'];

export const INDEX_HEADER = 'functions;rates;results_file';
/** skipped.csv's header as dfaas wrote it before it took the reference's. Still read. */
export const LEGACY_SKIPPED_HEADER = 'functions;rates;reason';

/** A key that tells configurations apart (`a,b;10,20`: names sorted, rates in that order). */
export function configurationKey(rates: Record<string, number>): string {
  const names = Object.keys(rates).sort();
  return `${names.join(',')};${names.map((n) => rates[n]).join(',')}`;
}

/** A number as Python's repr writes it (`10`, `2.5`, `1e-07`). */
function pyNumber(v: number): string {
  if (Number.isInteger(v)) return Math.abs(v) < 1e21 ? String(v + 0) : BigInt(v).toString();
  return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
}

/** A string as Python's repr writes it: single quotes, unless it holds ' and no ". */
function pyString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  return `${quote}${text.replace(/\\/g, '\\\\').replace(new RegExp(quote, 'g'), `\\${quote}`)}${quote}`;
}

/**
 * One index.csv line, as the reference writes it (its csv.writer with `;` over Python lists, read
 * back with ast.literal_eval): `['figlet', 'shasum'];[10, 20];results.csv`.
 */
export function indexLine(row: IndexRow): string {
  const names = Object.keys(row.rates).sort();
  return `[${names.map(pyString).join(', ')}];[${names.map((n) => pyNumber(row.rates[n] ?? 0)).join(', ')}];${row.resultsFile}`;
}

/**
 * skipped.csv's header: the reference's `function_<name>,rate_function_<name>` per function (name
 * order), then dfaas's `reason,iteration,skipped_at`.
 */
export function skippedHeader(allFunctions: readonly string[]): string {
  return [...allFunctions.flatMap((n) => [`function_${n}`, `rate_function_${n}`]), ...SKIPPED_TAIL].join(',');
}

/** A CSV cell quoted where it must be (as Python's csv module does): holding `,`, `"` or a line end. */
function quoted(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One skipped.csv line over `allFunctions` (name order): name and rate, empty for the others, then
 * the reason, the iteration and the time (empty where an older file did not record them).
 */
export function skippedLine(allFunctions: readonly string[], row: SkippedRow): string {
  return [
    ...allFunctions.flatMap((n) => (n in row.rates ? [n, pyNumber(row.rates[n] ?? 0)] : ['', ''])),
    quoted(row.reason.replace(/[\r\n]+/g, ' ')),
    row.iteration === undefined ? '' : String(row.iteration),
    row.skippedAt ?? '',
  ].join(',');
}

type Bad = (what: string) => DatasetFormatError;

/** The rates of names and their rate texts; a DatasetFormatError for an empty name, a name twice, or a bad rate. */
function ratesFrom(pairs: [string, string][], line: string, bad: Bad): Record<string, number> {
  const seen = new Set<string>();
  return Object.fromEntries(
    pairs.map(([name, text]): [string, number] => {
      if (name === '') throw bad(`an empty function name in "${line}"`);
      if (seen.has(name)) throw bad(`${name} twice in "${line}"`);
      seen.add(name);
      const rate = parseNumberCell(text);
      if (rate === undefined || !Number.isFinite(rate) || rate < 0)
        throw bad(`rate of ${name} is "${text}": not a number of 0 or more`);
      return [name, rate + 0]; // -0 is 0
    }),
  );
}

/** The items of a Python list literal of strings or numbers (`['a', 'b']`, `[10, 2.5]`); undefined when it is not one. */
function pyList(text: string): string[] | undefined {
  const m = /^\[(.*)\]$/.exec(text.trim());
  if (!m) return undefined;
  const body = (m[1] ?? '').trim();
  if (body === '') return [];
  const items: string[] = [];
  const item = /\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"|([^,'"\s]+))\s*(,|$)/y;
  let at = 0;
  while (at < body.length) {
    item.lastIndex = at;
    const found = item.exec(body);
    if (!found) return undefined;
    const str = found[1] ?? found[2];
    items.push(str !== undefined ? str.replace(/\\(.)/g, '$1') : (found[3] ?? ''));
    at = item.lastIndex;
    if (found[4] === '' && at < body.length) return undefined;
  }
  return items;
}

/**
 * One `names;rates;rest` line (index.csv, dfaas's older skipped.csv): names `a,b` or, with
 * `pythonLists`, also the reference's `['a', 'b']` (rates likewise), as many rates as names, the
 * rest (which may hold `;`) as it is.
 */
function semicolonLine(
  line: string,
  header: string,
  bad: Bad,
  { pythonLists }: { pythonLists: boolean },
): { rates: Record<string, number>; rest: string } {
  const [names, values, ...rest] = line.split(';');
  if (names === undefined || values === undefined || rest.length === 0)
    throw bad(`"${line}" is not ${header} (3 fields separated by ;)`);
  const python = pythonLists && names.trimStart().startsWith('[');
  const functions = python ? pyList(names) : names.split(',');
  const texts = python ? pyList(values) : values.split(',');
  if (functions === undefined || texts === undefined || (python && functions.length === 0))
    throw bad(`"${line}" does not hold Python lists of names and rates`);
  if (texts.length !== functions.length)
    throw bad(`${plural(texts.length, 'rate')} for ${plural(functions.length, 'function')} in "${line}"`);
  const rates = ratesFrom(
    functions.map((n, i) => [n, texts[i] ?? '']),
    line,
    bad,
  );
  return { rates, rest: rest.join(';') };
}

/**
 * index.csv's rows; none when the file does not exist. Each line is the reference's
 * `['a', 'b'];[10, 20];FILE` or dfaas's older `a,b;10,20;FILE`: names not empty and each once, as
 * many rates, each a decimal number of 0 or more. Anything else is a DatasetFormatError naming the
 * file and line, the last line cut short by a crash too.
 */
export function readIndex(path: string): IndexRow[] {
  if (!existsSync(path)) return [];
  const text = readInputFile(path);
  const [head, ...lines] = csvLines(text);
  if (head !== undefined && head.line !== INDEX_HEADER)
    throw new DatasetFormatError(`${path} line 1: header is "${head.line}", expected "${INDEX_HEADER}"`);
  return lines.map(({ line, number }) => {
    const bad: Bad = (what) =>
      new DatasetFormatError(`${path} line ${number}: ${what}${cutLineHint(text, number)}`);
    const { rates, rest } = semicolonLine(line, INDEX_HEADER, bad, { pythonLists: true });
    return { rates, resultsFile: rest };
  });
}

/** The cells of a CSV line, `"…"` cells unquoted (a quoted cell may hold `,` and `""`); undefined for a bad quote. */
function csvCells(line: string): string[] | undefined {
  const cells: string[] = [];
  const cellRe = /(?:"((?:[^"]|"")*)"|([^,"]*))(,|$)/y;
  let at = 0;
  for (;;) {
    cellRe.lastIndex = at;
    const found = cellRe.exec(line);
    if (!found) return undefined;
    cells.push(found[1] !== undefined ? found[1].replace(/""/g, '"') : (found[2] ?? ''));
    at = cellRe.lastIndex;
    if (found[3] === '') return at === line.length ? cells : undefined;
  }
}

/**
 * skipped.csv's rows; none when the file does not exist. The reference's columns
 * (`function_<name>,rate_function_<name>` per function, then dfaas's `reason`), or dfaas's older
 * `functions;rates;reason` lines. A line with another number of cells, a name in another
 * function's column, a rate that is not a number of 0 or more, or no function is a
 * DatasetFormatError naming the file and line, the last line cut short by a crash too (the sampler
 * removes such a line before it reads the file on resume, src/sampler/runner.ts).
 */
export function readSkipped(path: string): SkippedRow[] {
  if (!existsSync(path)) return [];
  const text = readInputFile(path);
  const [head, ...lines] = csvLines(text);
  if (head === undefined) return [];
  const badAt =
    (number: number): Bad =>
    (what) =>
      new DatasetFormatError(`${path} line ${number}: ${what}${cutLineHint(text, number)}`);
  if (head.line === LEGACY_SKIPPED_HEADER)
    return lines.map(({ line, number }) => {
      const { rates, rest } = semicolonLine(line, LEGACY_SKIPPED_HEADER, badAt(number), {
        pythonLists: false,
      });
      return { rates, reason: rest };
    });
  const columns = head.line.split(',');
  const names: string[] = [];
  for (let i = 0; i + 1 < columns.length; i += 2) {
    const m = /^function_(.+)$/.exec(columns[i] ?? '');
    if (!m?.[1] || columns[i + 1] !== `rate_function_${m[1]}`) break;
    names.push(m[1]);
  }
  // The reference's columns alone, then dfaas's reason, or reason,iteration,skipped_at.
  const tail = columns.slice(2 * names.length);
  if (names.length === 0 || ![0, 1, 3].includes(tail.length) || tail.some((c, i) => c !== SKIPPED_TAIL[i]))
    throw new DatasetFormatError(
      `${path} line 1: header is "${head.line}", expected function_NAME,rate_function_NAME per function, then ${SKIPPED_TAIL.join(',')}`,
    );
  return lines.map(({ line, number }) => {
    const bad = badAt(number);
    const cells = csvCells(line);
    if (cells === undefined || cells.length !== columns.length)
      throw bad(
        `"${line}" has ${cells ? plural(cells.length, 'cell') : 'a bad quote'}, expected ${columns.length} (the header's)`,
      );
    const pairs: [string, string][] = [];
    names.forEach((name, k) => {
      const [given, rate] = [cells[2 * k] ?? '', cells[2 * k + 1] ?? ''];
      if (given === '' && rate === '') return;
      if (given !== name) throw bad(`function_${name} is "${given}", expected "${name}"`);
      pairs.push([name, rate]);
    });
    if (pairs.length === 0) throw bad(`no function in "${line}"`);
    const [reason = '', iteration = '', skippedAt = ''] = cells.slice(2 * names.length);
    if (iteration !== '' && !/^\d+$/.test(iteration))
      throw bad(`iteration is "${iteration}", expected a whole number`);
    return {
      rates: ratesFrom(pairs, line, bad),
      reason,
      ...(iteration === '' ? {} : { iteration: Number(iteration) }),
      ...(skippedAt === '' ? {} : { skippedAt }),
    };
  });
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
