import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { configId } from '../../src/sampler/plan.js';
import { dfaas } from '../helpers/cli.js';

/** `dfaas sample export`: a fixture sweep folder (test/fixtures/sampler/runs/finished) as tidy tables. */
function copyOfFinished(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'dfaas-export-')), 'finished');
  cpSync('test/fixtures/sampler/runs/finished', dir, { recursive: true });
  return dir;
}

describe('dfaas sample export', () => {
  it('--long: a row per run, function (or node) and figure, with its unit; NaN an empty cell', async () => {
    const dir = copyOfFinished();
    const id = configId({ figlet: 10, shasum: 20 });
    // latency.csv's tails join the rows of the run they belong to.
    writeFileSync(
      join(dir, 'latency.csv'),
      `id,iteration,function,rate,requests,successful,failed,dropped,latency_mean_ms,latency_p50_ms,latency_p90_ms,latency_p95_ms,latency_p99_ms,latency_max_ms\r\n${id},0,figlet,10,30,30,0,0,4.5,4,7,8,12.5,20\r\n`,
    );
    const res = await dfaas(['--json', 'sample', 'export', dir, '--long']);
    expect(res.code, res.stderr).toBe(0);
    const { path, rows } = JSON.parse(res.stdout);
    expect(path).toBe(join(dir, 'export-long.csv'));
    const lines = readFileSync(path, 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('id,iteration,configuration,function,rate,metric,unit,value');
    // 15 runs × 10 node figures, and 7 per function in each (6 runs of one function, 9 of two), and the 4 tails.
    expect(rows).toBe(15 * 10 + (6 + 9 * 2) * 7 + 4);
    expect(lines).toHaveLength(rows + 1);
    expect(lines).toContain(`${id},0,figlet=10 shasum=20,figlet,10,latency_p99,ms,12.5`);
    expect(lines).toContain(`${id},0,figlet=10 shasum=20,node,,overloaded,boolean,0`);
    expect(lines.find((l) => l.startsWith(`${id},0,figlet=10 shasum=20,node,,power,microwatts,`))).toBe(
      `${id},0,figlet=10 shasum=20,node,,power,microwatts,`,
    );
  });

  it('--format parquet: the same table, read back with a Parquet reader; NaN is null', async () => {
    const dir = copyOfFinished();
    const long = await dfaas(['--json', 'sample', 'export', dir, '--long', '--format', 'parquet']);
    expect(long.code, long.stderr).toBe(0);
    const file = readFileSync(join(dir, 'export-long.parquet'));
    const records = await parquetReadObjects({
      file: file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
    });
    expect(records).toHaveLength(15 * 10 + (6 + 9 * 2) * 7);
    const id = configId({ figlet: 20, shasum: 20 });
    expect(
      records.find((r) => r.id === id && r.function === 'node' && r.metric === 'overloaded'),
    ).toMatchObject({
      iteration: 0,
      configuration: 'figlet=20 shasum=20',
      rate: null,
      unit: 'boolean',
      value: 1,
    });
    // Wide: a row per run and function (or node), a column per figure and unit.
    const wide = await dfaas(['--json', 'sample', 'export', dir, '--format', 'parquet']);
    expect(JSON.parse(wide.stdout).rows).toBe(15 + 6 + 9 * 2);
    const w = readFileSync(join(dir, 'export.parquet'));
    const [first] = await parquetReadObjects({
      file: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength),
    });
    expect(Object.keys(first ?? {})).toEqual(
      expect.arrayContaining([
        'id',
        'iteration',
        'function',
        'rate',
        'cpu_percent_of_one_core',
        'ram_bytes',
        'success_rate_share',
      ]),
    );
  });
});
