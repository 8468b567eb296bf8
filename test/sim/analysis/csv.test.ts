import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import {
  experimentMeanResultsCsv,
  experimentResultsCsv,
  experimentRows,
  indexComparisonCsv,
  pandasReadFloat,
  parseExperimentResults,
  pythonFloat,
  readExperimentResults,
  type StrategyIndexes,
  strategyLabel,
  writeExperimentMeanResults,
  writeExperimentResults,
  writeIndexComparison,
} from '../../../src/sim/analysis/csv.js';
import { computeIndexes, INDEX_NAMES, type Indexes } from '../../../src/sim/analysis/indexes.js';
import { summarizeReplications } from '../../../src/sim/analysis/replications.js';
import { analyzeRun } from '../../../src/sim/analysis/success.js';
import { TEST_MODEL, TEST_THRESHOLDS, twoNodeCase } from './fixtures.js';

const HEADER_INDEXES = INDEX_NAMES.join(',');

function indexes(values: number[]): Indexes {
  return Object.fromEntries(INDEX_NAMES.map((name, i) => [name, values[i] as number])) as Indexes;
}

/** The three runs of the byte-exact cases (the expected files are what pandas 3.0.6 writes for the
 * framework's analyzer and controller code on these values). */
const RUNS: [number, number, StrategyIndexes[]][] = [
  [
    701,
    30,
    [
      {
        strategy: 'equal_strategy',
        indexes: indexes([98.70645227788086, 100, 96.23015873015873, 100, 11000 / 7, 2000, 7]),
      },
      { strategy: 'power_saving_strategy', indexes: indexes([50, 100 / 3, 1e-5, 0, 1e16, 2.5, 0]) },
    ],
  ],
  [
    5,
    30,
    [
      { strategy: 'equal_strategy', indexes: indexes([97.5, 99, 95, 98, 1600.25, 2100, 9]) },
      { strategy: 'power_saving_strategy', indexes: indexes([49, 33, 2e-5, 0.5, 2e16, 3.5, 4]) },
    ],
  ],
  [
    701,
    60,
    [
      { strategy: 'equal_strategy', indexes: indexes([90.1, 91, 80.3, 85, 1700, 2200, 20]) },
      { strategy: 'power_saving_strategy', indexes: indexes([40, 41, 30, 31, 1500, 1900, 30]) },
    ],
  ],
];

