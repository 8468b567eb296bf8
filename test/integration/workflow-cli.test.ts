import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';
import { redisBinary, startRedis } from '../helpers/redis.js';

/**
 * `dfaas workflow run --tasks 200 --workers 4` on the embedded platform, as the acceptance asks,
 * with the embedded queue and with Redis (Debian's redis-server on a free loopback port). Every
 * time of the workload is divided by 20 so a run takes seconds; each of the 200 tasks must be
 * collected exactly once and the QoS reported.
 */
const dir = mkdtempSync(join(tmpdir(), 'dfaas-workflow-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runAndCheck(queue: string, out: string, work: 'sleep' | 'cpu' = 'sleep') {
  const res = await dfaas([
    '--json',
    'workflow',
    'run',
    '--tasks',
    '200',
    '--workers',
    '4',
    '--queue',
    queue,
    '--time-scale',
    '20',
    '--work',
    work,
    '--out',
    out,
  ]);
  expect(res.code, res.stderr).toBe(0);
  const summary = JSON.parse(res.stdout) as {
    tasks: number;
    collected: number;
    qos: number;
    workers: number;
  };
  expect(summary).toMatchObject({ tasks: 200, collected: 200, workers: 4 });
  expect(summary.qos).toBeGreaterThanOrEqual(0);
  expect(summary.qos).toBeLessThanOrEqual(100);
  const records = readFileSync(join(out, 'output.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(records).toHaveLength(200);
  expect(new Set(records.map((r: { task_id: string }) => r.task_id)).size).toBe(200);
  // The QoS printed is the records' own verdicts.
  const met = records.filter((r: { task_QoS: boolean }) => r.task_QoS).length;
  expect(summary.qos).toBeCloseTo((100 * met) / 200, 6);
}

describe('dfaas workflow run', () => {
  it('collects every task once with the embedded queue', async () => {
    await runAndCheck('embedded', join(dir, 'embedded'));
  }, 120_000);

  const redis = redisBinary();
  it.runIf(redis)(
    'collects every task once with Redis',
    async () => {
      const server = await startRedis();
      try {
        await runAndCheck(server.url, join(dir, 'redis'));
      } finally {
        await server.stop();
      }
    },
    120_000,
  );

  it('refuses a queue URL it does not know, before starting anything (exit 2)', async () => {
    const res = await dfaas([
      'workflow',
      'run',
      '--tasks',
      '5',
      '--queue',
      'amqp://127.0.0.1',
      '--out',
      join(dir, 'bad'),
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--queue');
  });
});
