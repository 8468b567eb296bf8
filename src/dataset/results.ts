/**
 * results.csv: one row per load window of a sweep, in the legacy DFaaS dataset columns (per
 * function in name order, index n, then the node's), so the reference notebooks read it
 * unchanged. The one definition of the row (FunctionResult, NodeResult), its writer and its
 * reader: the sampler writes it, resumes and reports from it; forecast learns from it.
 */
import { readInputFile } from '../core/files.js';
import { cell, csvLines, numberCell } from './cells.js';
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

const flag = (text: string | undefined) => numberCell(text) === 1;

/**
 * Reads results.csv text by column name (a dataset with columns in another order, or without
 * rest_seconds, reads too: a missing figure is NaN). `nan` and empty cells are NaN; a boolean is
 * true only for 1. Throws a DatasetFormatError naming `source` and the line when the header is not
 * a results.csv header or a rate is not a number of 0 or more.
 */
export function parseResults(text: string, source: string): ResultRow[] {
  const [head, ...lines] = csvLines(text);
  const header = head?.line ?? '';
  if (!/^function_0,rate_function_0,/.test(header) || !header.includes('overloaded_node')) {
    throw new DatasetFormatError(`${source}: not a sampler results.csv (header ${header.slice(0, 40)}…)`);
  }
  const columns = header.split(',');
  const count = columns.filter((c) => /^function_\d+$/.test(c)).length;
  return lines.map(({ line, number }) => {
    const values = line.split(',');
    const cells = new Map(columns.map((c, i) => [c, values[i] ?? '']));
    const functions: FunctionResult[] = [];
    for (let n = 0; n < count; n++) {
      const at = (column: (typeof FUNCTION_COLUMNS)[number]) => cells.get(`${column}_${n}`);
      const name = at('function');
      if (!name) continue;
      const rate = numberCell(at('rate_function'));
      if (!Number.isFinite(rate) || rate < 0)
        throw new DatasetFormatError(`${source}:${number}: rate of ${name} is ${at('rate_function')}`);
      functions.push({
        name,
        rate,
        successRate: numberCell(at('success_rate_function')),
        cpuPct: numberCell(at('cpu_usage_function')),
        ramBytes: numberCell(at('ram_usage_function')),
        powerW: numberCell(at('power_usage_function')),
        replicas: numberCell(at('replica')),
        overloaded: flag(at('overloaded_function')),
        medianLatencyMs: numberCell(at('medium_latency_function')),
      });
    }
    const node = (column: (typeof NODE_COLUMNS)[number]) => numberCell(cells.get(column));
    return {
      functions,
      node: {
        idleCpuPct: node('cpu_usage_idle_node'),
        cpuPct: node('cpu_usage_node'),
        idleRamBytes: node('ram_usage_idle_node'),
        ramBytes: node('ram_usage_node'),
        idleRamPct: node('ram_usage_idle_node_percentage'),
        ramPct: node('ram_usage_node_percentage'),
        idlePowerW: node('power_usage_idle_node'),
        powerW: node('power_usage_node'),
        restSeconds: node('rest_seconds'),
        overloaded: flag(cells.get('overloaded_node')),
      },
    };
  });
}

/** Reads a results.csv file (see parseResults). */
export function readResults(path: string): ResultRow[] {
  return parseResults(readInputFile(path), path);
}
