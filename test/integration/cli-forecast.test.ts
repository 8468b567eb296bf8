import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dfaas, runCliAsync } from '../helpers/cli.js';
import { waitFor } from '../helpers/wait.js';

// The forecasting chain on the committed dataset (test/fixtures/forecast, made by its
// make-dataset.sh with the sampler on the embedded platform), through the executable as a user
// runs it. Profiling, assigning and bad input are tested in-process in test/cli/forecast.test.ts.
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

beforeAll(async () => {
  const profiled = await dfaas(['forecast', 'profile', '--profiles', `${FIXTURES}/profiles`, '--out', dir]);
  expect(profiled.code, profiled.stderr).toBe(0);
});

describe('dfaas forecast on the committed dataset (the executable)', () => {
  it('trains, evaluates against the baselines, and serves the DFaaS forecaster API', async () => {
    const groups = join(dir, 'group_list.json');
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
      60_000,
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
  }, 300_000);
});
