/**
 * results.csv: one row per load window of a sweep, byte for byte in the reference DFaaS tools'
 * format (the lb_plugins `dfaas` plugin, the legacy samples-generator): per function in name
 * order the columns named after it, then the node's, so the reference notebooks read it
 * unchanged. The one definition of the row (FunctionResult, NodeResult), its writer and its
 * reader: the sampler writes it, resumes and reports from it; forecast learns from it.
 */
import { readInputFile } from '../core/files.js';
import { cell, csvLines, cutLineHint, floatCell, intCell, parseNumberCell } from './cells.js';
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
  /** Share of requests answered 2xx; 1 when no request was sent (rate 0), as the reference writes. */
  successRate: number;
  /** Percent of one core. */
  cpuPct: number;
  ramBytes: number;
  /** Microwatts (Scaphandre's unit, unscaled); NaN where power is not measured. */
  powerMicrowatts: number;
  replicas: number;
  overloaded: boolean;
  /**
   * The mean latency in ms (`medium_latency_function_<name>`, written truncated to whole ms as the
   * reference's `int(avg)`); 0 when no request was sent. Files dfaas wrote before held the median.
   */
  meanLatencyMs: number;
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
  /** Microwatts; NaN where power is not measured. */
  idlePowerMicrowatts: number;
  powerMicrowatts: number;
  /** How long the node rested (cooldown) before the load, written in whole seconds. */
  restSeconds: number;
  overloaded: boolean;
}

/** One results.csv row: the functions of the configuration (in column order) and the node. */
export interface ResultRow {
  functions: FunctionResult[];
  node: NodeResult;
}

/**
 * results.csv's header for these functions (sorted by name by the caller), the reference's:
 * `function_<name>, rate_function_<name>, …, medium_latency_function_<name>` per function, then
 * the node's columns.
 */
export function resultsHeader(names: readonly string[] | number): string[] {
  // A count: the older numbered header (kept for callers not yet passing the names).
  if (typeof names === 'number') return legacyResultsHeader(names);
  return [...names.flatMap((name) => FUNCTION_COLUMNS.map((c) => `${c}_${name}`)), ...NODE_COLUMNS];
}

/**
 * The header dfaas wrote before it named the columns after the functions: `function_0,
 * rate_function_0, …` by position in name order. Still read, and resumed (src/sampler/resume.ts).
 */
export function legacyResultsHeader(functionCount: number): string[] {
  return resultsHeader(Array.from({ length: functionCount }, (_, n) => String(n)));
}

/**
 * One results.csv line over `allFunctions` (name order), formatted as the reference writes it:
 * figures with 3 decimals (`1.000`, `nan`), rate as given, replicas, latency and rest in whole
 * numbers, flags 0/1, and empty cells for functions not in the row.
 */
export function resultsLine(allFunctions: readonly string[], row: ResultRow): string {
  const byName = new Map(row.functions.map((f) => [f.name, f]));
  const { node } = row;
  return [
    ...allFunctions.flatMap((name) => {
      const f = byName.get(name);
      return f
        ? [
            f.name,
            cell(f.rate),
            floatCell(f.successRate),
            floatCell(f.cpuPct),
            floatCell(f.ramBytes),
            floatCell(f.powerMicrowatts),
            intCell(f.replicas),
            cell(f.overloaded),
            intCell(f.meanLatencyMs),
          ]
        : FUNCTION_COLUMNS.map(() => '');
    }),
    ...[
      node.idleCpuPct,
      node.cpuPct,
      node.idleRamBytes,
      node.ramBytes,
      node.idleRamPct,
      node.ramPct,
      node.idlePowerMicrowatts,
      node.powerMicrowatts,
    ].map(floatCell),
    intCell(node.restSeconds),
    cell(node.overloaded),
  ].join(',');
}

/** The configuration of a row: its rate per function. */
export function ratesOf(row: ResultRow): Record<string, number> {
  return Object.fromEntries(row.functions.map((f) => [f.name, f.rate]));
}

