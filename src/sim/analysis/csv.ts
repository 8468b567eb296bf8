import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigIssue } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/files.js';
import { INDEX_NAMES, type Indexes } from './indexes.js';
import type { ExperimentRow, ReplicationGroup } from './replications.js';
import type { RunAnalysis } from './success.js';

/**
 * The simulation framework's result files, byte for byte as pandas writes them (`to_csv`, comma,
 * `\n` line ends, minimal quoting, a float as Python's repr, a missing value as an empty field):
 * - index_comparison.csv (analyzer.py): one row per strategy, the seven indexes as columns, an
 *   unnamed first column: `,Mean success rate,…` then `base_strategy,76.6…,…`;
 * - experiment_results.csv (simulation_controller.py): Seed, Max overloaded percentage, Strategy and
 *   the seven indexes, one row per (experiment, percentage, strategy) in run order;
 * - experiment_mean_results.csv: N of experiments, Max overloaded percentage, Strategy and the
 *   index means by (percentage, strategy), sorted by both.
 *
 * Framework quirks kept, so that its tools read ours and ours read its:
 * - every index is a float column: 2774 rejected requests is written `2774.0`;
 * - "N of experiments" holds a value on the first row only (`3.0`), the other rows empty: the
 *   controller inserts a one-element Series, which pandas aligns on row 0 and fills with NaN.
 * - experiment_results.csv holds each index as the controller read it back from
 *   index_comparison.csv: pandas' default float parser (1.3 to 3.0) is not exact and moves the last
 *   digit of about a third of the values (1940013.9000000001 → 1940013.9). experimentRows does the
 *   same, so the results and mean files are the ones the framework's controller would write from
 *   our index_comparison.csv files.
 */

/** How the framework's files name a run's strategy: its STRATEGIES (`base_strategy`, …) in
 * framework mode, the dfaas strategy's name otherwise. */
export function strategyLabel(analysis: Pick<RunAnalysis, 'strategy' | 'compat'>): string {
  return analysis.compat === 'framework' ? `${analysis.strategy}_strategy` : analysis.strategy;
}

/**
 * Python's repr of a float (what pandas writes): the shortest digits that read back to the same
 * double, as JavaScript's String(x) has them, but laid out by Python's rule: positional for
 * 1e-4 ≤ |x| < 1e16 with at least one decimal (`2774.0`), otherwise scientific with a signed
 * exponent of at least two digits (`1e-05`, `1.5e+16`) where String gives `0.00001`,
 * `15000000000000000` or `1e-7`. Also `nan`, `inf`, `-inf` and `-0.0`.
 */
export function pythonFloat(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', exponent = ''] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const e = Number(exponent);
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  return `${sign}${digits.slice(0, e + 1).padEnd(e + 1, '0')}.${digits.slice(e + 1) || '0'}`;
}

/** A float cell: pandas writes a missing value (NaN) as an empty field. */
function floatCell(x: number): string {
  return Number.isNaN(x) ? '' : pythonFloat(x);
}

/** A numeric column as pandas types it: integers alone make an int column, else a float one. */
function numberColumn(values: readonly number[]): string[] {
  return values.every(Number.isSafeInteger) ? values.map(String) : values.map(floatCell);
}

/** Python csv's minimal quoting: a field with a comma, a quote or a line break is quoted. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((row) => `${row.map(quote).join(',')}\n`).join('');
}

/** One strategy's indexes on one run (a row of index_comparison.csv). */
export interface StrategyIndexes {
  strategy: string;
  indexes: Indexes;
}

export function indexComparisonCsv(rows: readonly StrategyIndexes[]): string {
  return csv(
    ['', ...INDEX_NAMES],
    rows.map((r) => [r.strategy, ...INDEX_NAMES.map((name) => floatCell(r.indexes[name]))]),
  );
}

/** The C parser's table of powers of ten (each literal correctly rounded). */
const POWERS_OF_TEN = Array.from({ length: 309 }, (_, n) => Number(`1e${n}`));

/**
 * A decimal number as pandas' read_csv reads it by default (precise_xstrtod, pandas 1.3 to 3.0):
 * the first 17 significant digits accumulated in a double, then one multiplication or division by
 * a power of ten. Not always the nearest double: "0.30000000000000004" reads as 0.3. For the
 * cells pythonFloat writes (no thousands separator, '.' decimal, 'e' exponent).
 */
export function pandasReadFloat(text: string): number {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null || `${m[2]}${m[3] ?? ''}` === '') return Number.NaN;
  const [, sign, whole = '', fraction = '', exp] = m;
  let number = 0;
  let digits = 0;
  let exponent = 0;
  for (const d of whole) {
    if (digits < 17) {
      number = number * 10 + Number(d);
      digits++;
    } else exponent++;
  }
  let decimals = 0;
  for (const d of fraction) {
    if (digits >= 17) break;
    number = number * 10 + Number(d);
    digits++;
    decimals++;
  }
  exponent += (exp === undefined ? 0 : Number(exp)) - decimals;
  if (sign === '-') number = -number;
  if (exponent > 308) return sign === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (exponent > 0) return number * (POWERS_OF_TEN[exponent] as number);
  if (exponent < -616) return 0;
  if (exponent < -308)
    return number / (POWERS_OF_TEN[-308 - exponent] as number) / (POWERS_OF_TEN[308] as number);
  return number / (POWERS_OF_TEN[-exponent] as number);
}

