/**
 * How together a burst of `dfaas bench` starts: n concurrent calls (256 by default) against a
 * fast local lab-function stand-in (perf/lib/lab-server.ts, its own process), sent these ways, in
 * rotating rounds of one run:
 * - `Benchmarker.invokeConcurrently` (src/bench/benchmarker.ts: global fetch, one call per request);
 * - `fetch`: plain `Promise.all` of global fetch with the Benchmarker's options, nothing else;
 * - `undici`: plain `Promise.all` of undici `request()` (the floor);
 * - the reference, faas-benchmarker's own way (perf/lib/python-burst.py): a
 *   ThreadPoolExecutor(max_workers=40) running asyncio + aiohttp, a session per call;
 * - Python threads: a ThreadPoolExecutor (`--python-workers`, 256 by default) running
 *   urllib.request; the reference where no python3 here has aiohttp.
 *
 *   npm run perf -- bench-burst [n] [--rounds 11] [--hold-ms 0] [--python-workers 256]
 *
 * Figures, each the median over the rounds of one burst's (and the smallest, `best`, for the
 * send spread: what the client does when the shared machine leaves it alone):
 * - send spread: from the first to the last request leaving the client (its headers and body
 *   written to the socket: undici's `undici:client:sendHeaders` diagnostics channel; aiohttp's
 *   `on_request_headers_sent`; after urllib's `endheaders`), the issue's figure;
 * - arrival spread: from the first to the last request parsed by the server, on its clock; it
 *   includes the server's own turn through n accepts and parses on one event loop;
 * - create spread: from the first to the last call handing its request to the HTTP client
 *   (`undici:request:create`; Python: the call entered); the client process's CPU during the
 *   burst (a figure the machine's other load does not hide); connections opened; elapsed time.
 *
 * Two connection states: `fresh` (the server closes every connection before each burst, as after
 * the idle wait that makes a function cold in concurrency-benchmarking: n connections are opened
 * during the burst; the reference opens one per call anyway) and `kept` (Node only: the
 * connections of the burst before are reused). Target (2 cores): a send spread of at most 5 ms at
 * n = 256.
 */
import { spawn, spawnSync } from 'node:child_process';
import dc from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { Benchmarker } from '../src/bench/benchmarker.js';
import { httpProvider } from '../src/bench/providers.js';
import { bareCalls, type LabServer, startLabServer } from './lib/lab-server.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';
import { median } from './lib/stats.js';

const TARGET_MS = 5;
const PYTHON_BURST = fileURLToPath(new URL('lib/python-burst.py', import.meta.url));

type Variant = 'benchmarker' | 'fetch' | 'undici' | 'python-aiohttp' | 'python-threads';
type Mode = 'fresh' | 'kept';

/** One burst's figures, ms. */
interface Burst {
  /** First to last request written to the socket, client side. */
  send: number;
  /** First to last request parsed, server side. */
  arrival: number;
  /** First to last request handed to the HTTP client (undici:request:create; Python: call entered). */
  create: number;
  /** Connections the server accepted during the burst. */
  connections: number;
  /** From the burst's start to its last answer, client side. */
  elapsed: number;
  /** CPU the client's process used during the burst (user + system), whatever the machine's other load. */
  cpu: number;
  errors: number;
}

const spread = (xs: number[]) => (xs.length > 1 ? Math.max(...xs) - Math.min(...xs) : 0);

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** A python3 that can import aiohttp (the reference's own client), if any. */
function pythonWithAiohttp(): string | undefined {
  for (const py of ['python3', '/usr/bin/python3']) {
    if (spawnSync(py, ['-c', 'import aiohttp'], { stdio: 'ignore' }).status === 0) return py;
  }
  return undefined;
}

interface PythonOut {
  label: string;
  starts: number[];
  sents: number[];
  errors: string[];
  errorCount: number;
  elapsedMs: number;
  cpuMs: number;
}

function runPython(py: string, args: string[]): Promise<PythonOut> {
  return new Promise((resolve, reject) => {
    const child = spawn(py, [PYTHON_BURST, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`${py} ${PYTHON_BURST} exited with ${code}`));
      else resolve(JSON.parse(out) as PythonOut);
    });
  });
}

/** The client-side times the undici diagnostics channels give, while `on`. */
const seen = { on: false, create: [] as number[], sent: [] as number[] };
const channels: Record<string, () => void> = {
  'undici:request:create': () => {
    if (seen.on) seen.create.push(performance.now());
  },
  'undici:client:sendHeaders': () => {
    if (seen.on) seen.sent.push(performance.now());
  },
};

