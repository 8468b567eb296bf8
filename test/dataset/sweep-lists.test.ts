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
  readIndex,
  readSkipped,
  SKIPPED_HEADER,
  type SkippedRow,
  skippedLine,
} from '../../src/dataset/sweep-lists.js';
import { cutPartialLastLine } from '../../src/sampler/resume.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-lists-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('index.csv and skipped.csv', () => {
  it('write a configuration with its names sorted and rates in that order', () => {
    expect(configurationKey({ shasum: 20, figlet: 10 })).toBe('figlet,shasum;10,20');
    expect(indexLine({ rates: { figlet: 0 }, resultsFile: 'results.csv' })).toBe('figlet;0;results.csv');
  });

  it('read back the rows they write', () => {
    const index: IndexRow[] = [
      { rates: { figlet: 0 }, resultsFile: 'results.csv' },
      { rates: { figlet: 10, shasum: 2.5 }, resultsFile: 'results.csv' },
    ];
    const skipped: SkippedRow[] = [
      { rates: { figlet: 20, shasum: 20 }, reason: 'dominates figlet-10, which overloaded the node' },
      { rates: { shasum: 30 }, reason: 'cooldown timed out after 5 s (cpu 9.0% vs idle 1.0%; 2 replicas)' },
    ];
    const indexPath = join(dir, 'index.csv');
    const skippedPath = join(dir, 'skipped.csv');
    writeFileSync(indexPath, `${[INDEX_HEADER, ...index.map(indexLine)].join('\n')}\n`);
    writeFileSync(skippedPath, `${SKIPPED_HEADER}\n`);
    for (const r of skipped) appendFileSync(skippedPath, `${skippedLine(r)}\n`);
    expect(readIndex(indexPath)).toEqual(index);
    expect(readSkipped(skippedPath)).toEqual(skipped);
    expect(readSkipped(join(dir, 'none.csv'))).toEqual([]);
  });

  it('refuse another header or a line that is not functions;rates;…', () => {
    const other = join(dir, 'other.csv');
    writeFileSync(other, `${INDEX_HEADER}\n`);
    expect(() => readSkipped(other)).toThrow(DatasetFormatError);
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${INDEX_HEADER}\nfiglet,shasum;10;results.csv\n`);
    expect(() => readIndex(bad)).toThrow(`${bad} line 2`);
  });

  it('refuse a line with a missing field, a rate that is not a decimal number, or names empty or twice', () => {
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
      writeFileSync(skipped, `${SKIPPED_HEADER}\nfiglet;5;overloaded\n${line}\nfiglet;6;overloaded\n`);
      expect(() => readSkipped(skipped), line).toThrow(DatasetFormatError);
      expect(() => readSkipped(skipped), line).toThrow(`${skipped} line 3: `);
      expect(() => readSkipped(skipped), line).toThrow(message);
      const index = join(dir, 'index-bad.csv');
      writeFileSync(index, `${INDEX_HEADER}\r\n\r\n${line.replace(/;why$/, ';results.csv')}\r\n`);
      expect(() => readIndex(index), line).toThrow(`${index} line 3: `);
    }
  });

  it('read what the writer writes for any rate of 0 or more, an empty reason and a reason holding ;', () => {
    const rows: SkippedRow[] = [
      { rates: { a: 0, b: 1e-7, c: 1e21, d: 2.5 }, reason: '' },
      { rates: { a: 3 }, reason: 'x;y;;z' },
    ];
    const path = join(dir, 'skipped-any.csv');
    writeFileSync(path, `${[SKIPPED_HEADER, ...rows.map(skippedLine)].join('\n')}\n`);
    expect(readFileSync(path, 'utf8')).toContain('a,b,c,d;0,1e-7,1e+21,2.5;\n');
    expect(readSkipped(path)).toEqual(rows);
  });

  it('resume drops a last line a crash cut short; read as it is, the line is refused saying it has no line end', () => {
    const whole = `${SKIPPED_HEADER}\n${skippedLine({ rates: { figlet: 10, shasum: 20 }, reason: 'overloaded' })}\n`;
    const path = join(dir, 'skipped-cut.csv');
    // Every cut of the last line that is not a valid line (a cut line may also read as one:
    // `figlet,shasum;10,20;cool`, which is why resume removes any line without its line end).
    for (const cut of ['figlet', 'figlet,shasum;10,', 'figlet,shasum;10,2', 'figlet,sha', 'figlet,shasum;']) {
      writeFileSync(path, `${whole}${cut}`);
      expect(() => readSkipped(path), cut).toThrow(`${path} line 3: `);
      expect(() => readSkipped(path), cut).toThrow(/no line end/);
      // What the sampler does on resume (src/sampler/runner.ts): cut, then read.
      expect(cutPartialLastLine(path)).toBe(whole);
      expect(readSkipped(path)).toEqual([{ rates: { figlet: 10, shasum: 20 }, reason: 'overloaded' }]);
    }
  });
});
