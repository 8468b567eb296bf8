import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { readDoneRows } from '../../src/sampler/resume.js';
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
    const pad = (cells: string) => `${cells}${','.repeat(resultsHeader(1).length - cells.split(',').length)}`;
    expect(() => parseResults(`${header}\n${pad('x,-1')}\n${pad('x,abc')}\n`, 'r.csv')).toThrow(
      'r.csv:2: rate of x is "-1": not a number of 0 or more',
    );
  });

  const header = resultsHeader(2).join(',');
  const names = ['a', 'b'];
  const line = resultsLine(names, { functions: [fn('a', 10), fn('b', 20)], node });
  /** `line` with the cells of these columns (of resultsHeader(2)) replaced. */
  const withCells = (replaced: Record<string, string>) => {
    const cells = line.split(',');
    for (const [column, text] of Object.entries(replaced)) cells[resultsHeader(2).indexOf(column)] = text;
    return cells.join(',');
  };

  it('refuses a rate or a figure that is not a decimal number, naming the file, line and column', () => {
    // Number() read " " and "" as 0 and "0x10" as 16.
    for (const [column, text, message] of [
      ['rate_function_1', ' ', 'rate of b is " ": not a number of 0 or more'],
      ['rate_function_1', '0x10', 'rate of b is "0x10": not a number of 0 or more'],
      ['rate_function_1', '', 'rate of b is "": not a number of 0 or more'],
      ['rate_function_0', 'nan', 'rate of a is "nan": not a number of 0 or more'],
      ['cpu_usage_function_0', ' ', 'cpu_usage_function_0 " " is not a number'],
      ['ram_usage_function_1', '0x10', 'ram_usage_function_1 "0x10" is not a number'],
      ['replica_0', '1_000', 'replica_0 "1_000" is not a number'],
      ['overloaded_function_0', 'true', 'overloaded_function_0 "true" is not a number'],
      ['cpu_usage_node', '12%', 'cpu_usage_node "12%" is not a number'],
      ['overloaded_node', ' 1', 'overloaded_node " 1" is not a number'],
    ] as const) {
      const csv = `${header}\n${line}\n${withCells({ [column]: text })}\n`;
      expect(() => parseResults(csv, 'r.csv'), `${column} "${text}"`).toThrow(DatasetFormatError);
      expect(() => parseResults(csv, 'r.csv'), `${column} "${text}"`).toThrow(`r.csv:3: ${message}`);
    }
  });

  it('reads back every number the writer writes: infinities, exponents, signs, nan in any case', () => {
    const rows: ResultRow[] = [
      {
        functions: [fn('a', 1e21, { cpuPct: Number.POSITIVE_INFINITY, ramBytes: -1.5, powerW: 1e-7 })],
        node: { ...node, cpuPct: Number.NEGATIVE_INFINITY, ramBytes: 2 ** 60, idleRamPct: -0 },
      },
    ];
    const text = `${[header, ...rows.map((r) => resultsLine(names, r))].join('\n')}\n`;
    expect(text).toContain(',1e+21,');
    expect(text).toContain(',Infinity,');
    expect(text).toContain(',-Infinity,');
    const [read] = parseResults(text, 'r.csv');
    expect(read?.functions[0]).toEqual({ ...rows[0]?.functions[0], powerW: 0 });
    expect(read?.node).toEqual({
      ...node,
      cpuPct: Number.NEGATIVE_INFINITY,
      ramBytes: 2 ** 60,
      idleRamPct: 0,
    });
    // The legacy notebooks' and pandas' spellings.
    const legacy = withCells({ cpu_usage_node: 'NaN', cpu_usage_idle_node: 'inf', ram_usage_node: '-INF' });
    const [spelt] = parseResults(`${header}\n${legacy}\n`, 'r.csv');
    expect(spelt?.node.cpuPct).toBeNaN();
    expect(spelt?.node.idleCpuPct).toBe(Number.POSITIVE_INFINITY);
    expect(spelt?.node.ramBytes).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses a row with more or fewer cells than the header, or a function twice, naming the file and line', () => {
    const short = line.split(',').slice(0, -3).join(',');
    expect(() => parseResults(`${header}\n${line}\n${short}\n${line}\n`, 'r.csv')).toThrow(
      DatasetFormatError,
    );
    expect(() => parseResults(`${header}\n${line}\n${short}\n${line}\n`, 'r.csv')).toThrow(
      `r.csv:3: ${resultsHeader(2).length - 3} cells, expected ${resultsHeader(2).length} (the header's)`,
    );
    expect(() => parseResults(`${header}\n\n${line},1\n`, 'r.csv')).toThrow(
      `r.csv:3: ${resultsHeader(2).length + 1} cells, expected ${resultsHeader(2).length} (the header's)`,
    );
    // A function in two slots of a row (its second rate would replace the first).
    expect(() => parseResults(`${header}\n${withCells({ function_1: 'a' })}\n`, 'r.csv')).toThrow(
      'r.csv:2: a twice in the row',
    );
    // One cell: the sampler's header itself, cut (a line that is not even a row).
    expect(() => parseResults(`${header}\na\n`, 'r.csv')).toThrow('r.csv:2: 1 cell, expected');
  });

  it('a last line a crash cut short is removed on resume; read as it is, it is refused saying it has no line end', () => {
    const path = join(dir, 'cut.csv');
    const whole = `${header}\n${line}\n`;
    // Cuts that keep the cell count (after the last comma: overloaded_node empty) or not.
    for (const cut of [line.slice(0, -1), line.slice(0, 20), 'a']) {
      writeFileSync(path, `${whole}${cut}`);
      expect(() => readResults(path), cut).toThrow(`${path}:3: `);
      expect(() => readResults(path), cut).toThrow(/no line end/);
      // What the sampler does on resume: cut, then read.
      expect(readDoneRows(path, header).rows).toEqual([{ a: 10, b: 20 }]);
      expect(readFileSync(path, 'utf8')).toBe(whole);
    }
  });
});
