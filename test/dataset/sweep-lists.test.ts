import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../src/dataset/errors.js';
import {
  configurationKey,
  INDEX_HEADER,
  type IndexRow,
  indexLine,
  LEGACY_SKIPPED_HEADER,
  readIndex,
  readSkipped,
  type SkippedRow,
  skippedHeader,
  skippedLine,
} from '../../src/dataset/sweep-lists.js';
import { cutPartialLastLine } from '../../src/sampler/resume.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-lists-'));
const names = ['a', 'b', 'c', 'd', 'figlet', 'shasum'];
const SKIPPED_HEADER = skippedHeader(names);
const skipped = (row: SkippedRow) => skippedLine(names, row);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('index.csv and skipped.csv', () => {
  it('write a configuration with its names sorted and rates in that order', () => {
    expect(configurationKey({ shasum: 20, figlet: 10 })).toBe('figlet,shasum;10,20');
    expect(indexLine({ rates: { figlet: 0 }, resultsFile: 'results.csv' })).toBe(
      "['figlet'];[0];results.csv",
    );
    expect(indexLine({ rates: { shasum: 2.5, figlet: 10 }, resultsFile: 'results.csv' })).toBe(
      "['figlet', 'shasum'];[10, 2.5];results.csv",
    );
    expect(skippedHeader(['figlet', 'shasum'])).toBe(
      'function_figlet,rate_function_figlet,function_shasum,rate_function_shasum,reason,iteration,skipped_at',
    );
    expect(skippedLine(['figlet', 'shasum'], { rates: { shasum: 20 }, reason: 'overloaded' })).toBe(
      ',,shasum,20,overloaded,,',
    );
  });

  it('read back the rows they write', () => {
    const index: IndexRow[] = [
      { rates: { figlet: 0 }, resultsFile: 'results.csv' },
      { rates: { figlet: 10, shasum: 2.5 }, resultsFile: 'results.csv' },
    ];
    const skippedRows: SkippedRow[] = [
      { rates: { figlet: 20, shasum: 20 }, reason: 'dominates figlet-10, which overloaded the node' },
      { rates: { shasum: 30 }, reason: 'cooldown timed out after 5 s (cpu 9.0% vs idle 1.0%; 2 replicas)' },
    ];
    const indexPath = join(dir, 'index.csv');
    const skippedPath = join(dir, 'skipped.csv');
    writeFileSync(indexPath, `${[INDEX_HEADER, ...index.map(indexLine)].join('\n')}\n`);
    writeFileSync(skippedPath, `${SKIPPED_HEADER}\n`);
    for (const r of skippedRows) appendFileSync(skippedPath, `${skipped(r)}\n`);
    expect(readIndex(indexPath)).toEqual(index);
    expect(readSkipped(skippedPath)).toEqual(skippedRows);
    // dfaas's older lines still read.
    writeFileSync(indexPath, `${INDEX_HEADER}\nfiglet;0;results.csv\nfiglet,shasum;10,2.5;results.csv\n`);
    expect(readIndex(indexPath)).toEqual(index);
    writeFileSync(
      skippedPath,
      `${LEGACY_SKIPPED_HEADER}\nfiglet,shasum;20,20;dominates figlet-10, which overloaded the node\nshasum;30;cooldown timed out after 5 s (cpu 9.0% vs idle 1.0%; 2 replicas)\n`,
    );
    expect(readSkipped(skippedPath)).toEqual(skippedRows);
    expect(readSkipped(join(dir, 'none.csv'))).toEqual([]);
  });

  it('refuse another header or a line that is not functions;rates;…', () => {
    const other = join(dir, 'other.csv');
    writeFileSync(other, `${INDEX_HEADER}\n`);
    expect(() => readSkipped(other)).toThrow(DatasetFormatError);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${INDEX_HEADER}\nfiglet,shasum;10;results.csv\n`);
    expect(() => readIndex(bad)).toThrow(`${bad} line 2`);
    writeFileSync(bad, `${INDEX_HEADER}\n['figlet', 'shasum'];[10];results.csv\n`);
    expect(() => readIndex(bad)).toThrow(`${bad} line 2: 1 rate for 2 functions`);
    writeFileSync(bad, `function_a,rate_function_b,reason\n`);
    expect(() => readSkipped(bad)).toThrow(`${bad} line 1: header is`);
  });

  it('refuse an older line with a missing field, a rate that is not a decimal number, or names empty or twice', () => {
    const cases: [string, RegExp][] = [
      // A line without its rates and third field (its rate read as 0).
      ['figlet', /"figlet" is not functions;rates;reason \(3 fields separated by ;\)/],
      ['figlet;10', /"figlet;10" is not functions;rates;reason/],
      // Empty, blank and hexadecimal rates (read as 0, 0 and 16).
      ['figlet,shasum;10,;why', /rate of shasum is "": not a number of 0 or more/],
      ['figlet; ;why', /rate of figlet is " ": not a number of 0 or more/],
      ['figlet;0x10;why', /rate of figlet is "0x10": not a number of 0 or more/],
      ['figlet;-1;why', /rate of figlet is "-1"/],
      ['figlet;nan;why', /rate of figlet is "nan"/],
      ['figlet;Infinity;why', /rate of figlet is "Infinity"/],
      ['figlet;10,20;why', /2 rates for 1 function in "figlet;10,20;why"/],
      // figlet twice (the second rate replaced the first), a function with an empty name.
      ['figlet,figlet;10,20;why', /figlet twice/],
      ['figlet,;10,20;why', /an empty function name/],
      [';10;why', /an empty function name/],
    ];
    for (const [line, message] of cases) {
      const skipped = join(dir, 'skipped-bad.csv');
      writeFileSync(skipped, `${LEGACY_SKIPPED_HEADER}\nfiglet;5;overloaded\n${line}\nfiglet;6;overloaded\n`);
      expect(() => readSkipped(skipped), line).toThrow(DatasetFormatError);
      expect(() => readSkipped(skipped), line).toThrow(`${skipped} line 3: `);
      expect(() => readSkipped(skipped), line).toThrow(message);
      const index = join(dir, 'index-bad.csv');
      writeFileSync(index, `${INDEX_HEADER}\r\n\r\n${line.replace(/;why$/, ';results.csv')}\r\n`);
      expect(() => readIndex(index), line).toThrow(`${index} line 3: `);
    }
  });

  it('refuse a line with other cells than the header, a name in another column, a bad rate, or no function', () => {
    const header = skippedHeader(['figlet', 'shasum']);
    const cases: [string, RegExp][] = [
      ['figlet,10', /has 2 cells, expected 7/],
      ['figlet,10,,,why,0,,more', /has 8 cells, expected 7/],
      ['"figlet,10,,,why,,', /has a bad quote/],
      ['shasum,10,,,why,,', /function_figlet is "shasum", expected "figlet"/],
      ['figlet,,,,why,,', /rate of figlet is "": not a number of 0 or more/],
      ['figlet,0x10,,,why,,', /rate of figlet is "0x10"/],
      ['figlet,-1,,,why,,', /rate of figlet is "-1"/],
      [',,,,why,,', /no function in/],
      ['figlet,10,,,why,first,', /iteration is "first", expected a whole number/],
    ];
    for (const [line, message] of cases) {
      const path = join(dir, 'skipped-bad-new.csv');
      writeFileSync(
        path,
        `${header}\nfiglet,5,,,overloaded,0,2026-11-30T09:00:00.000Z\n${line}\n,,shasum,6,overloaded,,\n`,
      );
      expect(() => readSkipped(path), line).toThrow(DatasetFormatError);
      expect(() => readSkipped(path), line).toThrow(`${path} line 3: `);
      expect(() => readSkipped(path), line).toThrow(message);
    }
    // dfaas's skipped.csv before it recorded the iteration and the time reads too.
    const older = join(dir, 'skipped-older.csv');
    writeFileSync(older, `${header.replace(',iteration,skipped_at', '')}\nfiglet,5,,,overloaded\n`);
    expect(readSkipped(older)).toEqual([{ rates: { figlet: 5 }, reason: 'overloaded' }]);
    // The reference's own skipped.csv, without dfaas's reason column, reads too.
    const path = join(dir, 'skipped-reference.csv');
    writeFileSync(path, 'function_figlet,rate_function_figlet\r\nfiglet,10\r\n');
    expect(readSkipped(path)).toEqual([{ rates: { figlet: 10 }, reason: '' }]);
  });

  // Rates as Python writes them (repr): 1e-07, and a whole rate in full.
  it('read what the writer writes for any rate of 0 or more, an empty reason and a reason holding ; , " or a line end', () => {
    const rows: SkippedRow[] = [
      { rates: { a: 0, b: 1e-7, c: 1e21, d: 2.5 }, reason: '' },
      { rates: { a: 3 }, reason: 'x;y;;z' },
      { rates: { b: 4 }, reason: 'a, "quoted" reason' },
      { rates: { a: 5 }, reason: 'cooldown timed out', iteration: 2, skippedAt: '2026-11-30T09:00:00.000Z' },
    ];
    const path = join(dir, 'skipped-any.csv');
    writeFileSync(path, `${[SKIPPED_HEADER, ...rows.map(skipped)].join('\n')}\n`);
    expect(readFileSync(path, 'utf8')).toContain('\na,0,b,1e-07,c,1000000000000000000000,d,2.5,,,,,,,\n');
    expect(readFileSync(path, 'utf8')).toContain(',,b,4,,,,,,,,,"a, ""quoted"" reason",,\n');
    expect(readFileSync(path, 'utf8')).toContain(
      '\na,5,,,,,,,,,,,cooldown timed out,2,2026-11-30T09:00:00.000Z\n',
    );
    expect(readSkipped(path)).toEqual(rows);
    // A line end in a reason is written as a space: every line of the file is one row.
    expect(skipped({ rates: { a: 1 }, reason: 'one\r\ntwo' }).endsWith(',one two,,')).toBe(true);
  });

  it('resume drops a last line a crash cut short; read as it is, the line is refused saying it has no line end', () => {
    const header = skippedHeader(['figlet', 'shasum']);
    const whole = `${header}\n${skippedLine(['figlet', 'shasum'], { rates: { figlet: 10, shasum: 20 }, reason: 'overloaded' })}\n`;
    const path = join(dir, 'skipped-cut.csv');
    // Every cut of the last line that is not a valid line (a cut line may also read as one:
    // `figlet,10,shasum,20,cool`, which is why resume removes any line without its line end).
    for (const cut of [
      'figlet',
      'figlet,10,',
      'figlet,10,shasum,2',
      'figlet,10,sha',
      ',,shasum,20',
      '"over',
    ]) {
      writeFileSync(path, `${whole}${cut}`);
      expect(() => readSkipped(path), cut).toThrow(`${path} line 3: `);
      expect(() => readSkipped(path), cut).toThrow(/no line end/);
      // What the sampler does on resume (src/sampler/runner.ts): cut, then read.
      expect(cutPartialLastLine(path)).toBe(whole);
      expect(readSkipped(path)).toEqual([{ rates: { figlet: 10, shasum: 20 }, reason: 'overloaded' }]);
    }
  });
});
