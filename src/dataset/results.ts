/**
 * results.csv: one row per load window of a sweep, in the legacy DFaaS dataset columns (per
 * function in name order, index n, then the node's), so the reference notebooks read it
 * unchanged. The one definition of the row (FunctionResult, NodeResult), its writer and its
 * reader: the sampler writes it, resumes and reports from it; forecast learns from it.
 */
import { readInputFile } from '../core/files.js';
import { cell, csvLines, cutLineHint, parseNumberCell } from './cells.js';
import { DatasetFormatError } from './errors.js';

const FUNCTION_COLUMNS = [
  'function',
  'rate_function',
  'success_rate_function',
  'cpu_usage_function',
  'ram_usage_function',
  'power_usage_function',
  'replica',
  'overloaded_function',
  'medium_latency_function',
] as const;

const NODE_COLUMNS = [
  'cpu_usage_idle_node',
  'cpu_usage_node',
  'ram_usage_idle_node',
  'ram_usage_node',
  'ram_usage_idle_node_percentage',
  'ram_usage_node_percentage',
  'power_usage_idle_node',
  'power_usage_node',
  'rest_seconds',
  'overloaded_node',
] as const;

/** One function's figures over one load window (a results.csv function block; a profiles row). */
export interface FunctionResult {
  name: string;
  /** Requests per second sent. */
  rate: number;
  /** NaN when no request was sent (rate 0). */
  successRate: number;
  /** Percent of one core. */
  cpuPct: number;
  ramBytes: number;
  /** NaN where power is not measured. */
  powerW: number;
  replicas: number;
  overloaded: boolean;
  /** NaN when no request was answered. */
  medianLatencyMs: number;
}

/** The node's figures over one load window, beside its idle baseline. */
export interface NodeResult {
  idleCpuPct: number;
  /** Percent, one core = 100. */
  cpuPct: number;
  idleRamBytes: number;
  ramBytes: number;
  idleRamPct: number;
  ramPct: number;
  idlePowerW: number;
  powerW: number;
  /** How long the node rested (cooldown) before the load. */
  restSeconds: number;
  overloaded: boolean;
}

/** One results.csv row: the functions of the configuration (in column order) and the node. */
export interface ResultRow {
  functions: FunctionResult[];
  node: NodeResult;
}

/** results.csv's header for this many functions (sorted by name by the caller). */
export function resultsHeader(functionCount: number): string[] {
  const cols: string[] = [];
  for (let n = 0; n < functionCount; n++) for (const c of FUNCTION_COLUMNS) cols.push(`${c}_${n}`);
  return [...cols, ...NODE_COLUMNS];
}

/** One results.csv line over `allFunctions` (name order): cells of functions not in the row stay empty. */
export function resultsLine(allFunctions: string[], row: ResultRow): string {
  const byName = new Map(row.functions.map((f) => [f.name, f]));
  const { node } = row;
  return [
    ...allFunctions.flatMap((name) => {
      const f = byName.get(name);
      return f
        ? [
            f.name,
            f.rate,
            f.successRate,
            f.cpuPct,
            f.ramBytes,
            f.powerW,
            f.replicas,
            f.overloaded,
            f.medianLatencyMs,
          ].map(cell)
        : FUNCTION_COLUMNS.map(() => '');
    }),
    ...[
      node.idleCpuPct,
      node.cpuPct,
      node.idleRamBytes,
      node.ramBytes,
      node.idleRamPct,
      node.ramPct,
      node.idlePowerW,
      node.powerW,
      node.restSeconds,
      node.overloaded,
    ].map(cell),
  ].join(',');
}

/** The configuration of a row: its rate per function. */
export function ratesOf(row: ResultRow): Record<string, number> {
  return Object.fromEntries(row.functions.map((f) => [f.name, f.rate]));
}

/**
 * Reads results.csv text by column name (a dataset with columns in another order, or without
 * rest_seconds, reads too: a missing figure is NaN). Cells are read as `cell` writes them: a
 * decimal number (sign and exponent allowed), an infinity, or NaN for `nan` and an empty cell; a
 * flag (overloaded_node, a function's overloaded_function) is 0 or 1. Throws a DatasetFormatError
 * naming `source` and the line when the header is not a results.csv header (or names a column
 * twice), a row has another number of cells than the header or names a function twice, a rate is
 * not a number of 0 or more, a figure is not a number or a flag not 0 or 1. A last line cut short
 * by a crash is refused too, whatever the cut (fewer cells, or an empty overloaded_node): resume
 * removes it before it reads (src/sampler/resume.ts).
 */
