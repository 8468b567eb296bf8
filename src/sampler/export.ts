import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readInputFile, writeFileAtomic } from '../core/files.js';
import { csvText } from '../dataset/cells.js';
import { LATENCY_FILE } from '../dataset/latency.js';
import { ratesOf } from '../dataset/results.js';
import { configId } from './plan.js';
import { readSweepRecord } from './sweep-record.js';

export type ExportFormat = 'csv' | 'parquet';

/** One figure of one function (or of the node) in one run: a line of the long export. */
export interface ExportRecord {
  /** The configuration's id (summaries/ID-ITERATION.json, metrics/ID-ITERATION.csv). */
  id: string;
  iteration: number;
  /** The configuration's rates, `figlet=10 shasum=20`. */
  configuration: string;
  /** A function's name, or `node`. */
  function: string;
  /** The function's rate in requests/s; NaN for the node. */
  rate: number;
  metric: string;
  unit: string;
  value: number;
}

type Pick = [metric: string, unit: string, value: number];

/**
 * A sweep's results as an analysis-ready table (`dfaas sample export`): long, one line per run,
 * function (or node) and figure with its unit; or wide, one line per run and function with a
 * column per figure (`metric_unit`). Read from the folder alone: results.csv, and latency.csv's
 * tails where the sweep wrote them. NaN is an empty cell in CSV, null in Parquet.
 */
export function exportRecords(dir: string): ExportRecord[] {
  const record = readSweepRecord(dir);
  const tails = latencyTails(dir);
  const seen = new Map<string, number>();
  return record.rows.flatMap((row) => {
    const rates = ratesOf(row);
    const id = configId(rates);
    const iteration = seen.get(id) ?? 0;
    seen.set(id, iteration + 1);
    const configuration = Object.entries(rates)
      .map(([n, r]) => `${n}=${r}`)
      .join(' ');
    const base = { id, iteration, configuration };
    const n = row.node;
    const node: Pick[] = [
      ['cpu', 'percent_of_one_core', n.cpuPct],
      ['cpu_idle', 'percent_of_one_core', n.idleCpuPct],
      ['ram', 'bytes', n.ramBytes],
      ['ram_idle', 'bytes', n.idleRamBytes],
      ['ram_share', 'percent', n.ramPct],
      ['ram_share_idle', 'percent', n.idleRamPct],
      ['power', 'microwatts', n.powerMicrowatts],
      ['power_idle', 'microwatts', n.idlePowerMicrowatts],
      ['rest', 'seconds', n.restSeconds],
      ['overloaded', 'boolean', n.overloaded ? 1 : 0],
    ];
    return [
      ...node.map(([metric, unit, value]) => ({
        ...base,
        function: 'node',
        rate: Number.NaN,
        metric,
        unit,
        value,
      })),
      ...row.functions.flatMap((f) => {
        const t = tails.get(`${id}/${iteration}/${f.name}`) ?? {};
        const figures: Pick[] = [
          ['success_rate', 'share', f.successRate],
          ['latency_mean', 'ms', f.meanLatencyMs],
          ...Object.entries(t).map(([k, v]): Pick => [k, 'ms', v]),
          ['cpu', 'percent_of_one_core', f.cpuPct],
          ['ram', 'bytes', f.ramBytes],
          ['power', 'microwatts', f.powerMicrowatts],
          ['replicas', 'count', f.replicas],
          ['overloaded', 'boolean', f.overloaded ? 1 : 0],
        ];
        return figures.map(([metric, unit, value]) => ({
          ...base,
          function: f.name,
          rate: f.rate,
          metric,
          unit,
          value,
        }));
      }),
    ];
  });
}