/**
 * The controller's step 4: one run's index_comparison rows as rows of experiment_results.csv, each
 * index as pandas reads back what pythonFloat wrote (NaN stays NaN).
 */
export function experimentRows(
  seed: number,
  percentage: number,
  comparison: readonly StrategyIndexes[],
): ExperimentRow[] {
  return comparison.map(({ strategy, indexes }) => ({
    seed,
    percentage,
    strategy,
    indexes: Object.fromEntries(
      INDEX_NAMES.map((name) => {
        const x = indexes[name];
        return [name, Number.isFinite(x) ? pandasReadFloat(pythonFloat(x)) : x];
      }),
    ) as Indexes,
  }));
}

const RESULT_COLUMNS = ['Seed', 'Max overloaded percentage', 'Strategy', ...INDEX_NAMES] as const;

export function experimentResultsCsv(rows: readonly ExperimentRow[]): string {
  const seeds = numberColumn(rows.map((r) => r.seed));
  const percentages = numberColumn(rows.map((r) => r.percentage));
  return csv(
    RESULT_COLUMNS,
    rows.map((r, i) => [
      seeds[i] as string,
      percentages[i] as string,
      r.strategy,
      ...INDEX_NAMES.map((name) => floatCell(r.indexes[name])),
    ]),
  );
}

/** The mean file; N of experiments is the largest group's row count (the controller's expnum). */
export function experimentMeanResultsCsv(groups: readonly ReplicationGroup[]): string {
  const experiments = Math.max(...groups.map((g) => g.rows));
  const percentages = numberColumn(groups.map((g) => g.percentage));
  return csv(
    ['N of experiments', 'Max overloaded percentage', 'Strategy', ...INDEX_NAMES],
    groups.map((g, i) => [
      i === 0 ? pythonFloat(experiments) : '',
      percentages[i] as string,
      g.strategy,
      ...INDEX_NAMES.map((name) => floatCell(g.indexes[name].mean)),
    ]),
  );
}

export function writeIndexComparison(file: string, rows: readonly StrategyIndexes[]): void {
  writeFileAtomic(file, indexComparisonCsv(rows));
}

export function writeExperimentResults(file: string, rows: readonly ExperimentRow[]): void {
  writeFileAtomic(file, experimentResultsCsv(rows));
}

export function writeExperimentMeanResults(file: string, groups: readonly ReplicationGroup[]): void {
  writeFileAtomic(file, experimentMeanResultsCsv(groups));
}

/** CSV records (quoted fields may hold commas, quotes and line breaks); blank lines skipped. */
function records(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = () => {
    row.push(field);
    if (row.length > 1 || row[0] !== '') out.push(row);
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r' || text[i + 1] !== '\n') field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return out;
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A float cell as pandas reads it: empty or nan is NaN, inf and -inf are infinite. */
function readFloat(cell: string): number | undefined {
  const lower = cell.toLowerCase();
  if (lower === '' || lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  return FLOAT.test(cell) ? Number(cell) : undefined;
}

/** experiment_results.csv's rows (the framework's or ours); bad input is a ConfigError naming row and column. */
export function parseExperimentResults(text: string, source: string): ExperimentRow[] {
  const [header, ...body] = records(text);
  if (header === undefined || header.join(',') !== RESULT_COLUMNS.join(','))
    throw new ConfigError(source, [
      { field: 'header', message: `expected the columns ${RESULT_COLUMNS.join(', ')}` },
    ]);
  const issues: ConfigIssue[] = [];
  const rows: ExperimentRow[] = [];
  body.forEach((cells, i) => {
    const line = `row ${i + 2}`;
    if (cells.length !== RESULT_COLUMNS.length) {
      issues.push({ field: line, message: `${cells.length} fields, expected ${RESULT_COLUMNS.length}` });
      return;
    }
    const [seedCell = '', percentageCell = '', strategy = '', ...indexCells] = cells;
    const seed = readFloat(seedCell);
    if (seed === undefined || !Number.isSafeInteger(seed))
      issues.push({ field: `${line}.Seed`, message: `not an integer: ${JSON.stringify(seedCell)}` });
    const percentage = readFloat(percentageCell);
    if (percentage === undefined || !Number.isFinite(percentage))
      issues.push({
        field: `${line}.Max overloaded percentage`,
        message: `not a number: ${JSON.stringify(percentageCell)}`,
      });
    if (strategy === '') issues.push({ field: `${line}.Strategy`, message: 'empty' });
    const indexes = {} as Indexes;
    INDEX_NAMES.forEach((name, k) => {
      const cell = indexCells[k] ?? '';
      const value = readFloat(cell);
      if (value === undefined)
        issues.push({ field: `${line}.${name}`, message: `not a number: ${JSON.stringify(cell)}` });
      else indexes[name] = value;
    });
    rows.push({ seed: seed ?? 0, percentage: percentage ?? 0, strategy, indexes });
  });
  if (issues.length > 0) throw new ConfigError(source, issues);
  return rows;
}

export function readExperimentResults(file: string): ExperimentRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [{ field: '', message: `cannot read: ${(err as Error).message}` }]);
  }
  return parseExperimentResults(text, file);
}
