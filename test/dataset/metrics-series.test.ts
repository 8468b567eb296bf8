import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../src/dataset/errors.js';
import { metricsSeriesCsv, readMetricsSeries, type SeriesRow } from '../../src/dataset/metrics-series.js';

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
  },
];

describe('metrics/ID-ITERATION.csv', () => {
  it('writes the node columns, then four per function in the order given', () => {
    expect(metricsSeriesCsv(['figlet', 'shasum'], rows)).toBe(
      [
        'time_s,cpu_usage_node,ram_usage_node,ram_usage_node_percentage,power_usage_node,' +
          'cpu_usage_function_figlet,ram_usage_function_figlet,power_usage_function_figlet,replica_figlet,' +
          'cpu_usage_function_shasum,ram_usage_function_shasum,power_usage_function_shasum,replica_shasum',
        '0.500,12.500,1000,10,nan,3.250,200,nan,1,nan,nan,nan,nan',
        '1.500,20,1100,11,4.500,4,210,1,2,1,50,0.500,1',
        '',
      ].join('\n'),
    );
  });

  it('reads back the rows it writes; a function not sampled has no entry', () => {
    const path = join(dir, 'c-0.csv');
    writeFileSync(path, metricsSeriesCsv(['figlet', 'shasum'], rows));
    expect(readMetricsSeries(path)).toEqual(rows);
  });

  it('refuses another header', () => {
    const path = join(dir, 'bad.csv');
    writeFileSync(path, 'time,cpu\n1,2\n');
    expect(() => readMetricsSeries(path)).toThrow(DatasetFormatError);
  });
});
