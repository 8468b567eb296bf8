import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SamplerConfigSchema } from '../../src/config/sampler.js';
import { resultsHeader } from '../../src/dataset/results.js';
import { readSkipped, skippedHeader, skippedLine } from '../../src/dataset/sweep-lists.js';
import { isCooledDown } from '../../src/sampler/cooldown.js';
import { OutputDirInUseError } from '../../src/sampler/errors.js';
import { functionOverloaded, nodeOverloaded } from '../../src/sampler/overload.js';
import { cutPartialLastLine, readDoneRows } from '../../src/sampler/resume.js';

const { overload } = SamplerConfigSchema.parse({ platform: { stack: 's.yml' }, functions: [{ name: 'a' }] });

describe('sampler rules', () => {
  it('overload: function by success rate or replicas; node by success, CPU of capacity, RAM, or a function', () => {
    expect(functionOverloaded(0.89, 1, overload)).toBe(true);
    expect(functionOverloaded(0.95, 15, overload)).toBe(true);
    expect(functionOverloaded(0.95, 14, overload)).toBe(false);
    const node = { meanSuccessRate: 1, cpuPct: 150, cores: 2, ramPct: 50, anyFunctionOverloaded: false };
    // 150% CPU on 2 cores is 75% of capacity: not overloaded (compared raw with 80 it would be).
    expect(nodeOverloaded(node, overload)).toBe(false);
    expect(nodeOverloaded({ ...node, cpuPct: 161 }, overload)).toBe(true);
    expect(nodeOverloaded({ ...node, ramPct: 91 }, overload)).toBe(true);
    expect(nodeOverloaded({ ...node, meanSuccessRate: 0.94 }, overload)).toBe(true);
    expect(nodeOverloaded({ ...node, anyFunctionOverloaded: true }, overload)).toBe(true);
    expect(nodeOverloaded({ ...node, meanSuccessRate: Number.NaN, cpuPct: Number.NaN }, overload)).toBe(
      false,
    );
  });

  it('cooldown: CPU within points, RAM and power within percent, NaN passes, replicas at the floor', () => {
    const one = [{ count: 1, floor: 1 }];
    const idle = { cpuPct: 2, ramBytes: 1000, ramPct: 10, powerMicrowatts: Number.NaN };
    expect(isCooledDown({ cpuPct: 16, ramBytes: 1150, ramPct: 11, powerMicrowatts: 30 }, idle, 15, one)).toBe(
      true,
    );
    expect(isCooledDown({ cpuPct: 18, ramBytes: 1000, ramPct: 10, powerMicrowatts: 30 }, idle, 15, one)).toBe(
      false,
    );
    expect(isCooledDown({ cpuPct: 2, ramBytes: 1200, ramPct: 10, powerMicrowatts: 30 }, idle, 15, one)).toBe(
      false,
    );
    const quiet = { cpuPct: 2, ramBytes: 1000, ramPct: 10, powerMicrowatts: 30 };
    // The reference's rule where a function keeps 1 replica: fewer than 2.
    expect(isCooledDown(quiet, idle, 15, [{ count: 2, floor: 1 }])).toBe(false);
    // A function with com.openfaas.scale.min 2 (the example echo) is idle at 2, busy above.
    expect(isCooledDown(quiet, idle, 15, [...one, { count: 2, floor: 2 }])).toBe(true);
    expect(isCooledDown(quiet, idle, 15, [...one, { count: 3, floor: 2 }])).toBe(false);
    // A floor of 0 (scale to zero) still allows the one replica a run leaves.
    expect(isCooledDown(quiet, idle, 15, [{ count: 1, floor: 0 }])).toBe(true);
  });

  it('resume: counts rows per configuration and drops a line a crash cut short', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dfaas-resume-')), 'results.csv');
    const header = resultsHeader(['a']).join(',');
    const row = (rate: number, overloaded: number) =>
      [
        'a',
        rate,
        '1.000',
        '1.000',
        '1.000',
        'nan',
        1,
        0,
        1,
        '1.000',
        '1.000',
        '1.000',
        '1.000',
        '1.000',
        '1.000',
        'nan',
        'nan',
        0,
        overloaded,
      ].join(',');
    writeFileSync(file, `${header}\n${row(10, 0)}\n${row(10, 1)}\n${row(20, 1)}\na,30,1,1`);
    const done = readDoneRows(file, ['a']);
    expect([...done.iterations.values()]).toEqual([2, 1]);
    expect([...done.overloaded.values()]).toEqual([1, 1]);
    expect(done.rows).toEqual([{ a: 10 }, { a: 10 }, { a: 20 }]);
    expect(readFileSync(file, 'utf8').endsWith(`${row(20, 1)}\n`)).toBe(true);
    expect(() => readDoneRows(file, ['a', 'b'])).toThrow(OutputDirInUseError);
    expect(() => readDoneRows(file, ['b'])).toThrow(/other columns/);
  });

  it('resume: a skipped.csv line a crash cut short is removed, so the next append starts a line of its own', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'dfaas-resume-')), 'skipped.csv');
    const whole = `${skippedHeader(['a', 'b'])}\n${skippedLine(['a', 'b'], { rates: { a: 10 }, reason: 'overloaded' })}\n`;
    writeFileSync(file, `${whole}a,10,b,2`);
    expect(cutPartialLastLine(file)).toBe(whole);
    expect(readFileSync(file, 'utf8')).toBe(whole);
    expect(readSkipped(file)).toEqual([{ rates: { a: 10 }, reason: 'overloaded' }]);
    expect(cutPartialLastLine(file)).toBe(whole); // a whole file is left as it is
  });
});
