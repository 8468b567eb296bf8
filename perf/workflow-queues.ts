/**
 * End-to-end tasks/s through the workflow's queues, the farm's own path on each backend: one
 * producer pushes N small task messages (pushCounted, as the emitter does), K consumers take each
 * (reliable take with a lease), push its result and complete it, one collector pops the results
 * (popWait) until it has all N. Every role has a client of its own, as each is its own process in
 * a run. Backends, in rotating order over the repeats:
 * - `memory`: the embedded queues in this process;
 * - `http`: the embedded queues served by another process (http-server.ts), through HttpQueues;
 * - `redis`: a redis-server started for the run (no persistence), through RedisQueues; beside it,
 *   `redis-benchmark -q -t lpush,rpop -n 100000` against the same server, and the commands/s
 *   Redis itself counted during the farm's runs (INFO stats), for scale.
 *
 *   npm run perf -- workflow-queues [tasks] [--consumers K] [--repeats R] [--max-seconds S]
 *
 * Bounded: each run stops with an error after --max-seconds (default 120).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { Queues } from '../src/workflow/queues/contract.js';
import { HttpQueues } from '../src/workflow/queues/http-client.js';
import { serveQueues } from '../src/workflow/queues/http-server.js';
import { MemoryQueues } from '../src/workflow/queues/memory.js';
import { RedisQueues } from '../src/workflow/queues/redis.js';
import { redisBinary, startRedis } from '../test/helpers/redis.js';
import { stopChild } from './lib/child.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';
import { median } from './lib/stats.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const REDIS_BENCHMARK = '/usr/bin/redis-benchmark';
const BENCHMARK_REQUESTS = 100_000;
/** How long a consumer or the collector waits per call before it looks whether the run is over. */
const POLL_MS = 100;
const LEASE_MS = 30_000;

type BackendName = 'memory' | 'http' | 'redis';

/** A backend's clients, one per role (producer, consumers, collector), kept over the repeats. */
interface Backend {
  name: BackendName;
  clients: Queues[];
  stop(): Promise<void>;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A task as the emitter writes it (messages.ts), about 330 bytes of JSON. */
function task(i: number): string {
  return JSON.stringify({
    task_id: randomUUID(),
    task_gen_timestamp: i / 1000,
    task_application: 'image_processing',
    task_priority: 'normal',
    task_expected_duration: 1.5,
    task_data_size: 2048,
    task_deadline: 3,
    task_processing_time_simulated: 1.5,
    task_emit_timestamp: i / 1000,
    task_emit_time: 0,
  });
}

/** A worker's result for `message`, the task's fields plus its own. */
function result(message: string): string {
  const t = JSON.parse(message) as Record<string, unknown>;
  return JSON.stringify({ ...t, task_work_time: 0.001, task_work_timestamp: 1, status: 'completed' });
}

/** One run of the farm: N tasks from producer to collector; tasks/s. */
async function farm(backend: Backend, tasks: number, maxMs: number): Promise<number> {
  const [producer, collector, ...consumers] = backend.clients as [Queues, Queues, ...Queues[]];
  const run = randomUUID().slice(0, 8);
  const work = `perf-${run}-worker_queue`;
  const results = `perf-${run}-result_queue`;
  const counter = `${work}:enqueued_total`;
  const keys = [work, results, counter];
  const started = performance.now();
  const deadline = started + maxMs;
  let done = false;
  const overdue = () => {
    if (performance.now() > deadline) throw new Error(`${backend.name}: over ${maxMs / 1000} s, stopped`);
  };
  try {
    const produce = async () => {
      for (let i = 0; i < tasks && !done; i++) await producer.pushCounted(work, counter, task(i));
    };
    const consume = async (client: Queues, consumer: string) => {
      while (!done) {
        const message = await client.take(work, consumer, POLL_MS, LEASE_MS);
        if (message === null) continue;
        await client.push(results, result(message));
        await client.complete(work, consumer, message);
      }
    };
    const collect = async () => {
      try {
        for (let got = 0; got < tasks; ) {
          overdue();
          if ((await collector.popWait(results, POLL_MS)) !== null) got++;
        }
      } finally {
        done = true;
      }
    };
    await Promise.all([produce(), collect(), ...consumers.map((c, i) => consume(c, `worker-${i}`))]);
    return tasks / ((performance.now() - started) / 1000);
  } finally {
    done = true;
    await producer.clear(keys);
  }
}

/** The embedded queues served by a child process (`--child`); resolves with its URL. */
async function startQueueServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', TSX, THIS_FILE, '--child'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve((m as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`queue server exited (${code}) before it was ready`)));
  });
  return { child, url };
}

async function closeAll(clients: Queues[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

/** `redis-benchmark -q` against the server: requests/s of each command tested. */
function redisBenchmark(port: number): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      REDIS_BENCHMARK,
      ['-q', '-t', 'lpush,rpop', '-n', String(BENCHMARK_REQUESTS), '-h', '127.0.0.1', '-p', String(port)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.once('error', reject);
    child.once('exit', (code) => {
      const rps: Record<string, number> = {};
      // -q rewrites a progress line with \r, then prints "LPUSH: 123.45 requests per second, ...".
      for (const line of out.split(/[\r\n]+/)) {
        const m = /^(\w+): ([\d.]+) requests per second/.exec(line.trim());
        if (m) rps[m[1] as string] = Number(m[2]);
      }
      if (code === 0 && Object.keys(rps).length > 0) resolve(rps);
      else reject(new Error(`redis-benchmark exited ${code}: ${out.slice(-500)}`));
    });
  });
}

/** Commands Redis has processed since it started (INFO stats), the INFO asking it included. */
async function commandsProcessed(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);
}

