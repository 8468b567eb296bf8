import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliAsync } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

// The whole forecasting chain on the committed dataset (test/fixtures/forecast, made by its
// make-dataset.sh with the sampler on the embedded platform), through the CLI as a user runs it.
const FIXTURES = 'test/fixtures/forecast';
const DATA = [`${FIXTURES}/heavy.csv:heavy`, `${FIXTURES}/light.csv:light`];
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-forecast-'));
const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let server: ChildProcess | undefined;

afterAll(() => {
  server?.kill('SIGTERM');
});

/** GET with a JSON body, as `curl -X GET -H 'Content-Type: application/json' -d '{…}'` sends it. */
function getWithBody(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) };
    const req = request(url, { method: 'GET', headers }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) });
        } catch (err) {
          reject(err);
        }
      });
    });
    req.on('error', reject);
    req.end(text);
  });
}

describe('dfaas forecast on the committed dataset', () => {
  it('profiles the functions into named groups, and assigns a function without retraining', async () => {
    const res = await runCliAsync([
      'forecast',
      'profile',
      '--profiles',
      `${FIXTURES}/profiles`,
      '--out',
      dir,
    ]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/principal components keep/);
    const groups = JSON.parse(readFileSync(join(dir, 'group_list.json'), 'utf8')) as Record<string, string[]>;
    expect(Object.keys(groups)).toEqual(['HIGH_USAGE', 'LOW_USAGE', 'MEDIUM_USAGE']);
    expect(Object.values(groups).flat().sort()).toEqual(['eat-memory', 'figlet', 'matmul', 'shasum']);
    // Named by measured use: the function with the most CPU and RAM is not in LOW_USAGE.
    expect(groups.LOW_USAGE).not.toContain('matmul');

    const list = join(dir, 'assigned.json');
    copyFileSync(join(dir, 'group_list.json'), list);
    const assigned = await runCliAsync([
      '--json',
      'forecast',
      'assign',
      '--profile',
      `${FIXTURES}/profiles/matmul.csv`,
      '--model',
      join(dir, 'group_model.json'),
      '--groups',
      list,
    ]);
    expect(assigned.code, assigned.stderr).toBe(0);
    const { group } = JSON.parse(assigned.stdout) as { group: string };
    expect(groups[group]).toContain('matmul'); // a profiled function lands back in its own group
    expect(JSON.parse(readFileSync(list, 'utf8'))).toEqual(groups);
  });

  it('trains, evaluates against the baselines, and serves the DFaaS forecaster API', async () => {
    const groups = join(dir, 'group_list.json');
    expect(existsSync(groups)).toBe(true);
    const models = join(dir, 'models');
    const trained = await runCliAsync([
      'forecast',
      'train',
      '--data',
      ...DATA,
      '--groups',
      groups,
      '--out',
      models,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/cpu_usage_node\s+boosted trees/);
    expect(existsSync(join(models, 'cpu_usage_node.json'))).toBe(true);
    expect(existsSync(join(models, 'overloaded_node.json'))).toBe(true);

    const evaluated = await runCliAsync([
      '--json',
      'forecast',
      'evaluate',
      '--data',
      ...DATA,
      '--groups',
      groups,
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const evaluation = JSON.parse(evaluated.stdout) as { targets: Record<string, Record<string, unknown>> };
    expect(Object.keys(evaluation.targets.cpu_usage_node ?? {})).toEqual(
      expect.arrayContaining(['gbt', 'linear', 'forest']),
    );

    server = spawn(
      process.execPath,
      ['--import', tsx, 'src/cli/main.ts', 'forecast', 'serve', '--models', models, '--port', '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    server.stdout?.on('data', (d: Buffer) => (out += d));
    const url = await waitFor(
      'the forecaster URL',
      () => out.match(/http:\/\/127\.0\.0\.1:\d+/)?.[0],
      20_000,
    );
    const res = await getWithBody(`${url}/node_usage`, {
      rate_group_HIGH_USAGE: 10,
      rate_group_LOW_USAGE: 50,
      rate_group_MEDIUM_USAGE: 0,
      node_type: 1,
    });
    expect(res.status).toBe(200);
    const [usage, ...rest] = res.json as Record<string, number | null>[];
    expect(rest).toEqual([]);
    expect(Object.keys(usage ?? {})).toEqual(['cpu_usage_node', 'ram_usage_node', 'power_usage_node']);
    expect(usage?.cpu_usage_node).toBeGreaterThan(0);
    expect(usage?.ram_usage_node).toBeGreaterThan(0);
    // The embedded platform measures no power: there is no power model, and the service says so.
    expect(usage?.power_usage_node).toBeNull();
  }, 120_000);

  it('exits 2 naming the flag or file of bad input', async () => {
    const noType = await runCliAsync([
      'forecast',
      'train',
      '--data',
      `${FIXTURES}/heavy.csv`,
      '--groups',
      'x',
      '--out',
      dir,
    ]);
    expect(noType.code).toBe(2);
    expect(noType.stderr).toMatch(/--data .*FILE:NODE_TYPE/);
    const badGroups = join(dir, 'bad-groups.json');
    copyFileSync(`${FIXTURES}/heavy.csv`, badGroups);
    const bad = await runCliAsync([
      'forecast',
      'train',
      '--data',
      ...DATA,
      '--groups',
      badGroups,
      '--out',
      join(dir, 'none'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(badGroups);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
