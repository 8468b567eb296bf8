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
  const header = resultsHeader(['a', 'b']).join(',');
  const names = ['a', 'b'];
  const line = resultsLine(names, { functions: [fn('a', 10), fn('b', 20)], node });
  /** `line` with the cells of these columns (of resultsHeader(['a', 'b'])) replaced. */
  const withCells = (replaced: Record<string, string>) => {
    const cells = line.split(',');
    for (const [column, text] of Object.entries(replaced)) cells[resultsHeader(names).indexOf(column)] = text;
    return cells.join(',');
  };
  /** A row as it reads back: latency and rest written in whole numbers (the reference's int()). */
  const asWritten = (row: ResultRow): ResultRow => ({
    functions: row.functions.map((f) => ({ ...f, meanLatencyMs: Math.trunc(f.meanLatencyMs) })),
    node: { ...row.node, restSeconds: Math.trunc(row.node.restSeconds) },
  });

  it('writes figures with 3 decimals, nan, whole latency/replicas/rest, 0/1, and empty for functions not in the configuration', () => {
    expect([cell(1.23456), cell(Number.NaN), cell(true), cell(7), cell(undefined)]).toEqual([
      '1.235',
      'nan',
      '1',
      '7',
      '',
    ]);
    const cells = resultsLine(names, { functions: [fn('b', 10, { cpuPct: 12.3456 })], node }).split(',');
    expect(cells).toHaveLength(resultsHeader(names).length);
    expect(cells.slice(0, 9)).toEqual(['', '', '', '', '', '', '', '', '']);
    expect(cells.slice(9, 18)).toEqual(['b', '10', '0.500', '12.346', '1024.000', 'nan', '1', '1', '3']);
    expect(cells.slice(18)).toEqual([
      '1.000',
      '2.000',
      '3.000',
      '4.000',
      '5.000',
      '6.000',
      'nan',
      'nan',
      '7',
      '0',
    ]);
    expect(resultsHeader(['a']).join(',')).toBe(
      'function_a,rate_function_a,success_rate_function_a,cpu_usage_function_a,ram_usage_function_a,' +
        'power_usage_function_a,replica_a,overloaded_function_a,medium_latency_function_a,' +
        'cpu_usage_idle_node,cpu_usage_node,ram_usage_idle_node,ram_usage_node,' +
        'ram_usage_idle_node_percentage,ram_usage_node_percentage,power_usage_idle_node,' +
        'power_usage_node,rest_seconds,overloaded_node',
    );
    // A rate-0 function as the sampler writes it (success 1, latency 0).
    const idle = resultsLine(['a'], { functions: [fn('a', 0, { successRate: 1, meanLatencyMs: 0 })], node });
    expect(idle.split(',').slice(0, 9)).toEqual([
      'a',
      '0',
      '1.000',
      '12.250',
      '1024.000',
      'nan',
      '1',
      '1',
      '0',
    ]);
  });

  it('reads back the rows it writes (latency and rest truncated to whole numbers)', () => {
    const all = ['a', 'b', 'c'];
    const rows: ResultRow[] = [
      { functions: [fn('a', 0, { successRate: 1, meanLatencyMs: 0 })], node },
      // No request answered: no latency.
      {
        functions: [fn('a', 10, { meanLatencyMs: Number.NaN }), fn('c', 20, { overloaded: false })],
        node: { ...node, overloaded: true },
      },
      {
        functions: [fn('b', 5, { meanLatencyMs: 999.999 })],
        node: { ...node, cpuPct: Number.NaN, restSeconds: 0.5 },
      },
    ];
    const path = join(dir, 'results.csv');
    writeFileSync(
      path,
      `${[resultsHeader(all).join(','), ...rows.map((r) => resultsLine(all, r))].join('\n')}\n`,
    );
    const read = readResults(path);
    expect(read).toEqual(rows.map(asWritten));
    expect(read[2]?.functions[0]?.meanLatencyMs).toBe(999);
    expect(read[2]?.node.restSeconds).toBe(0);
    expect(read.map(ratesOf)).toEqual([{ a: 0 }, { a: 10, c: 20 }, { b: 5 }]);
  });

  it("still reads dfaas's older files: function_0 columns, power in W (read in µW), medians with decimals", () => {
    const old = [
      resultsHeader(2).join(','),
      'a,0,nan,0.5,1024,0.25,1,0,nan,,,,,,,,,,1,2,3,4,5,6,1.5,2,7.500,0',
      'a,10,0.5,12.25,1024,nan,1,1,3.125,b,20,1,1,2,0.5,1,0,4,1,2,3,4,5,6,1.5,2,7.500,1',
    ].join('\n');
    const path = join(dir, 'old-results.csv');
    writeFileSync(path, `${old}\n`);
    const read = readResults(path);
    expect(read.map(ratesOf)).toEqual([{ a: 0 }, { a: 10, b: 20 }]);
    expect(read[0]?.functions[0]).toMatchObject({ name: 'a', powerMicrowatts: 250000, cpuPct: 0.5 });
    expect(read[0]?.functions[0]?.successRate).toBeNaN();
    expect(read[1]?.functions[0]).toMatchObject({ name: 'a', meanLatencyMs: 3.125 });
    expect(read[1]?.functions[1]).toMatchObject({ name: 'b', powerMicrowatts: 500000, meanLatencyMs: 4 });
    expect(read[1]?.node).toMatchObject({
      idlePowerMicrowatts: 1.5e6,
      powerMicrowatts: 2e6,
      restSeconds: 7.5,
      overloaded: true,
    });
    // Resuming on it rewrites it in the reference's format, rows unchanged but for the rate-0 figures.
    expect(readDoneRows(path, names).rows).toEqual([{ a: 0 }, { a: 10, b: 20 }]);
    const text = readFileSync(path, 'utf8');
    expect(text.split(/\r?\n/)[0]).toBe(header);
    expect(text.split(/\r?\n/)[1]).toBe(
      'a,0,1.000,0.500,1024.000,250000.000,1,0,0,,,,,,,,,,1.000,2.000,3.000,4.000,5.000,6.000,1500000.000,2000000.000,7,0',
    );
    expect(readResults(path)[1]?.functions[1]).toMatchObject({
      name: 'b',
      powerMicrowatts: 500000,
      meanLatencyMs: 4,
    });
  });

  it('reads by column name: another order or a missing column reads too', () => {
    for (const text of [
      'function_0,rate_function_0,overloaded_node,cpu_usage_node\r\nx,10,1,55.5\r\n',
      'function_x,rate_function_x,overloaded_node,cpu_usage_node\r\nx,10,1,55.500\r\n',
    ]) {
      const [row] = parseResults(text, 'legacy.csv');
      expect(row?.functions.map((f) => [f.name, f.rate])).toEqual([['x', 10]]);
      expect(row?.node.overloaded).toBe(true);
      expect(row?.node.cpuPct).toBe(55.5);
      expect(Number.isNaN(row?.node.restSeconds)).toBe(true);
    }
  });

  it('names the file and the line of what is not results.csv', () => {
    expect(() => parseResults('name,rate\nx,1\n', 'bad.csv')).toThrow(DatasetFormatError);
    expect(() => parseResults('name,rate\nx,1\n', 'bad.csv')).toThrow(/bad.csv: not a sampler results.csv/);
    const one = resultsHeader(['a']);
    const pad = (cells: string) => `${cells}${','.repeat(one.length - cells.split(',').length)}`;
    expect(() => parseResults(`${one.join(',')}\n${pad('a,-1')}\n${pad('a,abc')}\n`, 'r.csv')).toThrow(
      'r.csv:2: rate of a is "-1": not a number of 0 or more',
    );
    expect(() => parseResults(`${one.join(',')}\n${pad('x,1')}\n`, 'r.csv')).toThrow(
      'r.csv:2: function_a is "x", expected "a"',
    );
  });

  it('refuses a rate or a figure that is not a decimal number, naming the file, line and column', () => {
    // Number() read " " and "" as 0 and "0x10" as 16.
    for (const [column, text, message] of [
      ['rate_function_b', ' ', 'rate of b is " ": not a number of 0 or more'],
      ['rate_function_b', '0x10', 'rate of b is "0x10": not a number of 0 or more'],
      ['rate_function_b', '', 'rate of b is "": not a number of 0 or more'],
      ['rate_function_a', 'nan', 'rate of a is "nan": not a number of 0 or more'],
      ['cpu_usage_function_a', ' ', 'cpu_usage_function_a " " is not a number'],
      ['ram_usage_function_b', '0x10', 'ram_usage_function_b "0x10" is not a number'],
      ['replica_a', '1_000', 'replica_a "1_000" is not a number'],
      ['overloaded_function_a', 'true', 'overloaded_function_a "true" is not a number'],
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
        functions: [
          fn('a', 1e21, { cpuPct: Number.POSITIVE_INFINITY, ramBytes: -1.5, powerMicrowatts: 1e-7 }),
        ],
        node: { ...node, cpuPct: Number.NEGATIVE_INFINITY, ramBytes: 2 ** 60, idleRamPct: -0 },
      },
    ];
    const text = `${[header, ...rows.map((r) => resultsLine(names, r))].join('\n')}\n`;
    expect(text).toContain(',1e+21,');
    expect(text).toContain(',inf,');
    expect(text).toContain(',-inf,');
    expect(text).toContain(',-1.500,');
    expect(text).toContain(',-0.000,');
    const [read] = parseResults(text, 'r.csv');
    expect(read?.functions[0]).toEqual({ ...rows[0]?.functions[0], powerMicrowatts: 0, meanLatencyMs: 3 });
    expect(read?.node).toEqual({
      ...node,
      cpuPct: Number.NEGATIVE_INFINITY,
      ramBytes: 2 ** 60,
      idleRamPct: -0,
      restSeconds: 7,
    });
    // The legacy notebooks' and pandas' spellings, and dfaas's older Infinity.
    const spellings = withCells({
      cpu_usage_node: 'NaN',
      cpu_usage_idle_node: 'Infinity',
      ram_usage_node: '-INF',
    });
    const [spelt] = parseResults(`${header}\n${spellings}\n`, 'r.csv');
    expect(spelt?.node.cpuPct).toBeNaN();
    expect(spelt?.node.idleCpuPct).toBe(Number.POSITIVE_INFINITY);
    expect(spelt?.node.ramBytes).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuses a row with more or fewer cells than the header, or a function twice, naming the file and line', () => {
    const width = resultsHeader(names).length;
    const short = line.split(',').slice(0, -3).join(',');
    expect(() => parseResults(`${header}\n${line}\n${short}\n${line}\n`, 'r.csv')).toThrow(
      DatasetFormatError,
    );
    expect(() => parseResults(`${header}\n${line}\n${short}\n${line}\n`, 'r.csv')).toThrow(
      `r.csv:3: ${width - 3} cells, expected ${width} (the header's)`,
    );
    expect(() => parseResults(`${header}\n\n${line},1\n`, 'r.csv')).toThrow(
      `r.csv:3: ${width + 1} cells, expected ${width} (the header's)`,
    );
    // In the reference's header a column names its own function.
    expect(() => parseResults(`${header}\n${withCells({ function_b: 'a' })}\n`, 'r.csv')).toThrow(
      'r.csv:2: function_b is "a", expected "b"',
    );
    // In the older numbered header, a function in two slots of a row (its second rate would replace the first).
    const twice = withCells({ function_b: 'a' });
    expect(() => parseResults(`${resultsHeader(2).join(',')}\n${twice}\n`, 'r.csv')).toThrow(
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
      expect(readDoneRows(path, names).rows).toEqual([{ a: 10, b: 20 }]);
      expect(readFileSync(path, 'utf8')).toBe(whole);
    }
  });
});