export async function run(args: string[]): Promise<PerfReport> {
  const tasks = Math.round(Number(args[0] && !args[0].startsWith('--') ? args[0] : 10_000));
  const consumers = Math.max(1, Math.round(Number(flag(args, '--consumers') ?? 4)));
  const repeats = Math.max(1, Math.round(Number(flag(args, '--repeats') ?? 3)));
  const maxMs = Number(flag(args, '--max-seconds') ?? 120) * 1000;
  const roles = consumers + 2;

  const backends: Backend[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  const binary = redisBinary();
  let redisServer: Awaited<ReturnType<typeof startRedis>> | undefined;
  /** A connection of its own asking Redis for its command count. */
  let stats: Redis | undefined;
  try {
    const memory = new MemoryQueues();
    backends.push({ name: 'memory', clients: Array(roles).fill(memory), stop: () => memory.close() });
    const served = await startQueueServer();
    stops.push(() => stopChild(served.child));
    const httpClients = Array.from({ length: roles }, () => new HttpQueues(served.url));
    backends.push({ name: 'http', clients: httpClients, stop: () => closeAll(httpClients) });
    if (binary) {
      redisServer = await startRedis();
      stops.push(() => (redisServer as NonNullable<typeof redisServer>).stop());
      const url = redisServer.url;
      const own = new Redis(url);
      stats = own;
      stops.push(async () => own.disconnect());
      const redisClients = await Promise.all(Array.from({ length: roles }, () => RedisQueues.open(url)));
      backends.push({ name: 'redis', clients: redisClients, stop: () => closeAll(redisClients) });
    }
    console.log(
      `workflow-queues: ${tasks} tasks per run, 1 producer, ${consumers} consumers, 1 collector, each its own client; ${repeats} runs per backend in rotating order (+1 warm-up not counted), node ${process.version}`,
    );

    const rates: Record<BackendName, number[]> = { memory: [], http: [], redis: [] };
    let redisCommands = 0;
    let redisSeconds = 0;
    for (let r = -1; r < repeats; r++) {
      for (let j = 0; j < backends.length; j++) {
        const backend = backends[(Math.max(0, r) + j) % backends.length] as Backend;
        // The warm-up run (r = -1) is a tenth as long and not counted.
        const n = r < 0 ? Math.max(100, Math.round(tasks / 10)) : tasks;
        const counted = backend.name === 'redis' ? stats : undefined;
        const before = counted ? await commandsProcessed(counted) : 0;
        const t0 = performance.now();
        const rate = await farm(backend, n, maxMs);
        if (r < 0) continue;
        rates[backend.name].push(rate);
        if (counted) {
          redisSeconds += (performance.now() - t0) / 1000;
          redisCommands += (await commandsProcessed(counted)) - before;
        }
        console.log(`  run ${r + 1} ${backend.name.padEnd(7)} ${rate.toFixed(0).padStart(8)} tasks/s`);
      }
    }

    const tasksPerSecond = (name: BackendName) => (rates[name].length > 0 ? median(rates[name]) : Number.NaN);
    const mem = tasksPerSecond('memory');
    const figures: Record<string, Figure> = {
      'memory tasks/s': figure(mem, 'tasks/s'),
      'http tasks/s': figure(tasksPerSecond('http'), 'tasks/s', mem),
    };
    console.log(`\nmedian tasks/s over ${repeats} runs (ratio: against memory)`);
    console.log(`  memory ${mem.toFixed(0).padStart(10)}`);
    console.log(
      `  http   ${tasksPerSecond('http').toFixed(0).padStart(10)}   ${(tasksPerSecond('http') / mem).toFixed(3)}x`,
    );
    let benchmark: Record<string, number> | undefined;
    if (redisServer) {
      const redis = tasksPerSecond('redis');
      figures['redis tasks/s'] = figure(redis, 'tasks/s', mem);
      console.log(`  redis  ${redis.toFixed(0).padStart(10)}   ${(redis / mem).toFixed(3)}x`);
      const commandsPerSecond = redisCommands / redisSeconds;
      const perTask = redisCommands / (tasks * repeats);
      console.log(
        `\nRedis during the farm: ${commandsPerSecond.toFixed(0)} commands/s, ${perTask.toFixed(1)} commands per task`,
      );
      try {
        benchmark = await redisBenchmark(redisServer.port);
        console.log(
          `redis-benchmark -q -t lpush,rpop -n ${BENCHMARK_REQUESTS} (50 clients) against the same server (ratio: farm commands/s against it):`,
        );
        for (const [command, rps] of Object.entries(benchmark)) {
          figures[`redis-benchmark ${command} requests/s`] = figure(rps, 'requests/s');
          figures[`redis farm commands/s vs ${command}`] = figure(commandsPerSecond, 'commands/s', rps);
          console.log(
            `  ${command.padEnd(6)} ${rps.toFixed(0).padStart(10)} requests/s   ${(commandsPerSecond / rps).toFixed(3)}x`,
          );
        }
      } catch (err) {
        console.log(`redis-benchmark not run: ${(err as Error).message}`);
      }
      figures['redis farm commands/s'] = figure(commandsPerSecond, 'commands/s');
      figures['redis commands per task'] = figure(perTask, 'commands');
    } else {
      console.log('  redis  not measured: /usr/bin/redis-server is not installed');
    }
    return report('workflow-queues', args, figures, { tasks, consumers, repeats, rates, benchmark });
  } finally {
    for (const backend of backends) await backend.stop().catch(() => undefined);
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  }
}

/** `--child`: the embedded queues served on a free loopback port; sends its URL, runs until killed. */
async function child(): Promise<void> {
  const server = await serveQueues(new MemoryQueues());
  process.send?.({ url: server.url });
  process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

if (process.argv[1] === THIS_FILE && process.argv[2] === '--child') {
  await child();
}
