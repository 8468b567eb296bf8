import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
});
