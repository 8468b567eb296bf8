import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/core/net.js';
import { failuresByCause } from '../../src/load/k6-summary.js';
import { dfaas } from '../helpers/cli.js';
import { useOkServer } from '../helpers/ok-server.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-load-'));
const okUrl = useOkServer();

describe('dfaas load (in-process)', () => {
  it('runs scenarios from a file and prints the k6 summary with --json, progress as JSON lines', async () => {
    const file = join(dir, 'scenarios.yml');
    writeFileSync(
      file,
      `scenarios:\n  a:\n    executor: constant-arrival-rate\n    rate: 100\n    duration: 1s\n    request: { url: "${okUrl()}" }\n  b:\n    executor: ramping-arrival-rate\n    stages: [{ target: 100, duration: 1s }]\n    request: { method: GET, url: "${okUrl()}" }\n`,
    );
    const res = await dfaas(['--json', 'load', '--scenarios', file]);
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    // Every scheduled arrival is sent or, on a machine too loaded to keep up, counted as dropped.
    const dropped = (id: string) => summary.metrics[`dropped_iterations{scenario:${id}}`]?.count ?? 0;
    expect(summary.metrics.request_count_a.count + dropped('a')).toBe(100);
    expect(summary.metrics.request_count_b.count + dropped('b')).toBe(50);
    const progress = res.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((l) => l.message === 'load progress');
    for (const p of progress) expect(p).toMatchObject({ completed: expect.any(Number), planned: 150 });
  });

  it('exits 2 naming the flag or the field, and writes nothing', async () => {
    const out = join(dir, 'never.json');
    const cases: [string[], RegExp][] = [
      [['load', '--rate', '10'], /--url: give --url/],
      [['load', '--url', 'ftp://x', '--rate', '10'], /--url: an http/],
      [['load', '--url', okUrl(), '--rate', 'many'], /--rate: /],
      [['load', '--url', okUrl(), '--rate', '10', '--duration', 'soon'], /--duration: not a duration/],
      [['load', '--url', okUrl(), '--rate', '10', '--header', 'nocolon'], /--header: expected/],
      [['load', '--url', okUrl(), '--rate', '10', '--max-vus', '0'], /--max-vus must be a whole number/],
    ];
    for (const [args, message] of cases) {
      const res = await dfaas([...args, '--summary-export', out]);
      expect(res.code, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'scenarios:\n  x-y:\n    executor: constant-vus\n    request: { url: "http://127.0.0.1:1/" }\n',
    );
    const proc = await dfaas([
      'load',
      '--url',
      okUrl(),
      '--rate',
      '1',
      '--summary-export',
      '/proc/dfaas-nope/s.json',
    ]);
    expect(proc.code).toBe(2);
    expect(proc.stderr).toMatch(/--summary-export: cannot create the folder \/proc\/dfaas-nope/);
    expect(proc.stderr).not.toMatch(/load progress/); // refused before the load ran
    const res = await dfaas(['load', '--scenarios', bad, '--summary-export', out]);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(bad);
    expect(res.stderr).toMatch(/scenarios\.x-y/);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a target that does not answer before any load (exit 1), and writes nothing', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}/function/echo`;
    const out = join(dir, 'closed.json');
    const res = await dfaas(['--json', 'load', '--url', closed, '--rate', '5', '--summary-export', out]);
    expect(res.code, res.stderr).toBe(1);
    const error = JSON.parse(res.stderr.trim().split('\n').at(-1) as string);
    expect(error.code).toBe('DFAAS_ERR_PREFLIGHT');
    expect(error.problems).toEqual([expect.stringMatching(/does not answer: .*ECONNREFUSED/)]);
    expect(res.stderr).not.toMatch(/load progress/);
    expect(existsSync(out)).toBe(false);
  });

  it('breaks failures down by cause, in the table and in the summary', async () => {
    // Every third request answers 503, every third has its connection destroyed, the rest 200.
    let n = 0;
    const server = createServer((req, res) => {
      req.resume();
      const k = n++ % 3;
      if (k === 1) res.writeHead(503).end();
      else if (k === 2) req.socket.destroy();
      else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const out = join(dir, 'causes.json');
      const res = await dfaas([
        'load',
        '--url',
        url,
        '--rate',
        '30',
        '--duration',
        '1s',
        '--summary-export',
        out,
      ]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/failures by cause/);
      expect(res.stdout).toMatch(/http 503 ×\d+/);
      expect(res.stdout).toMatch(/connection reset ×\d+/);
      const metrics = JSON.parse(readFileSync(out, 'utf8')).metrics;
      const byCause = Object.fromEntries(
        Object.entries(metrics)
          .filter(([k]) => k.startsWith('failures_default{cause:'))
          .map(([k, v]) => [k.slice('failures_default{cause:'.length, -1), (v as { count: number }).count]),
      );
      expect(Object.keys(byCause).sort()).toEqual(['connection reset', 'http 503']);
      // What the sampler reads back of a run's summary to say on screen why requests failed.
      expect(failuresByCause(JSON.parse(readFileSync(out, 'utf8')), 'default')).toEqual(byCause);
      // The causes add up to the failures, and the failures to what was not answered 2xx.
      const failed = Object.values(byCause).reduce((a, b) => a + b, 0);
      expect(failed).toBe(
        metrics.request_count_default.count - Math.round(metrics.success_rate_default.passes),
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
