import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type FunctionResult,
  type NodeResult,
  resultsHeader,
  resultsLine,
} from '../../src/dataset/results.js';
import {
  aggregateGroups,
  configKeyOf,
  configurationText,
  type DatasetRow,
  foldsByConfiguration,
  overloadPerConfiguration,
  readSamplerResults,
  replaceOutliers,
  splitByConfiguration,
  tukeyOutliers,
} from '../../src/forecast/dataset.js';
import { TrainingDataError } from '../../src/forecast/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-dataset-'));

const fn = (name: string, rate: number, over: Partial<FunctionResult> = {}): FunctionResult => ({
  name,
  rate,
  successRate: rate === 0 ? Number.NaN : 1,
  cpuPct: 10 * rate,
  ramBytes: 1000 + rate,
  powerMicrowatts: Number.NaN,
  replicas: 1,
  overloaded: false,
  meanLatencyMs: rate === 0 ? Number.NaN : 5,
  ...over,
});

const node = (over: Partial<NodeResult> = {}): NodeResult => ({
  idleCpuPct: 1,
  cpuPct: 50,
  idleRamBytes: 100,
  ramBytes: 5000,
  idleRamPct: 1,
  ramPct: 2,
  idlePowerMicrowatts: Number.NaN,
  powerMicrowatts: Number.NaN,
  restSeconds: 0,
  overloaded: false,
  ...over,
});

/** A results.csv written by the sampler's own writer. */
function results(name: string, lines: [FunctionResult[], NodeResult][]): string {
  const names = ['figlet', 'matmul', 'shasum'];
  const path = join(dir, name);
  writeFileSync(
    path,
    [
      resultsHeader(names.length).join(','),
      ...lines.map(([functions, node]) => resultsLine(names, { functions, node })),
    ].join('\n'),
  );
  return path;
}

const row = (key: string, cpu: number, overloaded = false): DatasetRow => ({
  configKey: key,
  nodeType: 0,
  functions: {},
  node: node({ cpuPct: cpu, ramBytes: 1, ramPct: 1, overloaded }),
});

