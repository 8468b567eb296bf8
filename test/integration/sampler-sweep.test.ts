import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resultsHeader } from '../../src/dataset/results.js';
import { runCliAsync } from '../helpers/cli.js';
import { NEVER_OVERLOADED, QUICK_COOLDOWN } from '../helpers/sweep-config.js';
import { waitFor } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-sweep-'));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * figlet and shasum at rates 0 and 10, alone and together: 8 configurations, 1 s each; with
 * `singles`, alone only: 4.
 */
function config(outputDir: string, extra: string[] = [], singles = false): string {
  const file = join(dir, `${outputDir}.yaml`);
  writeFileSync(
    file,
    [
      'functions:',
      '  - { name: figlet, body: hi }',
      '  - { name: shasum, body: data }',
      'rates: { min_rate: 0, max_rate: 10, step: 10 }',
      `combinations: { min_functions: 1, max_functions: ${singles ? 2 : 3} }`,
      'duration: 1s',
      'iterations: 1',
      QUICK_COOLDOWN,
      NEVER_OVERLOADED,
      `platform: { stack: ${resolve('examples/stack.yml')} }`,
      `output_dir: ${join(dir, outputDir)}`,
      ...extra,
    ].join('\n'),
  );
  return file;
}

/** `dfaas sample --config FILE` in a process of its own, once `results` holds `rows` rows. */
async function sampleUntilRows(file: string, results: string, rows: number) {
  const child = spawn(
    process.execPath,
    ['--import', tsx, 'src/cli/main.ts', '--log-level', 'warn', 'sample', '--config', file],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c));
  const exited = new Promise<number | null>((r) => child.on('exit', r));
  await waitFor(
    `${rows} rows`,
    () => existsSync(results) && readFileSync(results, 'utf8').trim().split(/\r?\n/).length > rows,
    60_000,
  );
  return { child, exited, stderr: () => stderr };
}

const rowKeys = (csv: string) =>
  csv
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => {
      const c = line.split(',');
      return `${c[0]}:${c[1]}|${c[9]}:${c[10]}`;
    });