/** latency.csv's tails by `id/iteration/function`: latency_p50 … latency_p99 in ms. */
function latencyTails(dir: string): Map<string, Record<string, number>> {
  const path = join(dir, LATENCY_FILE);
  const tails = new Map<string, Record<string, number>>();
  if (!existsSync(path)) return tails;
  const [head, ...lines] = readInputFile(path).trim().split(/\r?\n/);
  const columns = (head ?? '').split(',');
  const wanted = ['latency_p50_ms', 'latency_p90_ms', 'latency_p95_ms', 'latency_p99_ms'].filter((c) =>
    columns.includes(c),
  );
  for (const line of lines) {
    const cells = line.split(',');
    const at = (c: string) => cells[columns.indexOf(c)] ?? '';
    tails.set(
      `${at('id')}/${at('iteration')}/${at('function')}`,
      Object.fromEntries(
        wanted.map((c) => [c.replace(/_ms$/, ''), Number(at(c) === 'nan' ? Number.NaN : at(c))]),
      ),
    );
  }
  return tails;
}

/** The records as table columns: long as they are, or wide (a column `metric_unit` per figure). */
function columns(
  records: readonly ExportRecord[],
  long: boolean,
): { name: string; data: (string | number | null)[] }[] {
  const num = (v: number) => (Number.isFinite(v) ? v : null);
  if (long) {
    return [
      { name: 'id', data: records.map((r) => r.id) },
      { name: 'iteration', data: records.map((r) => r.iteration) },
      { name: 'configuration', data: records.map((r) => r.configuration) },
      { name: 'function', data: records.map((r) => r.function) },
      { name: 'rate', data: records.map((r) => num(r.rate)) },
      { name: 'metric', data: records.map((r) => r.metric) },
      { name: 'unit', data: records.map((r) => r.unit) },
      { name: 'value', data: records.map((r) => num(r.value)) },
    ];
  }
  const keyOf = (r: ExportRecord) => `${r.id}/${r.iteration}/${r.function}`;
  const rows = new Map<string, ExportRecord[]>();
  for (const r of records) rows.set(keyOf(r), [...(rows.get(keyOf(r)) ?? []), r]);
  const figureNames = [...new Set(records.map((r) => `${r.metric}_${r.unit}`))];
  const groups = [...rows.values()];
  const first = (g: ExportRecord[]) => g[0] as ExportRecord;
  return [
    { name: 'id', data: groups.map((g) => first(g).id) },
    { name: 'iteration', data: groups.map((g) => first(g).iteration) },
    { name: 'configuration', data: groups.map((g) => first(g).configuration) },
    { name: 'function', data: groups.map((g) => first(g).function) },
    { name: 'rate', data: groups.map((g) => num(first(g).rate)) },
    ...figureNames.map((name) => ({
      name,
      data: groups.map((g) => {
        const r = g.find((x) => `${x.metric}_${x.unit}` === name);
        return r ? num(r.value) : null;
      }),
    })),
  ];
}

/** A CSV cell: strings as they are (quoted when they must be), numbers in full, null empty. */
const csvCell = (v: string | number | null) =>
  v === null ? '' : typeof v === 'number' ? String(v) : /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;

/** Writes the export of `dir` to `out` (default DIR/export[-long].csv|parquet) and returns its path and size. */
export function writeExport(
  dir: string,
  opts: { format: ExportFormat; long: boolean; out?: string },
): { path: string; rows: number } {
  const table = columns(exportRecords(dir), opts.long);
  const rows = table[0]?.data.length ?? 0;
  const path = opts.out ?? join(dir, `export${opts.long ? '-long' : ''}.${opts.format}`);
  if (opts.format === 'csv') {
    const lines = Array.from({ length: rows }, (_, i) =>
      table.map((c) => csvCell(c.data[i] ?? null)).join(','),
    );
    writeFileAtomic(path, csvText([table.map((c) => c.name).join(','), ...lines]));
  } else {
    const columnData = table.map((c) => ({
      name: c.name,
      data: c.data,
      type:
        c.name === 'iteration'
          ? ('INT32' as const)
          : typeof c.data.find((v) => v !== null) === 'string'
            ? ('STRING' as const)
            : ('DOUBLE' as const),
    }));
    writeFileAtomic(path, new Uint8Array(parquetWriteBuffer({ columnData })));
  }
  return { path, rows };
}