/**
 * The function blocks of a results.csv header: the keys K of its `function_K` columns, in order.
 * `legacy` when the keys are 0..n-1 (dfaas's header before the columns were named after the
 * functions; a row then names its functions in the `function_K` cells).
 */
export function resultsHeaderKeys(columns: readonly string[]): { keys: string[]; legacy: boolean } {
  const keys = columns.flatMap((c) => {
    const m = /^function_(.+)$/.exec(c);
    return m?.[1] !== undefined && columns.includes(`rate_function_${m[1]}`) ? [m[1]] : [];
  });
  return { keys, legacy: keys.every((k, n) => k === String(n)) };
}

/**
 * Reads results.csv text by column name, in the reference's header (`function_<name>`, …) or in
 * the one dfaas wrote before (`function_0`, … by position): a dataset with columns in another
 * order, or without rest_seconds, reads too (a missing figure is NaN). Cells are read as the
 * writer writes them: a decimal number (sign and exponent allowed), an infinity, or NaN for `nan`
 * and an empty cell; a flag (overloaded_node, a function's overloaded_function) is 0 or 1. Power
 * is returned in microwatts: the older files' watts are converted (a file is older when its
 * header numbers the functions and its rows name them otherwise). Throws a DatasetFormatError
 * naming `source` and the line when the header is not a results.csv header (or names a column
 * twice), a row has another number of cells than the header, names a function twice or, in the
 * reference's header, names in `function_<name>` another function, a rate is not a number of 0 or
 * more, a figure is not a number or a flag not 0 or 1. A last line cut short by a crash is refused
 * too, whatever the cut (fewer cells, or an empty overloaded_node): resume removes it before it
 * reads (src/sampler/resume.ts).
 */
export function parseResults(text: string, source: string): ResultRow[] {
  const [head, ...lines] = csvLines(text);
  const header = head?.line ?? '';
  if (!/^function_[^,]+,rate_function_/.test(header) || !header.includes('overloaded_node')) {
    throw new DatasetFormatError(`${source}: not a sampler results.csv (header ${header.slice(0, 40)}…)`);
  }
  const columns = header.split(',');
  const seen = new Set<string>();
  const twice = columns.find((c) => seen.has(c) || !seen.add(c));
  if (twice !== undefined)
    throw new DatasetFormatError(
      `${source}: not a sampler results.csv (column ${twice} twice in the header)`,
    );
  const { keys, legacy: numbered } = resultsHeaderKeys(columns);
  // Numbered keys: dfaas's older header, unless every row names its functions by their keys
  // (functions named 0, 1, … in the reference's header).
  const legacy =
    numbered &&
    lines.some(({ line }) => {
      const values = line.split(',');
      return keys.some((k) => {
        const name = values[columns.indexOf(`function_${k}`)];
        return name !== undefined && name !== '' && name !== k;
      });
    });
  const powerScale = legacy ? 1e6 : 1;
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
    for (const key of keys) {
      const column = (name: (typeof FUNCTION_COLUMNS)[number]) => `${name}_${key}`;
      const name = cells.get(column('function'));
      if (!name) {
        // No function in this slot: its cells are empty as written, numbers at most.
        for (const c of FUNCTION_COLUMNS.slice(1)) numberAt(column(c));
        continue;
      }
      if (!numbered && name !== key) throw bad(`function_${key} is "${name}", expected "${key}"`);
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
        powerMicrowatts: numberAt(column('power_usage_function')) * powerScale,
        replicas: numberAt(column('replica')),
        overloaded: flagAt(column('overloaded_function')),
        meanLatencyMs: numberAt(column('medium_latency_function')),
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
        idlePowerMicrowatts: numberAt('power_usage_idle_node') * powerScale,
        powerMicrowatts: numberAt('power_usage_node') * powerScale,
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
