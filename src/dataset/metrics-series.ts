/**
 * metrics/ID-ITERATION.csv: a load window's time series, one line per sample. `time_s` counts from
 * the start of the load; the node's columns are named as in results.csv; then per function (name
 * order) its CPU (percent of a core), RAM (bytes), power (µW) and replicas; then per function its
 * load since the line before: requests sent, answered 2xx and failed per second, and the mean
 * latency (ms) of the answers (nan where the load driver does not count second by second, as k6's
 * summary does not; files written before these columns are still read). The one definition of
 * the row, its writer and its reader.
 */
import { readInputFile } from '../core/files.js';
import type { LoadSecond, LoadTimeline } from '../load/contract.js';
import type { FunctionWindow, NodeSample } from '../metrics/contract.js';
import { cell, csvLines, numberCell } from './cells.js';
import { DatasetFormatError } from './errors.js';

/** A function's load between two lines of the series. */
export interface LoadRates {
  sentPerS: number;
  okPerS: number;
  failedPerS: number;
  meanLatencyMs: number;
}

/** One sample of the window: seconds since the load started, the node's and each function's figures. */
export interface SeriesRow {
  timeS: number;
  node: NodeSample;
  /** The functions sampled at that moment (a function not sampled has no entry). */
  functions: Record<string, FunctionWindow>;
  /** Each loaded function's load since the line before (none: not counted). */
  load?: Record<string, LoadRates>;
}

const NODE_COLUMNS = ['cpu_usage_node', 'ram_usage_node', 'ram_usage_node_percentage', 'power_usage_node'];
const FUNCTION_COLUMNS = ['cpu_usage_function', 'ram_usage_function', 'power_usage_function', 'replica'];
const LOAD_COLUMNS = ['sent_per_s', 'ok_per_s', 'failed_per_s', 'latency_ms'];

/** The file's text for these functions (a row's function missing from `functions` is written as nan). */
export function metricsSeriesCsv(functions: string[], rows: SeriesRow[]): string {
  const header = seriesHeader(functions, true);
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
      ...functions.flatMap((n) => {
        const l = s.load?.[n];
        return l ? [l.sentPerS, l.okPerS, l.failedPerS, l.meanLatencyMs] : LOAD_COLUMNS.map(() => Number.NaN);
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
  const withLoad = columns.join(',') === seriesHeader(functions, true).join(',');
  const expected = seriesHeader(functions, withLoad).join(',');
  if (columns.join(',') !== expected)
    throw new DatasetFormatError(
      `${path} line 1: not a metrics time series header (${expected.slice(0, 60)}…)`,
    );
  const loadAt = 5 + FUNCTION_COLUMNS.length * functions.length;
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
    const load = functions.flatMap((name, k): [string, LoadRates][] => {
      const [sentPerS, okPerS, failedPerS, meanLatencyMs] = [0, 1, 2, 3].map((j) =>
        at(loadAt + 4 * k + j),
      ) as [number, number, number, number];
      return withLoad && ![sentPerS, okPerS, failedPerS, meanLatencyMs].every(Number.isNaN)
        ? [[name, { sentPerS, okPerS, failedPerS, meanLatencyMs }]]
        : [];
    });
    return {
      timeS: at(0),
      node: { cpuPct: at(1), ramBytes: at(2), ramPct: at(3), powerMicrowatts: at(4) },
      functions: Object.fromEntries(sampled),
      ...(load.length > 0 ? { load: Object.fromEntries(load) } : {}),
    };
  });
}

/** The header for these functions, with the load columns or (files written before them) without. */
function seriesHeader(functions: readonly string[], withLoad: boolean): string[] {
  return [
    'time_s',
    ...NODE_COLUMNS,
    ...functions.flatMap((n) => FUNCTION_COLUMNS.map((c) => `${c}_${n}`)),
    ...(withLoad ? functions.flatMap((n) => LOAD_COLUMNS.map((c) => `${c}_${n}`)) : []),
  ];
}

/**
 * Each line's load: per function, what its timeline counted in the whole seconds from the line
 * before (the start of the load for the first) to this one, as rates per second.
 */
export function loadBetweenLines(
  timesS: readonly number[],
  timelines: Readonly<Record<string, LoadTimeline | undefined>>,
  windowStartMs: number,
): Record<string, LoadRates>[] {
  return timesS.map((t, i) => {
    const from = i === 0 ? 0 : (timesS[i - 1] as number);
    const rates: Record<string, LoadRates> = {};
    for (const [name, timeline] of Object.entries(timelines)) {
      if (!timeline) continue;
      // The timeline counts from its own start, a few ms after the window's.
      const offset = (timeline.startedAtMs - windowStartMs) / 1000;
      const first = Math.max(0, Math.floor(from - offset));
      const last = Math.max(first + 1, Math.floor(t - offset));
      const seconds = timeline.seconds.slice(first, last);
      const span = last - first;
      const sum = (pick: (s: LoadSecond) => number) => seconds.reduce((a, s) => a + pick(s), 0);
      const timed = sum((s) => s.timed);
      rates[name] = {
        sentPerS: sum((s) => s.sent) / span,
        okPerS: sum((s) => s.ok) / span,
        failedPerS: sum((s) => s.failed) / span,
        meanLatencyMs: timed > 0 ? sum((s) => s.latencyUs) / timed / 1000 : Number.NaN,
      };
    }
    return rates;
  });
}