describe('forecast datasets', () => {
  it('says a configuration in words: its functions, idle ones included, and the node type', () => {
    expect(configurationText(configKeyOf({ matmul: 30, figlet: 15 }, 2))).toBe(
      'figlet 15, matmul 30 requests/s on a light node (2)',
    );
    expect(configurationText(configKeyOf({ shasum: 0, matmul: 40 }, 0))).toBe(
      'matmul 40, shasum 0 requests/s on a heavy node (0)',
    );
    expect(configurationText(configKeyOf({ figlet: 5 }, 8))).toBe('figlet 5 requests/s on node type 8');
  });

  it('reads results.csv: NaN success is 1, other NaN 0, resource figures zeroed at rate 0', () => {
    const path = results('a.csv', [
      [[fn('figlet', 0), fn('matmul', 20)], node()],
      [[fn('shasum', 10, { successRate: 0.5, cpuPct: Number.NaN })], node({ overloaded: true })],
      [[fn('shasum', 10)], node({ cpuPct: Number.NaN })], // node CPU not measured: dropped
    ]);
    const { rows, dropped } = readSamplerResults(path, 2);
    expect(dropped).toBe(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]?.configKey).toBe('figlet:0|matmul:20@2');
    expect(rows[0]?.functions.figlet).toEqual({
      name: 'figlet',
      rate: 0,
      successRate: 1,
      cpuPct: 0,
      ramBytes: 0,
      powerMicrowatts: 0,
      replicas: 0,
      overloaded: false,
      meanLatencyMs: 0,
    });
    expect(rows[0]?.functions.matmul).toMatchObject({
      cpuPct: 200,
      ramBytes: 1020,
      powerMicrowatts: 0,
      meanLatencyMs: 5,
    });
    expect(rows[1]?.functions.shasum).toMatchObject({ successRate: 0.5, cpuPct: 0 });
    expect(rows[1]?.node).toMatchObject({ overloaded: true });
    expect(Number.isNaN(rows[1]?.node.powerMicrowatts)).toBe(true);
    writeFileSync(join(dir, 'bad.csv'), 'name,rate\nx,1\n');
    expect(() => readSamplerResults(join(dir, 'bad.csv'), 0)).toThrow(/bad.csv: not a sampler results.csv/);
  });

  it('finds Tukey outliers only in groups of 3 or more', () => {
    expect(tukeyOutliers([10, 11, 10.5, 12, 90])).toEqual([4]);
    expect(tukeyOutliers([10, 90])).toEqual([]);
    expect(tukeyOutliers([10, 10, 10])).toEqual([]);
  });

  it('replaces an outlier by the mean of the rest of its configuration, and leaves others alone', () => {
    const rows = [row('a', 10), row('a', 12), row('a', 11), row('a', 95), row('b', 95), row('b', 10)];
    const { rows: out, replaced } = replaceOutliers(rows);
    expect(replaced).toBe(1);
    expect(out.map((r) => r.node.cpuPct)).toEqual([10, 12, 11, 11, 95, 10]);
    expect(rows[3]?.node.cpuPct).toBe(95); // the input is not changed
  });

  it('calls a configuration overloaded only when all its iterations were', () => {
    const out = overloadPerConfiguration([
      row('a', 1, true),
      row('a', 1, false),
      row('b', 1, true),
      row('b', 1, true),
    ]);
    expect(out.map((r) => r.node.overloaded)).toEqual([false, false, true, true]);
  });

  it('aggregates functions into groups: sums, any, means of non-zero values', () => {
    const path = results('groups.csv', [
      [
        [
          fn('figlet', 10, { successRate: 1, meanLatencyMs: 4 }),
          fn('shasum', 0),
          fn('matmul', 30, { successRate: 0.5, overloaded: true, meanLatencyMs: 40 }),
        ],
        node(),
      ],
    ]);
    const [r] = aggregateGroups(
      readSamplerResults(path, 0).rows,
      { LOW_USAGE: ['figlet', 'shasum'], HIGH_USAGE: ['matmul'] },
      ['figlet', 'matmul', 'shasum'],
    );
    expect(r?.groups.LOW_USAGE).toEqual({
      rate: 10,
      cpuPct: 100,
      ramBytes: 1010,
      powerMicrowatts: 0,
      replicas: 1,
      overloaded: false,
      successRate: 1, // shasum had no requests: its 1 is a non-zero value like figlet's
      meanLatencyMs: 4, // shasum's 0 latency is left out of the mean
    });
    expect(r?.groups.HIGH_USAGE).toMatchObject({ rate: 30, overloaded: true, successRate: 0.5 });
    expect(r?.functionRates).toEqual({ figlet: 10, matmul: 30, shasum: 0 });
    expect(r?.node.latencyMs).toBe(22);
    const noGroup = () => aggregateGroups(readSamplerResults(path, 0).rows, { LOW_USAGE: ['figlet'] }, []);
    expect(noGroup).toThrow(TrainingDataError);
    expect(noGroup).toThrow(/function matmul is in no group/);
  });

  it('makes folds by configuration that hold each configuration out once, overloaded ones spread', () => {
    const rows: DatasetRow[] = [];
    for (let c = 0; c < 23; c++) for (let it = 0; it < 2; it++) rows.push(row(`c${c}`, c, c % 5 === 0));
    const folds = foldsByConfiguration(rows, 4, 3);
    expect(folds).toHaveLength(4);
    expect(folds.flat()).toHaveLength(rows.length);
    const keysOf = (f: DatasetRow[]) => new Set(f.map((r) => r.configKey));
    const seen = folds.flatMap((f) => [...keysOf(f)]);
    expect(new Set(seen).size).toBe(seen.length); // no configuration in two folds
    // 5 overloaded configurations over 4 folds: every fold holds one or two.
    expect(folds.every((f) => f.some((r) => r.node.overloaded))).toBe(true);
    expect(() => foldsByConfiguration(rows, 1, 3)).toThrow(/folds must be/);
    expect(() => foldsByConfiguration(rows.slice(0, 2), 3, 3)).toThrow(/cannot make 3 folds/);
  });

  it('splits by configuration, never by row, and holds out overloaded configurations too', () => {
    const rows: DatasetRow[] = [];
    for (let c = 0; c < 40; c++) for (let it = 0; it < 3; it++) rows.push(row(`c${c}`, c, c % 4 === 0));
    const { train, test } = splitByConfiguration(rows, 0.25, 7);
    const trainKeys = new Set(train.map((r) => r.configKey));
    const testKeys = new Set(test.map((r) => r.configKey));
    expect([...testKeys].filter((k) => trainKeys.has(k))).toEqual([]);
    expect(testKeys.size).toBe(11); // a quarter of each stratum, rounded: 8 of 30 and 3 of 10
    expect(test.filter((r) => r.node.overloaded).length).toBeGreaterThan(0);
    expect(train.length + test.length).toBe(rows.length);
    // The same seed gives the same split; another seed another one.
    expect(splitByConfiguration(rows, 0.25, 7).test).toEqual(test);
    expect(splitByConfiguration(rows, 0.25, 8).test).not.toEqual(test);
  });
});
