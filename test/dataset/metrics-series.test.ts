import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../src/dataset/errors.js';
import {
  loadBetweenLines,
  metricsSeriesCsv,
  readMetricsSeries,
  type SeriesRow,
} from '../../src/dataset/metrics-series.js';
import type { FunctionWindow } from '../../src/metrics/contract.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rows: SeriesRow[] = [
  {
    timeS: 0.5,
    node: { cpuPct: 12.5, ramBytes: 1000, ramPct: 10, powerMicrowatts: Number.NaN },
    functions: { figlet: { cpuPct: 3.25, ramBytes: 200, powerMicrowatts: Number.NaN, replicas: 1 } },
  },
  {
    timeS: 1.5,
    node: { cpuPct: 20, ramBytes: 1100, ramPct: 11, powerMicrowatts: 4.5 },
    functions: {
      figlet: { cpuPct: 4, ramBytes: 210, powerMicrowatts: 1, replicas: 2 },
      shasum: { cpuPct: 1, ramBytes: 50, powerMicrowatts: 0.5, replicas: 1 },
    },
    load: { figlet: { sentPerS: 10, okPerS: 9, failedPerS: 1, meanLatencyMs: 12.25 } },
  },
];

describe('metrics/ID-ITERATION.csv', () => {
  it('writes the node columns, four per function in the order given, then four of load per function', () => {
    expect(metricsSeriesCsv(['figlet', 'shasum'], rows)).toBe(
      [
        'time_s,cpu_usage_node,ram_usage_node,ram_usage_node_percentage,power_usage_node,' +
          'cpu_usage_function_figlet,ram_usage_function_figlet,power_usage_function_figlet,replica_figlet,' +
          'cpu_usage_function_shasum,ram_usage_function_shasum,power_usage_function_shasum,replica_shasum,' +
          'sent_per_s_figlet,ok_per_s_figlet,failed_per_s_figlet,latency_ms_figlet,' +
          'sent_per_s_shasum,ok_per_s_shasum,failed_per_s_shasum,latency_ms_shasum',
        '0.500,12.500,1000,10,nan,3.250,200,nan,1,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan,nan',
        '1.500,20,1100,11,4.500,4,210,1,2,1,50,0.500,1,10,9,1,12.250,nan,nan,nan,nan',
        '',
      ].join('\n'),
    );
  });

  it('reads back the rows it writes; a function not sampled or not loaded has no entry', () => {
    const path = join(dir, 'c-0.csv');
    writeFileSync(path, metricsSeriesCsv(['figlet', 'shasum'], rows));
    expect(readMetricsSeries(path)).toEqual(rows);
    // A file written before the load columns reads as it did.
    const older = join(dir, 'older.csv');
    const text = metricsSeriesCsv(
      ['figlet'],
      rows.map(({ load: _, ...r }) => ({
        ...r,
        functions: { figlet: r.functions.figlet as FunctionWindow },
      })),
    );
    writeFileSync(
      older,
      text.replace(/,sent_per_s_figlet.*latency_ms_figlet/, '').replace(/(,nan){4}\n/g, '\n'),
    );
    expect(readMetricsSeries(older)).toEqual(
      rows.map(({ load: _, ...r }) => ({ ...r, functions: { figlet: r.functions.figlet } })),
    );
  });

  it('counts the load between two lines as rates per second, from the timeline of each function', () => {
    const seconds = [
      { sent: 10, ok: 10, failed: 0, latencyUs: 50_000, timed: 10 },
      { sent: 10, ok: 8, failed: 2, latencyUs: 150_000, timed: 10 },
      { sent: 10, ok: 10, failed: 0, latencyUs: 0, timed: 0 },
    ];
    // Lines at 1 s and at 3 s: the first covers second 0, the second seconds 1 and 2.
    const between = loadBetweenLines(
      [1.01, 3.02],
      { figlet: { startedAtMs: 1000, seconds }, shasum: undefined },
      1000,
    );
    expect(between).toEqual([
      { figlet: { sentPerS: 10, okPerS: 10, failedPerS: 0, meanLatencyMs: 5 } },
      { figlet: { sentPerS: 10, okPerS: 9, failedPerS: 1, meanLatencyMs: 15 } },
    ]);
  });

  it('refuses another header', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'time,cpu\n1,2\n');
    expect(() => readMetricsSeries(path)).toThrow(DatasetFormatError);
  });
});
