import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
});
