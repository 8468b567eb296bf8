import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** figlet and shasum at rates 0 and 10, alone and together: 8 configurations, 1 s each. */
function config(outputDir: string): string {
  const file = join(dir, `${outputDir}.yaml`);
  writeFileSync(
    file,
    [
      'functions:',
      '  - { name: figlet, body: hi }',
      '  - { name: shasum, body: data }',
      'rates: { min_rate: 0, max_rate: 10, step: 10 }',
      'combinations: { min_functions: 1, max_functions: 3 }',
      'duration: 1s',
      'iterations: 1',
      QUICK_COOLDOWN,
      NEVER_OVERLOADED,
      `platform: { stack: ${resolve('examples/stack.yml')} }`,
      `output_dir: ${join(dir, outputDir)}`,
    ].join('\n'),
  );
  return file;
}

const rowKeys = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const c = line.split(',');
      return `${c[0]}:${c[1]}|${c[9]}:${c[10]}`;
    });

describe('dfaas sample on the embedded gateway', () => {
  it('writes results.csv with the legacy columns, index, summaries, k6 scripts and a manifest', async () => {
    const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', config('full')]);
    expect(res.code, res.stderr).toBe(0);
    const out = join(dir, 'full');
    const lines = readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(resultsHeader(2).join(','));
    expect(lines[0]).toMatch(
      /^function_0,rate_function_0,success_rate_function_0,cpu_usage_function_0,ram_usage_function_0,power_usage_function_0,replica_0,overloaded_function_0,medium_latency_function_0,function_1,/,
    );
    expect(lines[0]).toMatch(
      /,cpu_usage_idle_node,cpu_usage_node,ram_usage_idle_node,ram_usage_node,ram_usage_idle_node_percentage,ram_usage_node_percentage,power_usage_idle_node,power_usage_node,rest_seconds,overloaded_node$/,
    );
    expect(lines).toHaveLength(9);
    const single = lines[2]?.split(',') ?? [];
    // figlet alone at 10 rps: every request succeeded; shasum's cells are empty; power is nan locally.
    expect(single.slice(0, 3)).toEqual(['figlet', '10', '1']);
    expect(single.slice(9, 18)).toEqual(['', '', '', '', '', '', '', '', '']);
    expect(single[5]).toBe('nan');
    expect(Number(single[4])).toBeGreaterThan(1e6); // figlet's RAM in bytes
    const pair = lines[6]?.split(',') ?? [];
    expect([pair[0], pair[1], pair[2], pair[9], pair[10]]).toEqual(['figlet', '0', 'nan', 'shasum', '10']);
    expect(readFileSync(join(out, 'index.csv'), 'utf8').split('\n')[1]).toBe('figlet;0;results.csv');
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
        'cpu_usage_function_shasum,ram_usage_function_shasum,power_usage_function_shasum,replica_shasum',
    );
    const points = (pairSeries ?? []).slice(1).map((l) => l.split(','));
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.every((p) => Number(p[2]) > 0 && Number(p[6]) > 1e6 && p[8] === '1')).toBe(true);
    expect(Number(points.at(-1)?.[0])).toBeGreaterThan(Number(points[0]?.[0]));
    const manifest = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8'));
    expect(manifest).toMatchObject({ state: 'finished', rows: 8, skipped: 0 });
    const report = readFileSync(join(out, 'report.html'), 'utf8');
    for (const part of [
      '<h2>figlet alone</h2>',
      '<h2>shasum alone</h2>',
      '<h2>Pairs</h2>',
      '<h2>Overload frontier</h2>',
    ]) {
      expect(report).toContain(part);
    }
    expect(report.match(/<svg /g)?.length).toBe(9); // 4 charts per function alone, 1 heatmap
    expect(report).not.toMatch(/https?:\/\//); // opens offline: no CDN, no remote asset
    const summary = JSON.parse(
      readFileSync(join(out, 'summaries', readdirSync(join(out, 'summaries'))[0] as string), 'utf8'),
    );
    expect(summary.metrics).toHaveProperty('http_reqs');
  });

  it('profiles each function alone into profiles/NAME.csv', async () => {
    const file = join(dir, 'profile.yaml');
    writeFileSync(
      file,
      [
        'functions: [{ name: figlet, body: hi }, { name: shasum, body: data }]',
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
    for (const name of ['figlet', 'shasum']) {
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
    const child = spawn(
      process.execPath,
      ['--import', tsx, 'src/cli/main.ts', '--log-level', 'warn', 'sample', '--config', file],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise((r) => child.on('exit', r));
    const results = join(out, 'results.csv');
    await waitFor(
      '3 rows',
      () => existsSync(results) && readFileSync(results, 'utf8').trim().split('\n').length >= 4,
      60_000,
    );
    child.kill('SIGKILL');
    await exited;
    const partial = rowKeys(readFileSync(results, 'utf8'));
    expect(partial.length).toBeGreaterThanOrEqual(3);
    expect(partial.length).toBeLessThan(8);
    const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    const resumed = rowKeys(readFileSync(results, 'utf8'));
    const full = rowKeys(readFileSync(join(dir, 'full', 'results.csv'), 'utf8'));
    expect(resumed).toEqual(full);
    expect(resumed.slice(0, partial.length)).toEqual(partial);
    const index = readFileSync(join(out, 'index.csv'), 'utf8').trim().split('\n');
    expect(index).toHaveLength(9);
  });
});