describe('dfaas sample on the embedded gateway', () => {
  it("writes results.csv, skipped.csv and index.csv in the reference's format, summaries, k6 scripts and a manifest, and marks each load window in Grafana", async () => {
    // Grafana cannot run here: a stand-in that answers as its API does and records the annotations
    // (test/sampler/grafana.test.ts checks every request against Grafana's documented API).
    const annotations: { time: number; timeEnd: number; tags: string[] }[] = [];
    const grafana = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        const reply = (status: number, value: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        if (req.method === 'GET') return reply(404, { message: 'Data source not found' });
        if (req.url === '/api/datasources')
          return reply(200, { id: 1, datasource: { uid: 'dfaas-prometheus' } });
        if (req.url === '/api/dashboards/db')
          return reply(200, { status: 'success', uid: 'dfaas-sweep', version: 1 });
        if (req.url === '/api/annotations') {
          annotations.push(JSON.parse(body));
          return reply(200, { id: annotations.length, message: 'Annotation added' });
        }
        reply(404, { message: 'not found' });
      });
    });
    await new Promise<void>((done) => grafana.listen(0, '127.0.0.1', done));
    const grafanaUrl = `http://127.0.0.1:${(grafana.address() as AddressInfo).port}`;
    const res = await runCliAsync([
      '--log-level',
      'warn',
      'sample',
      '--config',
      config('full', ['run_id: grafana-run', `grafana: { enabled: true, url: ${grafanaUrl}, api_key: k }`]),
    ]).finally(() => grafana.close());
    expect(res.code, res.stderr).toBe(0);
    expect(annotations).toHaveLength(8);
    for (const a of annotations) {
      expect(a.tags[0]).toBe('grafana-run');
      expect(a.timeEnd).toBeGreaterThan(a.time);
    }
    expect(new Set(annotations.map((a) => a.tags[1])).size).toBe(8);
    const out = join(dir, 'full');
    const text = readFileSync(join(out, 'results.csv'), 'utf8');
    // Python csv's line ends, as the reference writes them.
    expect(text.endsWith('\r\n')).toBe(true);
    expect(
      text
        .split('\n')
        .slice(0, -1)
        .every((l) => l.endsWith('\r')),
    ).toBe(true);
    const lines = text.trim().split('\r\n');
    expect(lines[0]).toBe(resultsHeader(['figlet', 'shasum']).join(','));
    expect(lines[0]).toMatch(
      /^function_figlet,rate_function_figlet,success_rate_function_figlet,cpu_usage_function_figlet,ram_usage_function_figlet,power_usage_function_figlet,replica_figlet,overloaded_function_figlet,medium_latency_function_figlet,function_shasum,/,
    );
    expect(lines[0]).toMatch(
      /,cpu_usage_idle_node,cpu_usage_node,ram_usage_idle_node,ram_usage_node,ram_usage_idle_node_percentage,ram_usage_node_percentage,power_usage_idle_node,power_usage_node,rest_seconds,overloaded_node$/,
    );
    expect(lines).toHaveLength(9);
    const single = lines[2]?.split(',') ?? [];
    // figlet alone at 10 rps: every request succeeded; shasum's cells are empty; power is nan locally.
    expect(single.slice(0, 3)).toEqual(['figlet', '10', '1.000']);
    expect(single.slice(9, 18)).toEqual(['', '', '', '', '', '', '', '', '']);
    expect(single[5]).toBe('nan');
    expect(single[3]).toMatch(/^\d+\.\d{3}$/); // CPU as %.3f
    expect(single[4]).toMatch(/^\d+\.000$/);
    expect(Number(single[4])).toBeGreaterThan(1e6); // figlet's RAM in bytes
    expect(single[6]).toMatch(/^\d+$/); // replicas
    expect(single[8]).toMatch(/^\d+$/); // mean latency, whole ms
    expect(single.slice(18, 26).every((c) => c === 'nan' || /^-?\d+\.\d{3}$/.test(c))).toBe(true);
    expect(single[26]).toMatch(/^\d+$/); // rest_seconds, whole
    const pair = lines[6]?.split(',') ?? [];
    // figlet at rate 0: success 1.000 and latency 0, as the reference writes them.
    expect([pair[0], pair[1], pair[2], pair[8], pair[9], pair[10]]).toEqual([
      'figlet',
      '0',
      '1.000',
      '0',
      'shasum',
      '10',
    ]);
    const index = readFileSync(join(out, 'index.csv'), 'utf8');
    expect(index.split('\r\n').slice(0, 2)).toEqual([
      'functions;rates;results_file',
      "['figlet'];[0];results.csv",
    ]);
    expect(index).toContain("\r\n['figlet', 'shasum'];[0, 10];results.csv\r\n");
    expect(readFileSync(join(out, 'skipped.csv'), 'utf8')).toBe(
      'function_figlet,rate_function_figlet,function_shasum,rate_function_shasum,reason,iteration,skipped_at\r\n',
    );
    expect(readdirSync(join(out, 'summaries'))).toHaveLength(8);
    expect(readdirSync(join(out, 'k6_scripts'))).toHaveLength(8);
    // Per configuration iteration, the load window's time series: a sample a second, and more.
    const series = readdirSync(join(out, 'metrics')).sort();
    expect(series).toHaveLength(8);
    const pairSeries = series
      .map((f) =>
        readFileSync(join(out, 'metrics', f), 'utf8')
          .trim()
          .split('\n'),
      )
      .find((l) => l[0]?.includes('shasum') && l[0].includes('figlet'));
    expect(pairSeries?.[0]).toBe(
      'time_s,cpu_usage_node,ram_usage_node,ram_usage_node_percentage,power_usage_node,' +
        'cpu_usage_function_figlet,ram_usage_function_figlet,power_usage_function_figlet,replica_figlet,' +
        'cpu_usage_function_shasum,ram_usage_function_shasum,power_usage_function_shasum,replica_shasum,' +
        'sent_per_s_figlet,ok_per_s_figlet,failed_per_s_figlet,latency_ms_figlet,' +
        'sent_per_s_shasum,ok_per_s_shasum,failed_per_s_shasum,latency_ms_shasum',
    );
    const points = (pairSeries ?? []).slice(1).map((l) => l.split(','));
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.every((p) => Number(p[2]) > 0 && Number(p[6]) > 1e6 && p[8] === '1')).toBe(true);
    // The load between samples, per second: the pair file loads at least one function at 10/s.
    const sent = points.flatMap((p) => [Number(p[13]), Number(p[17])]).filter(Number.isFinite);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    // latency.csv: a line per run and loaded function (8 runs, 6 of them with load: 6 lines … 2 of one pair).
    const latency = readFileSync(join(out, 'latency.csv'), 'utf8').trim().split('\r\n');
    expect(latency[0]).toBe(
      'id,iteration,function,rate,requests,successful,failed,dropped,latency_mean_ms,latency_p50_ms,latency_p90_ms,latency_p95_ms,latency_p99_ms,latency_max_ms',
    );
    expect(latency).toHaveLength(1 + 6);
    for (const line of latency.slice(1)) {
      const [, iteration, fn, rate, requests, , , , mean, p50, p90, p95, p99] = line.split(',');
      expect(iteration).toBe('0');
      expect(['figlet', 'shasum']).toContain(fn);
      expect(rate).toBe('10');
      expect(Number(requests)).toBeGreaterThan(0);
      for (const v of [mean, p50, p90, p95, p99]) expect(Number(v)).toBeGreaterThan(0);
      expect(Number(p50)).toBeLessThanOrEqual(Number(p99));
    }
    expect(Number(points.at(-1)?.[0])).toBeGreaterThan(Number(points[0]?.[0]));
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    // A new sweep restores its functions before each run (test/integration/sampler-restore.test.ts).
    expect(manifest).toMatchObject({
      state: 'finished',
      rows: 8,
      skipped: 0,
      restore: { method: 'scale-to-zero' },
    });
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    for (const part of [
      '<h2>The run</h2>',
      '<h2>Each function alone</h2>',
      '<h2>Pairs</h2>',
      '<h2>Overload frontier</h2>',
      '<h2>Skipped</h2>',
    ]) {
      expect(report).toContain(part);
    }
    // 4 charts of the functions alone, 4 heatmaps of the pair (node CPU and RAM, success, latency)
    expect(report.match(/<svg /g)?.length).toBe(8);
    expect(report).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // opens offline: no CDN, no remote asset
    const summary = JSON.parse(
      readFileSync(join(out, 'summaries', readdirSync(join(out, 'summaries'))[0] as string), 'utf8'),
    );
    expect(summary.metrics).toHaveProperty('http_reqs');
  });

  it('profiles each function alone into profiles/NAME.csv, also one that keeps 2 replicas', async () => {
    const file = join(dir, 'profile.yaml');
    // echo keeps 2 replicas (com.openfaas.scale.min in examples/stack.yml): cooldown waits for
    // those 2, not for fewer than 2, which would skip every one of its configurations.
    writeFileSync(
      file,
      [
        'functions: [{ name: figlet, body: hi }, { name: echo, body: data }]',
        'rates: { strategy: { type: custom, values: [10, 20] } }',
        'duration: 1s',
        'iterations: 1',
        QUICK_COOLDOWN,
        NEVER_OVERLOADED,
        `platform: { stack: ${resolve('examples/stack.yml')} }`,
        `output_dir: ${join(dir, 'profile')}`,
      ].join('\n'),
    );
    const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', file, '--profile']);
    expect(res.code, res.stderr).toBe(0);
    for (const name of ['figlet', 'echo']) {
      const lines = readFileSync(join(dir, 'profile', 'profiles', `${name}.csv`), 'utf8')
        .trim()
        .split('\n');
      expect(lines[0]).toBe(
        'name,rate,success_rate,cpu_usage,ram_usage,power_usage,overloaded,medium_latency',
      );
      expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
        `${name},10,1`,
        `${name},20,1`,
      ]);
    }
  });

  it('resumes after SIGKILL with no lost and no duplicated row', async () => {
    const file = config('killed');
    const out = join(dir, 'killed');
    const sweep = await sampleUntilRows(file, join(out, 'results.csv'), 3);
    sweep.child.kill('SIGKILL');
    await sweep.exited;
    const results = join(out, 'results.csv');
    const partial = rowKeys(readFileSync(results, 'utf8'));
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(8);
    const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    const resumed = rowKeys(readFileSync(results, 'utf8'));
    const full = rowKeys(readFileSync(join(dir, 'full', 'results.csv'), 'utf8'));
    expect(resumed).toEqual(full);
    expect(resumed.slice(0, partial.length)).toEqual(partial);
    const index = readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\r\n');
    expect(index).toHaveLength(9); // one line per configuration
  });

  it('stops on Ctrl-C saying how to resume, records interrupted, and the same command resumes it', async () => {
    const file = config('ctrl-c', [], true);
    const out = join(dir, 'ctrl-c');
    const results = join(out, 'results.csv');
    const sweep = await sampleUntilRows(file, results, 1);
    sweep.child.kill('SIGINT');
    expect(await sweep.exited).toBe(1);
    const stderr = sweep.stderr();
    expect(stderr).toContain('interrupted, rerun the same command to resume');
    expect(stderr).toContain('DFAAS_ERR_INTERRUPTED');
    const manifest = () => JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest()).toMatchObject({ state: 'interrupted', interruptedAt: expect.any(String) });
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain(
      'interrupted: rerun the same command to resume',
    );
    const rows = rowKeys(readFileSync(results, 'utf8')).length;
    expect(rows).toBeLessThan(4);
    const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    expect(rowKeys(readFileSync(results, 'utf8'))).toHaveLength(4);
    expect(manifest()).toMatchObject({ state: 'finished', rows: 4 });
    expect(manifest().runs).toHaveLength(4);
  }, 90_000);
});
