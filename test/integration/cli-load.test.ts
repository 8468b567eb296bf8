import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliAsync as cli, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-load-'));
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => {
  server.close();
});

describe('dfaas load', () => {
  it('writes a k6-shaped summary whose request count matches rate × duration', async () => {
    const file = join(dir, 's.json');
    const res = await cli([
      'load',
      '--url',
      url,
      '--rate',
      '500',
      '--duration',
      '2s',
      '--summary-export',
      file,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/default\s+1000\s+1000\s+0\s+0/);
    const summary = JSON.parse(readFileSync(file, 'utf8'));
    expect(summary.metrics.http_reqs.count).toBe(1000);
    expect(summary.metrics.success_rate_default.value).toBe(1);
  });

  it('runs scenarios from a file and prints the summary with --json', async () => {
    const file = join(dir, 'scenarios.yml');
    writeFileSync(
      file,
      `scenarios:\n  a:\n    executor: constant-arrival-rate\n    rate: 100\n    duration: 1s\n    request: { url: "${url}" }\n  b:\n    executor: ramping-arrival-rate\n    stages: [{ target: 100, duration: 1s }]\n    request: { method: GET, url: "${url}" }\n`,
    );
    const res = await cli(['--json', 'load', '--scenarios', file]);
    expect(res.code, res.stderr).toBe(0);
    const summary = JSON.parse(res.stdout);
    expect(summary.metrics.request_count_a.count).toBe(100);
    expect(summary.metrics.request_count_b.count).toBe(50);
  });

  it('exits 2 naming the flag or the field, and writes nothing', () => {
    const out = join(dir, 'never.json');
    const cases: [string[], RegExp][] = [
      [['load', '--rate', '10'], /--url: give --url/],
      [['load', '--url', 'ftp://x', '--rate', '10'], /--url: an http/],
      [['load', '--url', url, '--rate', 'many'], /--rate: /],
      [['load', '--url', url, '--rate', '10', '--duration', 'soon'], /--duration: not a duration/],
      [['load', '--url', url, '--rate', '10', '--header', 'nocolon'], /--header: expected/],
    ];
    for (const [args, message] of cases) {
      const res = runCli([...args, '--summary-export', out]);
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toMatch(message);
    }
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'scenarios:\n  x-y:\n    executor: constant-vus\n    request: { url: "http://127.0.0.1:1/" }\n',
    );
    const res = runCli(['load', '--scenarios', bad, '--summary-export', out]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(bad);
    expect(res.stderr).toMatch(/scenarios\.x-y/);
    expect(existsSync(out)).toBe(false);
  });
});
