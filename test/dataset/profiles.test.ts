import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetFormatError } from '../../src/dataset/errors.js';
import {
  type ProfileRow,
  profileRowsOf,
  readProfileCsv,
  writeProfileCsv,
} from '../../src/dataset/profiles.js';
import { aNode } from './fixtures.js';

const HEADER = 'name,rate,success_rate,cpu_usage,ram_usage,power_usage,overloaded,medium_latency';
const dir = mkdtempSync(join(tmpdir(), 'dfaas-profile-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeCsv(file: string, text: string): string {
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

const row = (rate: number, over: Partial<ProfileRow> = {}): ProfileRow => ({
  name: 'figlet',
  rate,
  successRate: 0.95,
  cpuPct: 12.5,
  ramBytes: 1048576,
  powerMicrowatts: 3.25,
  overloaded: false,
  meanLatencyMs: 7.125,
  ...over,
});

describe('profiles/NAME.csv', () => {
  it('reads back the rows it writes, nan as NaN', () => {
    const rows = [
      row(10, { successRate: Number.NaN, meanLatencyMs: Number.NaN, powerMicrowatts: Number.NaN }),
      row(20, { overloaded: true }),
    ];
    const path = writeProfileCsv(join(dir, 'figlet.csv'), rows);
    expect(readFileSync(path, 'utf8')).toBe(
      `${HEADER}\nfiglet,10,nan,12.500,1048576,nan,0,nan\nfiglet,20,0.950,12.500,1048576,3.250,1,7.125\n`,
    );
    expect(readProfileCsv(path)).toEqual(rows);
    // Figures that are not finite read back too (the cells' one definition, src/dataset/cells.ts).
    const infinite = [row(1e21, { cpuPct: Number.POSITIVE_INFINITY, ramBytes: Number.NEGATIVE_INFINITY })];
    expect(readProfileCsv(writeProfileCsv(join(dir, 'infinite.csv'), infinite))).toEqual(infinite);
  });

  it('takes the rows of a single-function sweep, overloaded being the node verdict', () => {
    const fn = { ...row(10), replicas: 2, overloaded: true };
    const node = aNode({ overloaded: false });
    expect(profileRowsOf([{ functions: [fn], node }])).toEqual([row(10)]);
  });

  it('reads overloaded nan as not overloaded', () => {
    const path = writeCsv('nan.csv', `${HEADER}\nfiglet,10,1,1,1,1,NaN,1\n`);
    expect(readProfileCsv(path)[0]?.overloaded).toBe(false);
  });

  it('names the file and the line of a bad header or value', () => {
    const header = writeCsv('header.csv', 'name,rate,success_rate,cpu,ram_usage\nfiglet,10,1,1,1\n');
    expect(() => readProfileCsv(header)).toThrow(DatasetFormatError);
    expect(() => readProfileCsv(header)).toThrow(`${header} line 1: header is "name,rate,success_rate,cpu,`);
    const value = writeCsv('value.csv', `${HEADER}\nfiglet,10,1,2,3,4,0,5\nfiglet,20,1,abc,3,4,0,5\n`);
    expect(() => readProfileCsv(value)).toThrow(`${value} line 3: cpu_usage "abc" is not a number`);
    for (const text of ['', ' ', '0x10']) {
      const cellPath = writeCsv('cell.csv', `${HEADER}\nfiglet,10,1,${text},3,4,0,5\n`);
      expect(() => readProfileCsv(cellPath), text).toThrow(
        `${cellPath} line 2: cpu_usage "${text}" is not a number`,
      );
    }
    const short = writeCsv('short.csv', `${HEADER}\nfiglet,10,1,2,3,4,0\n`);
    expect(() => readProfileCsv(short)).toThrow(`${short} line 2: 7 cells, expected 8`);
    const overloaded = writeCsv('overloaded.csv', `${HEADER}\nfiglet,10,1,2,3,4,0.5,5\n`);
    expect(() => readProfileCsv(overloaded)).toThrow(`${overloaded} line 2: overloaded is 0.5`);
    const rate = writeCsv('rate.csv', `${HEADER}\nfiglet,nan,1,2,3,4,0,5\n`);
    expect(() => readProfileCsv(rate)).toThrow(`${rate} line 2: rate is nan`);
    const name = writeCsv('name.csv', `${HEADER}\n,10,1,2,3,4,0,5\n`);
    expect(() => readProfileCsv(name)).toThrow(`${name} line 2: empty name`);
  });
});
