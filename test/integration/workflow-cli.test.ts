import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';
import { redisBinary, startRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

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
    'collects every task once with Redis, the workers busy on the CPU',
    async () => {
      const server = await startRedis();
      try {
        await runAndCheck(server.url, join(dir, 'redis'), 'cpu');
      } finally {
        await server.stop();
      }
    },
    120_000,
  );

  it('dfaas workflow scale adds and removes workers of the running run', async () => {
    const out = join(dir, 'scaled');
    const running = dfaas([
      '--json',
      'workflow',
      'run',
      '--tasks',
      '120',
      '--workers',
      '2',
      '--time-scale',
      '4',
      '--out',
      out,
    ]);
    await waitFor('the run to start', () => existsSync(join(out, 'run.json')), 60_000);
    const up = await dfaas(['--json', 'workflow', 'scale', '+2', '--run', out]);
    expect(up.code, up.stderr).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ requested: 2, workers: 4, outcome: { applied: 2 } });
    const down = await dfaas(['--json', 'workflow', 'scale', '-1', '--run', out]);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({ requested: -1, workers: 3, outcome: { applied: -1 } });
    const res = await running;
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout)).toMatchObject({ tasks: 120, collected: 120, workers: 3 });
  }, 120_000);

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