describe('pythonFloat', () => {
  it("writes Python's repr (values and strings from Python 3.11)", () => {
    const cases: [number, string][] = [
      [2774, '2774.0'],
      [1e-5, '1e-05'], // String: 0.00001
      [0.0001, '0.0001'],
      [0.00012, '0.00012'],
      [-2.5e-5, '-2.5e-05'], // String: -0.000025
      [1e-7, '1e-07'], // String: 1e-7
      [1e16, '1e+16'], // String: 10000000000000000
      [1.5e16, '1.5e+16'],
      [9999999999999998, '9999999999999998.0'],
      [1e21, '1e+21'],
      [0.1 + 0.2, '0.30000000000000004'],
      [123456789.125, '123456789.125'],
      [-0, '-0.0'],
      [5e-324, '5e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
      [Number.NaN, 'nan'],
      [Number.POSITIVE_INFINITY, 'inf'],
      [Number.NEGATIVE_INFINITY, '-inf'],
    ];
    for (const [x, repr] of cases) expect(pythonFloat(x)).toBe(repr);
  });
});

describe('pandasReadFloat', () => {
  it("reads as read_csv's default parser: not always the nearest double", () => {
    expect(pandasReadFloat('0.30000000000000004')).toBe(0.3);
    expect(pandasReadFloat('1940013.9000000001')).toBe(1940013.9);
    expect(pandasReadFloat('96.23015873015873')).toBe(96.23015873015872);
    expect(pandasReadFloat('1e+16')).toBe(1e16);
    expect(pandasReadFloat('-2.5e-05')).toBe(-2.5e-5);
    expect(pandasReadFloat('7.0')).toBe(7);
  });
});

describe('index_comparison.csv', () => {
  it('is byte for byte the analyzer’s: unnamed first column, floats as repr, rejects as 7.0', () => {
    expect(indexComparisonCsv(RUNS[0]?.[2] ?? [])).toBe(
      `,${HEADER_INDEXES}\n` +
        'equal_strategy,98.70645227788086,100.0,96.23015873015873,100.0,1571.4285714285713,2000.0,7.0\n' +
        'power_saving_strategy,50.0,33.333333333333336,1e-05,0.0,1e+16,2.5,0.0\n',
    );
  });

  it('labels a framework-mode run as the framework does and writes NaN as an empty field', () => {
    const { instance, run } = twoNodeCase();
    const analysis = analyzeRun(run, instance, { model: TEST_MODEL, thresholds: TEST_THRESHOLDS });
    expect(strategyLabel(analysis)).toBe('equal_strategy');
    expect(strategyLabel({ strategy: 'node-margin', compat: 'fixed' })).toBe('node-margin');
    const row = { strategy: 'a,b', indexes: indexes([1, 2, 3, 4, Number.NaN, Number.NaN, 0]) };
    expect(
      indexComparisonCsv([{ strategy: strategyLabel(analysis), indexes: computeIndexes(analysis) }, row]),
    ).toBe(
      `,${HEADER_INDEXES}\n` +
        'equal_strategy,98.70645227788086,100.0,96.23015873015873,100.0,1571.4285714285713,2000.0,7.0\n' +
        '"a,b",1.0,2.0,3.0,4.0,,,0.0\n',
    );
  });
});

describe('experiment_results.csv and experiment_mean_results.csv', () => {
  const rows = RUNS.flatMap(([seed, pct, comparison]) => experimentRows(seed, pct, comparison));
  const RESULTS =
    `Seed,Max overloaded percentage,Strategy,${HEADER_INDEXES}\n` +
    '701,30,equal_strategy,98.70645227788086,100.0,96.23015873015872,100.0,1571.428571428571,2000.0,7.0\n' +
    '701,30,power_saving_strategy,50.0,33.333333333333336,1e-05,0.0,1e+16,2.5,0.0\n' +
    '5,30,equal_strategy,97.5,99.0,95.0,98.0,1600.25,2100.0,9.0\n' +
    '5,30,power_saving_strategy,49.0,33.0,2e-05,0.5,2e+16,3.5,4.0\n' +
    '701,60,equal_strategy,90.1,91.0,80.3,85.0,1700.0,2200.0,20.0\n' +
    '701,60,power_saving_strategy,40.0,41.0,30.0,31.0,1500.0,1900.0,30.0\n';

  it("writes the controller's results: indexes as pandas read them back (96.23015873015873 → …72)", () => {
    expect(experimentResultsCsv(rows)).toBe(RESULTS);
  });

  it('writes the means by (percentage, strategy), N of experiments on the first row only', () => {
    // 30 / equal: (98.70645227788086 + 97.5)/2 = 98.10322613894043, …
    expect(experimentMeanResultsCsv(summarizeReplications(rows))).toBe(
      `N of experiments,Max overloaded percentage,Strategy,${HEADER_INDEXES}\n` +
        '2.0,30,equal_strategy,98.10322613894043,99.5,95.61507936507937,99.0,1585.8392857142856,2050.0,8.0\n' +
        ',30,power_saving_strategy,49.5,33.16666666666667,1.5000000000000002e-05,0.25,1.5e+16,3.0,2.0\n' +
        ',60,equal_strategy,90.1,91.0,80.3,85.0,1700.0,2200.0,20.0\n' +
        ',60,power_saving_strategy,40.0,41.0,30.0,31.0,1500.0,1900.0,30.0\n',
    );
  });

  it('writes a percentage column of floats when one is not an integer (a pandas float column)', () => {
    const equal = RUNS[1]?.[2].slice(0, 1) ?? [];
    const lines = experimentResultsCsv([
      ...experimentRows(1, 12.5, equal),
      ...experimentRows(2, 30, equal),
    ]).split('\n');
    expect(lines[1]).toMatch(/^1,12\.5,equal_strategy,/);
    expect(lines[2]).toMatch(/^2,30\.0,equal_strategy,/);
  });

  it('reads experiment_results.csv back to the same rows', () => {
    expect(parseExperimentResults(RESULTS, 'x.csv')).toEqual(rows);
    const withCrlf = RESULTS.replaceAll('\n', '\r\n');
    expect(parseExperimentResults(withCrlf, 'x.csv')).toEqual(rows);
  });

  it('names the row and column of a bad cell', () => {
    const bad = RESULTS.replace('5,30,equal_strategy,97.5', 'x,30,equal_strategy,oops');
    expect(() => parseExperimentResults(bad, 'x.csv')).toThrow(ConfigError);
    expect(() => parseExperimentResults(bad, 'x.csv')).toThrow(
      /row 4\.Seed.*row 4\.Mean success rate: not a number/,
    );
    expect(() => parseExperimentResults('Seed,Strategy\n', 'x.csv')).toThrow(/header/);
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-analysis-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the three files and reads the results back', () => {
    const rows = RUNS.flatMap(([seed, pct, comparison]) => experimentRows(seed, pct, comparison));
    writeIndexComparison(join(dir, 'out', 'index_comparison.csv'), RUNS[0]?.[2] ?? []);
    writeExperimentResults(join(dir, 'experiment_results.csv'), rows);
    writeExperimentMeanResults(join(dir, 'experiment_mean_results.csv'), summarizeReplications(rows));
    expect(readFileSync(join(dir, 'out', 'index_comparison.csv'), 'utf8')).toBe(
      indexComparisonCsv(RUNS[0]?.[2] ?? []),
    );
    expect(readExperimentResults(join(dir, 'experiment_results.csv'))).toEqual(rows);
    expect(readFileSync(join(dir, 'experiment_mean_results.csv'), 'utf8')).toMatch(/^N of experiments,/);
    writeFileSync(join(dir, 'empty.csv'), '');
    expect(() => readExperimentResults(join(dir, 'empty.csv'))).toThrow(ConfigError);
    expect(() => readExperimentResults(join(dir, 'missing.csv'))).toThrow(ConfigError);
  });
});
