/**
 * metrics/ID-ITERATION.csv: a load window's time series, one line per sample. `time_s` counts from
 * the start of the load; the node's columns are named as in results.csv; then per function (name
 * order) its CPU (percent of a core), RAM (bytes), power (µW) and replicas. The one definition of
 * the row, its writer and its reader.
 */
import { readInputFile } from '../core/files.js';
import type { FunctionWindow, NodeSample } from '../metrics/contract.js';
import { cell, csvLines, numberCell } from './cells.js';
import { DatasetFormatError } from './errors.js';

/** One sample of the window: seconds since the load started, the node's and each function's figures. */
export interface SeriesRow {
  timeS: number;
  node: NodeSample;
  /** The functions sampled at that moment (a function not sampled has no entry). */
  functions: Record<string, FunctionWindow>;
}

const NODE_COLUMNS = ['cpu_usage_node', 'ram_usage_node', 'ram_usage_node_percentage', 'power_usage_node'];
const FUNCTION_COLUMNS = ['cpu_usage_function', 'ram_usage_function', 'power_usage_function', 'replica'];

/** The file's text for these functions (a row's function missing from `functions` is written as nan). */
export function metricsSeriesCsv(functions: string[], rows: SeriesRow[]): string {
  const header = [
    'time_s',
    ...NODE_COLUMNS,
    ...functions.flatMap((n) => FUNCTION_COLUMNS.map((c) => `${c}_${n}`)),
  ];
  const lines = rows.map((s) =>
    [
      s.timeS,
      s.node.cpuPct,
      s.node.ramBytes,
      s.node.ramPct,
      s.node.powerMicrowatts,
      ...functions.flatMap((n) => {
        const f = s.functions[n];
        return f
          ? [f.cpuPct, f.ramBytes, f.powerMicrowatts, f.replicas]
          : FUNCTION_COLUMNS.map(() => Number.NaN);
      }),
    ]
      .map(cell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/**
 * Reads the file back; a function whose four cells are all `nan` in a line was not sampled then.
 * Throws a DatasetFormatError naming the file for another header.
 */
export function readMetricsSeries(path: string): SeriesRow[] {
  const [head, ...lines] = csvLines(readInputFile(path));
  const columns = (head?.line ?? '').split(',');
  const prefix = `${FUNCTION_COLUMNS[0]}_`;
  const functions = columns.filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length));
  const expected = metricsSeriesCsv(functions, []).trimEnd();
  if (columns.join(',') !== expected)
    throw new DatasetFormatError(
      `${path} line 1: not a metrics time series header (${expected.slice(0, 60)}…)`,
    );
  return lines.map(({ line }) => {
    const v = line.split(',').map(numberCell);
    const at = (i: number) => v[i] ?? Number.NaN;
    const sampled = functions.flatMap((name, k): [string, FunctionWindow][] => {
      const [cpuPct, ramBytes, powerMicrowatts, replicas] = [0, 1, 2, 3].map((j) => at(5 + 4 * k + j)) as [
        number,
        number,
        number,
        number,
      ];
      return [cpuPct, ramBytes, powerMicrowatts, replicas].every(Number.isNaN)
        ? []
        : [[name, { cpuPct, ramBytes, powerMicrowatts, replicas }]];
    });
    return {
      timeS: at(0),
      node: { cpuPct: at(1), ramBytes: at(2), ramPct: at(3), powerMicrowatts: at(4) },
      functions: Object.fromEntries(sampled),
    };
  });
}
