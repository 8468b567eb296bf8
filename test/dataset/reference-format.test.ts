import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_EOL, csvLines, csvText, floatCell } from '../../src/dataset/cells.js';
import { parseResults, resultsHeader, resultsLine } from '../../src/dataset/results.js';
import {
  INDEX_HEADER,
  indexLine,
  readIndex,
  readSkipped,
  skippedHeader,
  skippedLine,
} from '../../src/dataset/sweep-lists.js';
import { cutPartialLastLine, readDoneRows } from '../../src/sampler/resume.js';
import { aFunction, aNode } from './fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-reference-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the reference DFaaS formats, byte for byte', () => {
  it('results.csv: columns named after the functions, node columns last, figures as Python .3f', () => {
    expect(resultsHeader(['figlet', 'shasum']).join(',')).toBe(
      'function_figlet,rate_function_figlet,success_rate_function_figlet,cpu_usage_function_figlet,' +
        'ram_usage_function_figlet,power_usage_function_figlet,replica_figlet,overloaded_function_figlet,' +
        'medium_latency_function_figlet,function_shasum,rate_function_shasum,success_rate_function_shasum,' +
        'cpu_usage_function_shasum,ram_usage_function_shasum,power_usage_function_shasum,replica_shasum,' +
        'overloaded_function_shasum,medium_latency_function_shasum,cpu_usage_idle_node,cpu_usage_node,' +
        'ram_usage_idle_node,ram_usage_node,ram_usage_idle_node_percentage,ram_usage_node_percentage,' +
        'power_usage_idle_node,power_usage_node,rest_seconds,overloaded_node',
    );
    const line = resultsLine(['figlet', 'shasum'], {
      functions: [
        // rate 0: success 1.000, latency 0 (the reference's), CPU and RAM measured; power in µW.
        aFunction('figlet', 0, {
          successRate: 1,
          cpuPct: 0,
          ramBytes: 6875136,
          powerMicrowatts: 1500000,
          replicas: 1,
          overloaded: false,
          meanLatencyMs: 0,
        }),
        aFunction('shasum', 20, {
          successRate: 0.98,
          cpuPct: 12.3456,
          meanLatencyMs: 3.999,
          overloaded: false,
        }),
      ],
      node: aNode({ restSeconds: 10.9, idlePowerMicrowatts: 2.5e6, powerMicrowatts: Number.NaN }),
    });
    expect(line).toBe(
      'figlet,0,1.000,0.000,6875136.000,1500000.000,1,0,0,' +
        'shasum,20,0.980,12.346,1024.000,nan,1,0,3,' +
        '1.000,2.000,3.000,4.000,5.000,6.000,2500000.000,nan,10,0',
    );
    const only = resultsLine(['figlet', 'shasum'], { functions: [aFunction('shasum', 10)], node: aNode() });
    expect(only.startsWith(',,,,,,,,,shasum,10,')).toBe(true);
  });

  it('floats round as Python does: ties to even, -0.000, inf', () => {
    expect([0.0625, -0.0625, 0.1875, 0.3125, -0, Number.POSITIVE_INFINITY, 1.0005].map(floatCell)).toEqual([
      '0.062',
      '-0.062',
      '0.188',
      '0.312',
      '-0.000',
      'inf',
      '1.000',
    ]);
  });

  it('reads the reference header and dfaas older numbered one; older power (W) comes back in µW', () => {
    const names = ['figlet', 'shasum'];
    const row = {
      functions: [aFunction('shasum', 20, { powerMicrowatts: 2e6, meanLatencyMs: 3 })],
      node: aNode(),
    };
    const [read] = parseResults(`${resultsHeader(names).join(',')}\n${resultsLine(names, row)}\n`, 'new.csv');
    expect(read?.functions[0]).toMatchObject({
      name: 'shasum',
      rate: 20,
      powerMicrowatts: 2e6,
      meanLatencyMs: 3,
    });
    const old = `${resultsHeader(2).join(',')}\n,,,,,,,,,shasum,20,0.5,12.25,1024,2,1,1,3.125,1,2,3,4,5,6,nan,1.5,7.5,0\n`;
    const [legacy] = parseResults(old, 'old.csv');
    expect(legacy?.functions[0]).toMatchObject({
      name: 'shasum',
      powerMicrowatts: 2e6,
      meanLatencyMs: 3.125,
    });
    expect(legacy?.node.powerMicrowatts).toBe(1.5e6);
    // In the reference header a column names its own function.
    const wrong = resultsLine(names, { functions: [aFunction('figlet', 1)], node: aNode() }).replace(
      /^figlet/,
      'shasum',
    );
    expect(() => parseResults(`${resultsHeader(names).join(',')}\n${wrong}\n`, 'w.csv')).toThrow(
      'w.csv:2: function_figlet is "shasum", expected "figlet"',
    );
  });

  it('index.csv: Python list literals, one line per configuration; older lines still read', () => {
    expect(INDEX_HEADER).toBe('functions;rates;results_file');
    expect(indexLine({ rates: { shasum: 20, figlet: 10 }, resultsFile: 'results.csv' })).toBe(
      "['figlet', 'shasum'];[10, 20];results.csv",
    );
    expect(indexLine({ rates: { curl: 0 }, resultsFile: 'results.csv' })).toBe("['curl'];[0];results.csv");
    const path = join(dir, 'index.csv');
    writeFileSync(
      path,
      `${INDEX_HEADER}\r\n['figlet', 'shasum'];[10, 20];results.csv\r\nfiglet;0;results.csv\r\n`,
    );
    expect(readIndex(path)).toEqual([
      { rates: { figlet: 10, shasum: 20 }, resultsFile: 'results.csv' },
      { rates: { figlet: 0 }, resultsFile: 'results.csv' },
    ]);
    writeFileSync(path, `${INDEX_HEADER}\n['figlet'];[10, 20];results.csv\n`);
    expect(() => readIndex(path)).toThrow(`${path} line 2: 2 rates for 1 function`);
  });

  it("skipped.csv: function_<name>,rate_function_<name> per function, then dfaas's reason (quoted as Python quotes), iteration and time", () => {
    const names = ['figlet', 'shasum'];
    expect(skippedHeader(names)).toBe(
      'function_figlet,rate_function_figlet,function_shasum,rate_function_shasum,reason,iteration,skipped_at',
    );
    const row = {
      rates: { shasum: 30 },
      reason: 'cooldown timed out after 5 s (cpu 9.0%, 2 "replicas")',
      iteration: 1,
      skippedAt: '2026-11-30T09:00:00.000Z',
    };
    const line = skippedLine(names, row);
    expect(line).toBe(
      ',,shasum,30,"cooldown timed out after 5 s (cpu 9.0%, 2 ""replicas"")",1,2026-11-30T09:00:00.000Z',
    );
    const path = join(dir, 'skipped.csv');
    writeFileSync(path, `${skippedHeader(names)}\n${line}\n`);
    expect(readSkipped(path)).toEqual([row]);
    writeFileSync(path, 'functions;rates;reason\nfiglet,shasum;10,20;overloaded\n');
    expect(readSkipped(path)).toEqual([{ rates: { figlet: 10, shasum: 20 }, reason: 'overloaded' }]);
  });

  it('line ends: \r\n, as Python csv.writer/DictWriter write results.csv, skipped.csv and index.csv', () => {
    expect(CSV_EOL).toBe('\r\n');
    expect(csvText([INDEX_HEADER, "['figlet'];[10];results.csv"])).toBe(
      "functions;rates;results_file\r\n['figlet'];[10];results.csv\r\n",
    );
    expect(csvLines('a\r\nb\nc\r\n').map((l) => l.line)).toEqual(['a', 'b', 'c']);
    // A whole line still ends with \n: resume cuts only a line cut short (here after its \r).
    const names = ['figlet'];
    const path = join(dir, 'results-crlf.csv');
    const whole = csvText([
      resultsHeader(names).join(','),
      resultsLine(names, { functions: [aFunction('figlet', 10)], node: aNode() }),
    ]);
    writeFileSync(
      path,
      `${whole}${resultsLine(names, { functions: [aFunction('figlet', 20)], node: aNode() })}\r`,
    );
    expect(readDoneRows(path, names).rows).toEqual([{ figlet: 10 }]);
    expect(readFileSync(path, 'utf8')).toBe(whole);
    expect(cutPartialLastLine(path)).toBe(whole);
    // An older \n file is rewritten in the reference's format, \r\n included.
    const old = `${resultsHeader(1).join(',')}\nfiglet,10,0.5,12.25,1024,nan,1,1,3.125,1,2,3,4,5,6,nan,nan,7.5,0\n`;
    writeFileSync(path, old);
    expect(readDoneRows(path, names).rows).toEqual([{ figlet: 10 }]);
    expect(readFileSync(path, 'utf8')).toBe(
      csvText([
        resultsHeader(names).join(','),
        'figlet,10,0.500,12.250,1024.000,nan,1,1,3,1.000,2.000,3.000,4.000,5.000,6.000,nan,nan,7,0',
      ]),
    );
  });
});
