import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/core/net.js';
import { resultsHeader } from '../../src/dataset/results.js';
import { runCliAsync } from '../helpers/cli.js';
import { startTestGateway } from '../helpers/embedded-gateway.js';
import { type RunningPrometheus, startPrometheus } from '../helpers/prometheus.js';
import { serviceBinary } from '../helpers/services.js';
import { waitFor } from '../helpers/wait.js';

const prometheus = serviceBinary('/usr/bin/prometheus');
const nodeExporter = serviceBinary('/usr/bin/prometheus-node-exporter');

describe.skipIf(!prometheus || !nodeExporter)('dfaas sample with real Prometheus and node_exporter', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-prom-'));
  let running: RunningPrometheus | undefined;
  let promUrl = '';
  let gatewayPort = 0;

  beforeAll(async () => {
    gatewayPort = await freeLoopbackPort();
    running = await startPrometheus(
      { prometheus: prometheus as string, nodeExporter: nodeExporter as string },
      dir,
      [{ name: 'gateway', target: `127.0.0.1:${gatewayPort}` }],
    );
    promUrl = running.url;
    // node_exporter scraped twice, so rate() has what it needs for the idle baseline
    await waitFor(
      'node metrics in prometheus',
      async () => {
        const res = await fetch(
          `${promUrl}/api/v1/query?query=${encodeURIComponent('count(node_cpu_seconds_total)')}`,
        );
        const body = (await res.json()) as { data: { result: unknown[] } };
        return body.data.result.length > 0;
      },
      30_000,
    );
  });

  afterAll(() => running?.stop());

  it('records node and function CPU and RAM from PromQL, not nan', async () => {
    const file = join(dir, 'sample.yaml');
    writeFileSync(
      file,
      [
        'functions: [{ name: matmul, body: "120" }]',
        'rates: { strategy: { type: custom, values: [20] } }',
        'duration: 4s',
        'iterations: 1',
        'cooldown: { max_wait_seconds: 20, sleep_step_seconds: 1, idle_threshold_pct: 100 }',
        `platform: { stack: ${resolve('examples/stack.yml')}, port: ${gatewayPort} }`,
        'metrics: { source: prometheus }',
        `prometheus_url: ${promUrl}`,
        `output_dir: ${join(dir, 'out')}`,
      ].join('\n'),
    );
    const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', file]);
    expect(res.code, res.stderr).toBe(0);
    const [header, row] = readFileSync(join(dir, 'out', 'results.csv'), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(header).toBe(resultsHeader(['matmul']).join(','));
    const cells = Object.fromEntries((header as string).split(',').map((h, i) => [h, row?.split(',')[i]]));
    expect(cells.function_matmul).toBe('matmul');
    expect(cells.success_rate_function_matmul).toBe('1.000');
    for (const column of [
      'cpu_usage_idle_node',
      'cpu_usage_node',
      'ram_usage_idle_node',
      'ram_usage_node',
      'ram_usage_node_percentage',
      'cpu_usage_function_matmul',
      'ram_usage_function_matmul',
    ]) {
      expect(Number(cells[column]), column).toBeGreaterThan(0);
    }
    expect(cells.power_usage_node).toBe('nan'); // no Scaphandre here
    expect(Number(cells.ram_usage_function_matmul)).toBeGreaterThan(10 * 1024 * 1024);
    // The window's time series, one line per range-query step, with numbers in it.
    const series = readdirSync(join(dir, 'out', 'metrics'));
    expect(series).toHaveLength(1);
    const [seriesHeader, ...points] = readFileSync(join(dir, 'out', 'metrics', series[0] as string), 'utf8')
      .trim()
      .split('\n');
    expect(seriesHeader).toBe(
      'time_s,cpu_usage_node,ram_usage_node,ram_usage_node_percentage,power_usage_node,cpu_usage_function_matmul,ram_usage_function_matmul,power_usage_function_matmul,replica_matmul,' +
        'sent_per_s_matmul,ok_per_s_matmul,failed_per_s_matmul,latency_ms_matmul',
    );
    expect(points.length).toBeGreaterThanOrEqual(2);
    const last = (points.at(-1) as string).split(',');
    expect(Number(last[2])).toBeGreaterThan(0); // node RAM
    expect(Number(last[6])).toBeGreaterThan(10 * 1024 * 1024); // matmul's RAM
    expect(last[8]).toBe('1'); // replicas
  });

  it('restores the functions of a gateway_url target through its /system API, with gateway_auth_file', async () => {
    // The embedded gateway stands in for OpenFaaS here (a real one cannot run in this sandbox):
    // it answers the same /system API with basic auth (test/integration/openapi.test.ts). On the
    // port Prometheus scrapes, so the pre-flight finds the function's series (queries/embedded.yml).
    const auth = { username: 'admin', password: 'sampler-restore-secret' };
    const gw = await startTestGateway({ stack: 'examples/stack.yml', auth, port: gatewayPort });
    try {
      writeFileSync(join(dir, 'gateway-auth'), `${auth.username}:${auth.password}\n`);
      const sample = async (name: string, extra: string[]) => {
        const file = join(dir, `${name}.yaml`);
        writeFileSync(
          file,
          [
            'functions: [{ name: figlet, body: hi }]',
            'rates: { strategy: { type: custom, values: [5] } }',
            'duration: 1s',
            'iterations: 2',
            'cooldown: { max_wait_seconds: 20, sleep_step_seconds: 1, idle_threshold_pct: 100 }',
            `gateway_url: ${gw.url}`,
            `prometheus_url: ${promUrl}`,
            `queries_path: ${resolve('queries/embedded.yml')}`,
            `output_dir: ${join(dir, name)}`,
            ...extra,
          ].join('\n'),
        );
        const res = await runCliAsync(['--log-level', 'warn', 'sample', '--config', file]);
        expect(res.code, res.stderr).toBe(0);
        return { res, manifest: JSON.parse(readFileSync(join(dir, name, 'run.json'), 'utf8')) };
      };
      const before = gw.platform.replicaPids('figlet');
      const restored = await sample('via-gateway', ['gateway_auth_file: gateway-auth']);
      expect(restored.manifest.restore).toEqual({ method: 'scale-to-zero' });
      const after = gw.platform.replicaPids('figlet');
      expect(after).toHaveLength(before.length);
      for (const pid of after) expect(before).not.toContain(pid);
      // Without the credentials the gateway refuses: one warning, recorded, and the sweep goes on.
      const refused = await sample('no-credentials', []);
      expect(refused.manifest.restore.method).toBe('none');
      expect(refused.manifest.restore.reason).toMatch(/refused to scale/);
      expect(refused.res.stderr).toContain('gateway_auth_file');
      expect(
        readFileSync(join(dir, 'no-credentials', 'results.csv'), 'utf8')
          .trim()
          .split(/\r?\n/),
      ).toHaveLength(3);
      expect(gw.platform.replicaPids('figlet')).toEqual(after);
    } finally {
      await gw.close();
    }
  });
});