export async function run(args: string[]): Promise<PerfReport> {
  const n = Math.round(Number(args[0] && !args[0].startsWith('--') ? args[0] : 256));
  const rounds = Math.max(1, Math.round(Number(flag(args, '--rounds') ?? 11)));
  const holdMs = Number(flag(args, '--hold-ms') ?? 0);
  const pythonWorkers = Math.round(Number(flag(args, '--python-workers') ?? 256));
  const aiohttpPython = pythonWithAiohttp();
  const threadsPython = aiohttpPython ?? 'python3';
  const reference: Variant = aiohttpPython ? 'python-aiohttp' : 'python-threads';

  for (const [name, fn] of Object.entries(channels)) dc.subscribe(name, fn);
  const server: LabServer = await startLabServer(holdMs);
  const target = `${server.url}/function/lab`;
  const dispatcher = new Agent();
  const bare = bareCalls(target, dispatcher);
  // One for the run, as an experiment has one: its connections are kept from burst to burst.
  const bench = new Benchmarker({ provider: httpProvider(`${server.url}/function/{function}`) });
  let pythonLabels: Partial<Record<Variant, string>> = {};
  try {
    /** Runs fn as a Node burst: client times from the diagnostics channels. */
    const nodeBurst = async (fn: () => Promise<number>): Promise<Omit<Burst, 'arrival' | 'connections'>> => {
      seen.create = [];
      seen.sent = [];
      seen.on = true;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const errors = await fn();
      const elapsed = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      seen.on = false;
      return {
        send: spread(seen.sent),
        create: spread(seen.create),
        elapsed,
        cpu: (cpu.user + cpu.system) / 1000,
        errors,
      };
    };
    const all = (call: () => Promise<unknown>) =>
      Promise.all(
        Array.from({ length: n }, () =>
          call().then(
            () => 0,
            () => 1,
          ),
        ),
      ).then((e) => e.reduce((a: number, b: number) => a + b, 0));

    const burst = async (v: Variant): Promise<Omit<Burst, 'arrival' | 'connections'>> => {
      switch (v) {
        case 'benchmarker':
          return nodeBurst(
            async () => (await bench.invokeConcurrently('lab', n)).filter((r) => !r.ok).length,
          );
        case 'fetch':
          return nodeBurst(() => all(bare.fetch));
        case 'undici':
          // One Agent for the run, as the Benchmarker has one: "fresh" is the server closing every connection.
          return nodeBurst(() => all(bare.undici));
        default: {
          const out =
            v === 'python-aiohttp'
              ? await runPython(aiohttpPython as string, [target, String(n), 'aiohttp'])
              : await runPython(threadsPython, [target, String(n), 'threads', String(pythonWorkers)]);
          pythonLabels = { ...pythonLabels, [v]: out.label };
          if (out.errorCount > 0) console.log(`  ${v}: ${out.errorCount} errors, e.g. ${out.errors[0]}`);
          return {
            send: spread(out.sents),
            create: spread(out.starts),
            elapsed: out.elapsedMs,
            cpu: out.cpuMs,
            errors: out.errorCount,
          };
        }
      }
    };

    const one = async (v: Variant, mode: Mode): Promise<Burst> => {
      await server.take(mode === 'fresh'); // fresh: every connection closed before the burst
      await new Promise((r) => setTimeout(r, 100));
      const client = await burst(v);
      const arrivals = await server.take(false);
      return { ...client, arrival: spread(arrivals.requests), connections: arrivals.connections.length };
    };

    const python: Variant[] = aiohttpPython ? ['python-aiohttp', 'python-threads'] : ['python-threads'];
    const variants: Record<Mode, Variant[]> = {
      fresh: ['benchmarker', 'fetch', 'undici', ...python],
      kept: ['benchmarker', 'fetch', 'undici'],
    };
    const results: Record<Mode, Partial<Record<Variant, Burst[]>>> = { fresh: {}, kept: {} };

    console.log(
      `bench-burst: ${n} concurrent calls, lab server on 127.0.0.1 (own process, answers ${holdMs > 0 ? `after ${holdMs} ms` : 'at once'}), ${rounds} rounds per variant in rotating order, node ${process.version}`,
    );
    console.log(
      aiohttpPython
        ? `  reference: faas-benchmarker's way (${aiohttpPython}: ThreadPoolExecutor(max_workers=40) running asyncio + aiohttp, a session per call); also ThreadPoolExecutor(max_workers=${pythonWorkers}) running urllib.request`
        : `  reference: no python3 here has aiohttp, so ThreadPoolExecutor(max_workers=${pythonWorkers}) running urllib.request stands for faas-benchmarker's threads`,
    );
    for (const mode of ['fresh', 'kept'] as const) {
      const vs = variants[mode];
      for (const v of vs) await one(v, mode); // warm-up (JIT, fetch's first load; kept: opens the pool), not counted
      for (let i = 0; i < rounds; i++) {
        const order = vs.map((_, j) => vs[(i + j) % vs.length] as Variant);
        for (const v of order) {
          const b = await one(v, mode);
          results[mode][v] = [...(results[mode][v] ?? []), b];
        }
      }
    }

    const med = (mode: Mode, v: Variant, k: keyof Burst) => median((results[mode][v] ?? []).map((b) => b[k]));
    const best = (mode: Mode, v: Variant) => Math.min(...(results[mode][v] ?? []).map((b) => b.send));
    const figures: Record<string, Figure> = {};
    for (const mode of ['fresh', 'kept'] as const) {
      const withRef = mode === 'fresh';
      const columns: [string, number, (v: Variant) => string][] = [
        ['send spread', 12, (v) => med(mode, v, 'send').toFixed(2)],
        ['best', 8, (v) => best(mode, v).toFixed(2)],
        ['vs floor', 10, (v) => `${(med(mode, v, 'send') / med(mode, 'undici', 'send')).toFixed(2)}x`],
        ...(withRef
          ? [
              [
                'vs ref',
                8,
                (v: Variant) => `${(med(mode, v, 'send') / med(mode, reference, 'send')).toFixed(2)}x`,
              ] as [string, number, (v: Variant) => string],
            ]
          : []),
        ['arrival spread', 16, (v) => med(mode, v, 'arrival').toFixed(2)],
        ['vs floor', 10, (v) => `${(med(mode, v, 'arrival') / med(mode, 'undici', 'arrival')).toFixed(2)}x`],
        ...(withRef
          ? [
              [
                'vs ref',
                8,
                (v: Variant) => `${(med(mode, v, 'arrival') / med(mode, reference, 'arrival')).toFixed(2)}x`,
              ] as [string, number, (v: Variant) => string],
            ]
          : []),
        ['create spread', 15, (v) => med(mode, v, 'create').toFixed(2)],
        ['client CPU', 12, (v) => med(mode, v, 'cpu').toFixed(1)],
        ['new conns', 11, (v) => med(mode, v, 'connections').toFixed(0)],
        ['elapsed', 9, (v) => med(mode, v, 'elapsed').toFixed(1)],
        ['errors', 8, (v) => String((results[mode][v] ?? []).reduce((a, b) => a + b.errors, 0))],
      ];
      console.log(
        `\n${withRef ? 'fresh connections (closed by the server before each burst: n opened during it)' : 'kept connections (the pool of the burst before)'}: medians of ${rounds} bursts (best: the smallest), ms`,
      );
      console.log(`  ${'client'.padEnd(16)}${columns.map(([h, w]) => h.padStart(w)).join('')}`);
      for (const v of variants[mode]) {
        console.log(`  ${v.padEnd(16)}${columns.map(([, w, f]) => f(v).padStart(w)).join('')}`);
      }
      for (const v of variants[mode]) {
        const ref = withRef && v !== reference ? reference : undefined;
        const floor = v === 'undici' ? undefined : 'undici';
        const label = `${v} ${mode} n=${n}`;
        const target = v === 'benchmarker' ? `<= ${TARGET_MS} ms` : undefined;
        const of = (k: keyof Burst, r?: Variant) => (r ? med(mode, r, k) : undefined);
        figures[`send spread, ${label}`] = figure(med(mode, v, 'send'), 'ms', of('send', floor), target);
        figures[`best send spread, ${label}`] = figure(
          best(mode, v),
          'ms',
          floor ? best(mode, floor) : undefined,
        );
        figures[`arrival spread, ${label}`] = figure(med(mode, v, 'arrival'), 'ms', of('arrival', floor));
        figures[`client CPU per burst, ${label}`] = figure(med(mode, v, 'cpu'), 'ms', of('cpu', floor));
        if (ref) {
          figures[`send spread vs reference, ${label}`] = figure(med(mode, v, 'send'), 'ms', of('send', ref));
          figures[`arrival spread vs reference, ${label}`] = figure(
            med(mode, v, 'arrival'),
            'ms',
            of('arrival', ref),
          );
        }
      }
    }
    console.log(
      '\n  send spread: first to last request written to the socket on the client; arrival spread: first to last request parsed by the server (its own clock, its own turn through every accept and parse included); create spread: first to last request handed to undici (Python: call entered); client CPU: user + system CPU of the client process during the burst (Python: all its threads); ratios: median over median, floor = undici, ref = the reference',
    );
    for (const [v, label] of Object.entries(pythonLabels)) console.log(`  ${v}: ${label}`);
    const verdict = (mode: Mode) => {
      const s = med(mode, 'benchmarker', 'send');
      return `${s.toFixed(2)} ms: ${s <= TARGET_MS ? 'met' : 'NOT met'}`;
    };
    console.log(
      `\ntarget: a burst of ${n} leaves the client within ${TARGET_MS} ms: fresh connections ${verdict('fresh')}; kept connections ${verdict('kept')}`,
    );
    return report('bench-burst', args, figures, {
      n,
      rounds,
      holdMs,
      reference,
      python: pythonLabels,
      results,
    });
  } finally {
    for (const [name, fn] of Object.entries(channels)) dc.unsubscribe(name, fn);
    await dispatcher.close().catch(() => undefined);
    await bench.close().catch(() => undefined);
    await server.stop();
  }
}
