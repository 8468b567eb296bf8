import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/core/net.js';
import { dfaas } from '../helpers/cli.js';

describe('dfaas sample: plans and bad input (in-process)', () => {
  it('prints the plan of examples/sample.yaml as {"configs":[{id, rates}]} in execution order', async () => {
    const res = await dfaas(['--json', 'sample', '--config', 'examples/sample.yaml', '--dry-run']);
    expect(res.code, res.stderr).toBe(0);
    const { configs } = JSON.parse(res.stdout) as {
      configs: { id: string; rates: Record<string, number> }[];
    };
    // figlet 0..60 step 20, shasum 0..40 (its max_rate): 4 + 3 singles, then 4 × 3 pairs
    expect(configs).toHaveLength(19);
    expect(configs[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{12}$/), rates: { figlet: 0 } });
    expect(configs[7]?.rates).toEqual({ figlet: 0, shasum: 0 });
    expect(configs[18]?.rates).toEqual({ figlet: 60, shasum: 40 });
    const table = await dfaas(['sample', '--config', 'examples/sample.yaml', '--dry-run']);
    expect(table.stdout).toMatch(/^id\s+figlet\s+shasum\n/);
    expect(table.stdout).toMatch(/19 configurations × \d+ iterations/);
  });

  it('exits 2 naming the field of a bad config, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-sample-'));
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'functions:\n  - name: a\nrates: { step: -1 }\n');
    const res = await dfaas(['sample', '--config', config, '--dry-run']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(config);
    expect(res.stderr).toMatch(/rates\.step: /);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('refuses a plan over max_configurations with its count (exit 2), without building it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-sample-'));
    const config = join(dir, 'huge.yaml');
    writeFileSync(
      config,
      'functions: [{name: a}, {name: b}, {name: c}, {name: d}]\ncombinations: {min_functions: 1, max_functions: 5}\nplatform: {stack: stack.yml}\n',
    );
    const res = await dfaas(['sample', '--config', config, '--dry-run']);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(`bad input in ${config}`);
    expect(res.stderr).toMatch(/max_configurations: the plan has 234,255 configurations, more than 10,000/);
    expect(readdirSync(dir)).toEqual(['huge.yaml']);
  });

  it('refuses an output folder it cannot make (exit 2 naming output_dir) before starting anything', async () => {
    const res = await dfaas([
      'sample',
      '--config',
      'examples/sample.yaml',
      '--output-dir',
      '/proc/dfaas-nope/out',
    ]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/output_dir: cannot create the folder \/proc\/dfaas-nope/);
    expect(res.stderr).not.toMatch(/sweep on http/); // no gateway was started
  });
});

describe('dfaas sample: pre-flight (in-process)', () => {
  // A stand-in gateway that lists one function, echo (an OpenFaaS gateway cannot run here).
  const gateway = createServer((req, res) => {
    req.resume();
    if (req.url === '/system/functions') res.end(JSON.stringify([{ name: 'echo', replicas: 1 }]));
    else res.end('ok');
  });
  let gatewayUrl = '';
  beforeAll(async () => {
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => gateway.close(() => r())));

  const sweep = async (name: string, yaml: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-preflight-'));
    const config = join(dir, `${name}.yaml`);
    const out = join(dir, 'out', name);
    writeFileSync(
      config,
      `rates: { min_rate: 0, max_rate: 10, step: 10 }\nduration: 1s\niterations: 1\noutput_dir: ${out}\n${yaml}`,
    );
    const res = await dfaas(['--json', 'sample', '--config', config]);
    const error = JSON.parse(res.stderr.trim().split('\n').at(-1) as string);
    return { res, error, out, dir };
  };

  it('exits 1 before writing anything when the gateway does not answer (a closed port)', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const { res, error, out, dir } = await sweep(
      'closed',
      `functions: [{ name: echo }]\ngateway_url: ${closed}\nprometheus_url: ${closed}\n`,
    );
    expect(res.code, res.stderr).toBe(1);
    expect(error.code).toBe('DFAAS_ERR_PREFLIGHT');
    // Every problem is listed, not only the first.
    expect(error.problems).toEqual([
      expect.stringMatching(`the gateway ${closed} does not answer: .*ECONNREFUSED`),
      expect.stringContaining(`prometheus ${closed}/api/v1/query`),
    ]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual(['closed.yaml']);
  });

  it('exits 1 naming every query when Prometheus does not answer', async () => {
    const closed = `http://127.0.0.1:${await freeLoopbackPort()}`;
    const { res, error, out } = await sweep(
      'no-prometheus',
      `functions: [{ name: echo }]\ngateway_url: ${gatewayUrl}\nprometheus_url: ${closed}\n`,
    );
    expect(res.code, res.stderr).toBe(1);
    expect(error.code).toBe('DFAAS_ERR_PREFLIGHT');
    expect(error.problems.join('\n')).toContain(`prometheus ${closed}/api/v1/query`);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 naming functions[i].name when the gateway does not have a function', async () => {
    const { res, error, out } = await sweep(
      'missing',
      `functions: [{ name: echo }, { name: ehco }]\ngateway_url: ${gatewayUrl}\nmetrics: { source: prometheus }\nprometheus_url: ${gatewayUrl}\n`,
    );
    expect(res.code, res.stderr).toBe(2);
    expect(error.issues).toEqual([
      { field: 'functions[1].name', message: expect.stringContaining('has no function "ehco"') },
    ]);
    expect(existsSync(out)).toBe(false);
  });
});