export function parseResults(text: string, source: string): ResultRow[] {
  const [head, ...lines] = csvLines(text);
  const header = head?.line ?? '';
  if (!/^function_0,rate_function_0,/.test(header) || !header.includes('overloaded_node')) {
    throw new DatasetFormatError(`${source}: not a sampler results.csv (header ${header.slice(0, 40)}…)`);
  }
  const columns = header.split(',');
  const seen = new Set<string>();
  const twice = columns.find((c) => seen.has(c) || !seen.add(c));
  if (twice !== undefined)
    throw new DatasetFormatError(
      `${source}: not a sampler results.csv (column ${twice} twice in the header)`,
    );
  const count = columns.filter((c) => /^function_\d+$/.test(c)).length;
  return lines.map(({ line, number }) => {
    const bad = (what: string) =>
      new DatasetFormatError(`${source}:${number}: ${what}${cutLineHint(text, number)}`);
    const values = line.split(',');
    if (values.length !== columns.length)
      throw bad(
        `${values.length} cell${values.length === 1 ? '' : 's'}, expected ${columns.length} (the header's)`,
      );
    const cells = new Map(columns.map((c, i) => [c, values[i] ?? '']));
    /** The number in a column: NaN when the column is missing, an error when its cell is not a number. */
    const numberAt = (column: string): number => {
      const text = cells.get(column);
      if (text === undefined) return Number.NaN;
      const value = parseNumberCell(text);
      if (value === undefined) throw bad(`${column} "${text}" is not a number`);
      return value;
    };
    /** A flag: false when the column is missing, an error when its cell is not 0 or 1. */
    const flagAt = (column: string): boolean => {
      if (!cells.has(column)) return false;
      const value = numberAt(column);
      if (value !== 0 && value !== 1) throw bad(`${column} "${cells.get(column)}" is not 0 or 1`);
      return value === 1;
    };
    const functions: FunctionResult[] = [];
    const names = new Set<string>();
    for (let n = 0; n < count; n++) {
      const column = (name: (typeof FUNCTION_COLUMNS)[number]) => `${name}_${n}`;
      const name = cells.get(column('function'));
      if (!name) {
        // No function in this slot: its cells are empty as written, numbers at most.
        for (const c of FUNCTION_COLUMNS.slice(1)) numberAt(column(c));
        continue;
      }
      if (names.has(name)) throw bad(`${name} twice in the row`);
      names.add(name);
      const rateText = cells.get(column('rate_function')) ?? '';
      const rate = parseNumberCell(rateText);
      if (rate === undefined || !Number.isFinite(rate) || rate < 0)
        throw bad(`rate of ${name} is "${rateText}": not a number of 0 or more`);
      functions.push({
        name,
        rate,
        successRate: numberAt(column('success_rate_function')),
        cpuPct: numberAt(column('cpu_usage_function')),
        ramBytes: numberAt(column('ram_usage_function')),
        powerW: numberAt(column('power_usage_function')),
        replicas: numberAt(column('replica')),
        overloaded: flagAt(column('overloaded_function')),
        medianLatencyMs: numberAt(column('medium_latency_function')),
      });
    }
    return {
      functions,
      node: {
        idleCpuPct: numberAt('cpu_usage_idle_node'),
        cpuPct: numberAt('cpu_usage_node'),
        idleRamBytes: numberAt('ram_usage_idle_node'),
        ramBytes: numberAt('ram_usage_node'),
        idleRamPct: numberAt('ram_usage_idle_node_percentage'),
        ramPct: numberAt('ram_usage_node_percentage'),
        idlePowerW: numberAt('power_usage_idle_node'),
        powerW: numberAt('power_usage_node'),
        restSeconds: numberAt('rest_seconds'),
        overloaded: flagAt('overloaded_node'),
      },
    };
  });
}

/** Reads a results.csv file (see parseResults). */
export function readResults(path: string): ResultRow[] {
  return parseResults(readInputFile(path), path);
}
