/**
 * The forecasting targets, each against a reference measured in the same run:
 * - training the node-usage models (`dfaas forecast train`: regression and 0.05/0.95 quantile
 *   boosted trees per target, the overload classifier) on 10,000 rows; target ≤ 10 s. Reference:
 *   the ordinary least squares baseline fitted to the same rows, for every target.
 * - one in-process prediction of the node's CPU, RAM and power (Forecaster.nodeUsage, input
 *   validation included); target ≤ 50 µs. Reference: the linear baseline's prediction of one target.
 * - the forecaster service (`dfaas forecast serve`, a process of its own) at 500 requests/s of
 *   POST /node_usage for 10 s (open model, latency from each request's intended start); target
 *   p99 ≤ 5 ms. Reference: a bare node:http server in a process of its own answering a constant
 *   JSON body, under the same load.
 *
 *   npm run perf -- forecast [seconds-of-load] [--json [FILE]]
 *
 * The 10,000 rows are synthetic, in the sampler's results.csv format: three functions of
 * different weight, at rates 0..200 in pairs, on two node types, with a few % noise.
 */

import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { seededRandom } from '../src/core/random.js';
import { csvText } from '../src/dataset/cells.js';
import { resultsHeader, resultsLine } from '../src/dataset/results.js';
import { trainLinear } from '../src/forecast/baselines.js';
import { featureVector } from '../src/forecast/features.js';
import { Forecaster } from '../src/forecast/forecaster.js';
import { prepareData, trainAndEvaluate, writeModels } from '../src/forecast/train.js';
import { runOpenLoop } from '../src/load/builtin/open-loop.js';
import { constantArrivals } from '../src/load/builtin/schedule.js';
import { figure, type PerfReport, report } from './lib/report.js';
import { serveCli, started } from './lib/serve.js';

const GROUPS = { HIGH_USAGE: ['matmul'], LOW_USAGE: ['figlet'], MEDIUM_USAGE: ['shasum'] };
const WEIGHT: Record<string, number> = { figlet: 0.3, matmul: 2.5, shasum: 0.8 };

/** 10,000 rows: every pair of the three functions at rates 0..200 step 10, 4 iterations, per node type. */
function writeDataset(dir: string, nodeType: number, seed: number): string {
  const random = seededRandom(seed);
  const names = Object.keys(WEIGHT).sort();
  const lines = [resultsHeader(names).join(',')];
  const factor = nodeType === 2 ? 2 : 1;
  for (let a = 0; a < names.length; a++) {
    for (let b = a + 1; b < names.length; b++) {
      for (let ra = 0; ra <= 200; ra += 10) {
        for (let rb = 0; rb <= 200; rb += 10) {
          for (let it = 0; it < 4; it++) {
            const [fa, fb] = [names[a] as string, names[b] as string];
            const cpu =
              factor *
              (ra * (WEIGHT[fa] as number) + rb * (WEIGHT[fb] as number)) *
              (1 + (random() - 0.5) * 0.06);
            const fn = (name: string, rate: number) => ({
              name,
              rate,
              successRate: cpu > 300 ? 0.6 : 1,
              cpuPct: rate * (WEIGHT[name] as number) * factor,
              ramBytes: 50e6 + rate * 1e5,
              powerMicrowatts: Number.NaN,
              replicas: 1,
              overloaded: cpu > 300,
              meanLatencyMs: 5 + cpu / 40,
            });
            lines.push(
              resultsLine(names, {
                functions: [fn(fa, ra), fn(fb, rb)],
                node: {
                  idleCpuPct: 2,
                  cpuPct: cpu,
                  idleRamBytes: 6e8,
                  ramBytes: 6e8 + (ra + rb) * 2e5 * (1 + random() * 0.05),
                  idleRamPct: 2,
                  ramPct: 3,
                  idlePowerMicrowatts: 20e6,
                  powerMicrowatts: (20 + cpu / 8) * 1e6,
                  restSeconds: 0,
                  overloaded: cpu > 300,
                },
              }),
            );
          }
        }
      }
    }
  }
  const path = join(dir, `node-${nodeType}.csv`);
  writeFileSync(path, csvText(lines));
  return path;
}

const ms = (us: number) => (us / 1000).toFixed(2);

const serveScript = (script: string) =>
  started(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));

