import type { WindowSample } from '../metrics/contract.js';

/** The legacy DFaaS dataset columns, per function in name order (index n), then the node's. */
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

/** results.csv's header for these functions (sorted by name by the caller). */
export function resultsHeader(functionCount: number): string[] {
  const cols: string[] = [];
  for (let n = 0; n < functionCount; n++) for (const c of FUNCTION_COLUMNS) cols.push(`${c}_${n}`);
  return [...cols, ...NODE_COLUMNS];
}

export interface FunctionRow {
  name: string;
  rate: number;
  successRate: number;
  /** Percent of one core. */
  cpuPct: number;
  ramBytes: number;
  powerW: number;
  replicas: number;
  overloaded: boolean;
  medianLatencyMs: number;
}

export interface NodeRow {
  idleCpuPct: number;
  cpuPct: number;
  idleRamBytes: number;
  ramBytes: number;
  idleRamPct: number;
  ramPct: number;
  idlePowerW: number;
  powerW: number;
  restSeconds: number;
  overloaded: boolean;
}

/** Floats with 3 decimals, NaN as `nan`, booleans as 0/1, as the legacy notebooks read them. */
export function cell(v: number | string | boolean | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return 'nan';
  return Number.isInteger(v) ? String(v) : v.toFixed(3);
}

/** One results.csv line: cells of functions not in this configuration stay empty. */
export function resultsLine(allFunctions: string[], fns: FunctionRow[], node: NodeRow): string {
  const byName = new Map(fns.map((f) => [f.name, f]));
  const cells: string[] = [];
  for (const name of allFunctions) {
    const f = byName.get(name);
    cells.push(
      ...(f
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
        : FUNCTION_COLUMNS.map(() => '')),
    );
  }
  cells.push(
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
  );
  return cells.join(',');
}

/**
 * metrics/ID-ITERATION.csv: the load window's time series, one line per sample. `time_s` counts
 * from the start of the load; node columns as in results.csv; then per function (name order)
 * its CPU (percent of a core), RAM (bytes), power (W) and replicas.
 */
export function metricsCsv(functions: string[], startMs: number, series: WindowSample[]): string {
  const header = [
    'time_s',
    'cpu_usage_node',
    'ram_usage_node',
    'ram_usage_node_percentage',
    'power_usage_node',
    ...functions.flatMap((n) => [
      `cpu_usage_function_${n}`,
      `ram_usage_function_${n}`,
      `power_usage_function_${n}`,
      `replica_${n}`,
    ]),
  ];
  const lines = series.map((s) =>
    [
      (s.atMs - startMs) / 1000,
      s.node.cpuPct,
      s.node.ramBytes,
      s.node.ramPct,
      s.node.powerW,
      ...functions.flatMap((n) => {
        const f = s.functions[n];
        return f
          ? [f.cpuPct, f.ramBytes, f.powerW, f.replicas]
          : [Number.NaN, Number.NaN, Number.NaN, Number.NaN];
      }),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** One results.csv row read back. */
export interface ResultRow {
  /** Every cell, by column name. */
  cells: Record<string, string>;
  /** The configuration's rate per function. */
  rates: Record<string, number>;
  /** Per function in the configuration, its cells by column name without the _n suffix. */
  functions: Record<string, Record<string, string>>;
}

/** Reads results.csv lines back by column name (the one reader for resume, report and profiles). */
export function parseResultLines(header: string, lines: string[]): ResultRow[] {
  const columns = header.split(',');
  const count = columns.filter((c) => /^function_\d+$/.test(c)).length;
  return lines.map((line) => {
    const values = line.split(',');
    const cells = Object.fromEntries(columns.map((c, i) => [c, values[i] ?? '']));
    const rates: Record<string, number> = {};
    const functions: Record<string, Record<string, string>> = {};
    for (let n = 0; n < count; n++) {
      const name = cells[`function_${n}`];
      if (!name) continue;
      rates[name] = Number(cells[`rate_function_${n}`]);
      functions[name] = Object.fromEntries(FUNCTION_COLUMNS.map((c) => [c, cells[`${c}_${n}`] ?? '']));
    }
    return { cells, rates, functions };
  });
}
