/**
 * What a large batch does to the forecaster service's other requests: the latency of a small
 * request (POST /node_usage, one input) while a batch of 10,000 inputs (POST /node_usage/batch,
 * just under the 1 MiB body limit) is predicted, against the same small request with nothing else
 * running, measured in the same run. The service (`dfaas forecast serve` on the committed models
 * of examples/forecast/models) runs in a process of its own; small requests are sent one after
 * another on their own connection for as long as each batch runs.
 *
 *   npm run perf -- forecast-batch [batches] [--json [FILE]]
 *
 * The service predicts a batch in slices of a few milliseconds, so a small request waits for a
 * slice (and for the batch's JSON parsing and writing), not for the whole batch; the batch's own
 * time, printed too, is what it would wait if the batch were predicted at once.
 */
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { Forecaster } from '../src/forecast/forecaster.js';
import { figure, type PerfReport, report } from './lib/report.js';
import { serveCli } from './lib/serve.js';
import { median, percentile } from './lib/stats.js';

const MODELS = fileURLToPath(new URL('../examples/forecast/models', import.meta.url));
const BATCH_INPUTS = 10_000;
const ALONE_REQUESTS = 500;

/** Milliseconds one POST takes to its whole answer. */
async function timed(pool: Pool, path: string, body: string): Promise<number> {
  const start = performance.now();
  const res = await pool.request({
    path,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}`);
  return performance.now() - start;
}

/** Small requests one after another until `until` settles; their latencies. */
async function smallRequestsUntil(pool: Pool, body: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  const stop = () => {
    done = true;
  };
  until.then(stop, stop);
  const latencies: number[] = [];
  while (!done) latencies.push(await timed(pool, '/node_usage', body));
  return latencies;
}

export async function run(args: string[]): Promise<PerfReport> {
  const batches = Math.max(1, Math.round(Number(args[0] ?? 10)));
  // One input of the models' features, and a batch of it.
  const { features } = Forecaster.load(MODELS);
  const input = Object.fromEntries(features.map((f, i) => [f, f === 'node_type' ? 0 : 10 * (i + 1)]));
  const small = JSON.stringify(input);
  const batch = JSON.stringify(Array.from({ length: BATCH_INPUTS }, () => input));
  const service = await serveCli([
    '--log-level',
    'warn',
    'forecast',
    'serve',
    '--models',
    MODELS,
    '--port',
    '0',
  ]);
  // Separate connections: the small requests must not queue behind the batch on one socket.
  const smallPool = new Pool(service.url, { connections: 1 });
  const batchPool = new Pool(service.url, { connections: 1 });
  try {
    for (let i = 0; i < 50; i++) await timed(smallPool, '/node_usage', small); // warm-up
    await timed(batchPool, '/node_usage/batch', batch);

    const alone: number[] = [];
    for (let i = 0; i < ALONE_REQUESTS; i++) alone.push(await timed(smallPool, '/node_usage', small));
    const during: number[] = [];
    const batchMs: number[] = [];
    for (let b = 0; b < batches; b++) {
      const batchDone = timed(batchPool, '/node_usage/batch', batch);
      during.push(...(await smallRequestsUntil(smallPool, small, batchDone)));
      batchMs.push(await batchDone);
    }

    const p = (xs: number[], q: number) => percentile(xs, q);
    const line = (xs: number[]) =>
      `p50 ${median(xs).toFixed(2)} ms, p99 ${p(xs, 99).toFixed(2)} ms, max ${Math.max(...xs).toFixed(2)} ms`;
    console.log(`small request alone (${alone.length}): ${line(alone)}`);
    console.log(
      `small request during a ${BATCH_INPUTS}-input batch (${during.length} over ${batches} batches): ${line(during)}; ` +
        `p99 ratio ${(p(during, 99) / p(alone, 99)).toFixed(1)}×, p50 ratio ${(median(during) / median(alone)).toFixed(1)}×`,
    );
    console.log(
      `the batch: median ${median(batchMs).toFixed(0)} ms (what a small request would wait at worst if it were predicted at once); ` +
        `${(during.length / batches).toFixed(1)} small requests answered per batch`,
    );
    return report('forecast-batch', args, {
      'small request p50 during a batch (the same request alone as reference)': figure(
        median(during),
        'ms',
        median(alone),
      ),
      'small request p99 during a batch (the same request alone as reference)': figure(
        p(during, 99),
        'ms',
        p(alone, 99),
      ),
      'small request max during a batch (the batch time as reference)': figure(
        Math.max(...during),
        'ms',
        median(batchMs),
      ),
      [`${BATCH_INPUTS}-input batch, median`]: figure(median(batchMs), 'ms'),
      'small requests answered per batch': figure(during.length / batches, 'requests'),
    });
  } finally {
    await smallPool.close();
    await batchPool.close();
    service.child.kill('SIGTERM');
  }
}