export async function run(args: string[]): Promise<PerfReport> {
  const seconds = Number(args[0] ?? 10);
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-forecast-'));
  const files = [
    { path: writeDataset(dir, 0, 1), nodeType: 0 },
    { path: writeDataset(dir, 2, 2), nodeType: 2 },
  ];
  const data = prepareData(files, GROUPS);
  console.log(`training on ${data.rows.length} rows (${files.length} node types)`);

  let t = performance.now();
  const { models, evaluation } = trainAndEvaluate(data, {
    variant: 'groups',
    groups: GROUPS,
    files,
    testFraction: 0.2,
    seed: 1,
    baselines: false,
  });
  const trainSeconds = (performance.now() - t) / 1000;
  const features = evaluation.features;
  const x = data.rows.map((r) => featureVector(r, features));
  t = performance.now();
  for (const m of models) {
    const target = m.target;
    trainLinear(
      x,
      data.rows.map((r) => (target === 'overloaded_node' ? Number(r.node.overloaded) : r.node.cpuPct)),
      m.task,
    );
  }
  const linearSeconds = (performance.now() - t) / 1000;
  console.log(
    `train: ${trainSeconds.toFixed(2)} s for ${models.length} targets (${evaluation.rows.train} training rows); ` +
      `least squares on the same rows ${linearSeconds.toFixed(3)} s: ratio ${(trainSeconds / linearSeconds).toFixed(0)}×; target ≤ 10 s`,
  );

  writeModels(join(dir, 'models'), models, evaluation);
  const forecaster = Forecaster.load(join(dir, 'models'));
  const input = {
    rate_group_HIGH_USAGE: 40,
    rate_group_LOW_USAGE: 120,
    rate_group_MEDIUM_USAGE: 30,
    node_type: 0,
  };
  const n = 100_000;
  for (let i = 0; i < 10_000; i++) forecaster.nodeUsage(input); // warm-up
  t = performance.now();
  for (let i = 0; i < n; i++) forecaster.nodeUsage(input);
  const predictUs = ((performance.now() - t) * 1000) / n;
  const linear = trainLinear(
    x,
    data.rows.map((r) => r.node.cpuPct),
    'regression',
  );
  const vector = forecaster.vector(input);
  t = performance.now();
  for (let i = 0; i < n; i++) linear([vector]);
  const linearUs = ((performance.now() - t) * 1000) / n;
  console.log(
    `predict: ${predictUs.toFixed(2)} µs per nodeUsage (3 targets); the linear baseline ${linearUs.toFixed(2)} µs per target: ` +
      `ratio ${(predictUs / linearUs).toFixed(1)}×; target ≤ 50 µs`,
  );

  // Both servers in processes of their own, as users run them: the load generator here must
  // not share their event loop.
  const modelDir = join(dir, 'models');
  const service = await serveCli([
    '--log-level',
    'warn',
    'forecast',
    'serve',
    '--models',
    modelDir,
    '--port',
    '0',
  ]);
  const constant = JSON.stringify([forecaster.nodeUsage(input)]);
  const bare = await serveScript(
    "const s = require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => " +
      `r.writeHead(200, { 'content-type': 'application/json' }).end(${JSON.stringify(constant)})); });` +
      " s.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + s.address().port));",
  );
  const body = JSON.stringify(input);
  const load = async (base: string) => {
    const pool = new Pool(base, { connections: 64 });
    const send = async () => {
      const res = await pool.request({
        path: '/node_usage',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      await res.body.text();
      return res.statusCode;
    };
    await runOpenLoop({ schedule: constantArrivals(500, 1000, 1000), maxInflight: 256, send }); // warm-up
    const result = await runOpenLoop({
      schedule: constantArrivals(500, 1000, seconds * 1000),
      maxInflight: 256,
      send,
    });
    await pool.close();
    return result;
  };
  const ours = await load(service.url);
  const reference = await load(bare.url);
  const p = (r: typeof ours, q: number) => r.latencyUs.getValueAtPercentile(q);
  console.log(
    `service at 500 rps for ${seconds} s: p50 ${ms(p(ours, 50))} ms, p99 ${ms(p(ours, 99))} ms, ${ours.errors} errors, ${ours.dropped} dropped; ` +
      `bare node:http p50 ${ms(p(reference, 50))} ms, p99 ${ms(p(reference, 99))} ms: p99 ratio ${(p(ours, 99) / p(reference, 99)).toFixed(2)}; target p99 ≤ 5 ms`,
  );
  service.child.kill('SIGTERM');
  bare.child.kill('SIGTERM');
  return report('forecast', args, {
    [`train (${models.length} targets, ${evaluation.rows.train} training rows; least squares as reference)`]:
      figure(trainSeconds, 's', linearSeconds, '<= 10 s'),
    'in-process nodeUsage, 3 targets (the linear baseline, one target, as reference)': figure(
      predictUs,
      'us',
      linearUs,
      '<= 50 us',
    ),
    'service p50 at 500 rps (a bare node:http server as reference)': figure(
      p(ours, 50) / 1000,
      'ms',
      p(reference, 50) / 1000,
    ),
    'service p99 at 500 rps (a bare node:http server as reference)': figure(
      p(ours, 99) / 1000,
      'ms',
      p(reference, 99) / 1000,
      '<= 5 ms',
    ),
    'service errors and dropped at 500 rps': figure(ours.errors + ours.dropped, 'requests'),
  });
}
