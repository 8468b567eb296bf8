import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cell } from '../../src/dataset/cells.js';
import { DatasetFormatError } from '../../src/dataset/errors.js';
import {
  parseResults,
  type ResultRow,
  ratesOf,
  readResults,
  resultsHeader,
  resultsLine,
} from '../../src/dataset/results.js';
import { aFunction, aNode } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-results-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fn = aFunction;
const node = aNode();

describe('results.csv', () => {
  it('writes cells with 3 decimals, nan, 0/1, and empty for functions not in the configuration', () => {
    expect([cell(1.23456), cell(Number.NaN), cell(true), cell(7), cell(undefined)]).toEqual([
      '1.235',
      'nan',
      '1',
      '7',
      '',
    ]);
    const line = resultsLine(['a', 'b'], { functions: [fn('b', 10, { cpuPct: 12.3456 })], node }).split(',');
    expect(line).toHaveLength(resultsHeader(2).length);
    expect(line.slice(0, 9)).toEqual(['', '', '', '', '', '', '', '', '']);
    expect(line.slice(9, 18)).toEqual(['b', '10', '0.500', '12.346', '1024', 'nan', '1', '1', '3.125']);
    expect(line.slice(18)).toEqual(['1', '2', '3', '4', '5', '6', 'nan', 'nan', '7.500', '0']);
    expect(resultsHeader(1).join(',')).toBe(
      'function_0,rate_function_0,success_rate_function_0,cpu_usage_function_0,ram_usage_function_0,' +
        'power_usage_function_0,replica_0,overloaded_function_0,medium_latency_function_0,' +
        'cpu_usage_idle_node,cpu_usage_node,ram_usage_idle_node,ram_usage_node,' +
        'ram_usage_idle_node_percentage,ram_usage_node_percentage,power_usage_idle_node,' +
        'power_usage_node,rest_seconds,overloaded_node',
    );
  });

  it('reads back the rows it writes', () => {
    const names = ['a', 'b', 'c'];
    const rows: ResultRow[] = [
      { functions: [fn('a', 0, { successRate: Number.NaN, medianLatencyMs: Number.NaN })], node },
      { functions: [fn('a', 10), fn('c', 20, { overloaded: false })], node: { ...node, overloaded: true } },
      { functions: [fn('b', 5)], node: { ...node, cpuPct: Number.NaN } },
    ];
    const path = join(dir, 'results.csv');
    writeFileSync(
      path,
      `${[resultsHeader(3).join(','), ...rows.map((r) => resultsLine(names, r))].join('\n')}\n`,
    );
    const read = readResults(path);
    expect(read).toEqual(rows);
    expect(read.map(ratesOf)).toEqual([{ a: 0 }, { a: 10, c: 20 }, { b: 5 }]);
  });

  it('reads by column name: another order or a missing column reads too', () => {
    const text = 'function_0,rate_function_0,overloaded_node,cpu_usage_node\r\nx,10,1,55.5\r\n';
    const [row] = parseResults(text, 'legacy.csv');
    expect(row?.functions.map((f) => [f.name, f.rate])).toEqual([['x', 10]]);
    expect(row?.node.overloaded).toBe(true);
    expect(row?.node.cpuPct).toBe(55.5);
    expect(Number.isNaN(row?.node.restSeconds)).toBe(true);
  });

  it('names the file and the line of what is not results.csv', () => {
    expect(() => parseResults('name,rate\nx,1\n', 'bad.csv')).toThrow(DatasetFormatError);
    expect(() => parseResults('name,rate\nx,1\n', 'bad.csv')).toThrow(/bad.csv: not a sampler results.csv/);
    const header = resultsHeader(1).join(',');
    expect(() => parseResults(`${header}\nx,-1\nx,abc\n`, 'r.csv')).toThrow('r.csv:2: rate of x is -1');
  });
});
