/**
 * What `dfaas bench`'s Benchmarker costs per call: sequential `Benchmarker.invoke` calls against a
 * fast local lab-function stand-in (perf/lib/lab-server.ts, its own process, kept-alive
 * connection), beside a bare undici `request()` (read to its end, nothing else: the reference)
 * and, to tell the HTTP client's share from the Benchmarker's own, a bare global `fetch` with the
 * Benchmarker's options (what `invoke` calls). The three run in alternation, blocks of calls in
 * rotating order, so the machine's noise hits them alike.
 *
 *   npm run perf -- bench-overhead [calls-per-client] [--block 100] [--warmup 200]
 *
 * Figures: each client's per-call median and p90 over all its calls, and the Benchmarker's added
 * time (its median minus undici's) with the ratio. Target (2 cores): at most 0.2 ms per call over
 * a bare undici request.
 */
import { Agent } from 'undici';
import { Benchmarker } from '../src/bench/benchmarker.js';
import { httpProvider } from '../src/bench/providers.js';
import { bareCalls, type LabServer, startLabServer } from './lib/lab-server.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';
import { median, percentile } from './lib/stats.js';

const TARGET_MS = 0.2;

type Client = 'benchmarker' | 'fetch' | 'undici';
const CLIENTS: Client[] = ['benchmarker', 'fetch', 'undici'];

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export async function run(args: string[]): Promise<PerfReport> {
  const calls = Math.round(Number(args[0] && !args[0].startsWith('--') ? args[0] : 2000));
  const block = Math.max(1, Math.round(Number(flag(args, '--block') ?? 100)));
  const warmup = Math.round(Number(flag(args, '--warmup') ?? 200));
  const rounds = Math.max(1, Math.ceil(calls / block));

  const server: LabServer = await startLabServer();
  const target = `${server.url}/function/lab`;
  const dispatcher = new Agent();
  const bare = bareCalls(target, dispatcher);
  const bench = new Benchmarker({ provider: httpProvider(`${server.url}/function/{function}`) });
  const send: Record<Client, () => Promise<void>> = {
    benchmarker: async () => {
      const r = await bench.invoke('lab');
      if (!r.ok) throw new Error(`benchmarker: ${r.error.type} ${r.error.message}`);
    },
    fetch: bare.fetch,
    undici: bare.undici,
  };
  try {
    const times: Record<Client, number[]> = { benchmarker: [], fetch: [], undici: [] };
    /** Per round, each client's block median: the paired differences below. */
    const blocks: Record<Client, number[]> = { benchmarker: [], fetch: [], undici: [] };
    const callBlock = async (c: Client, count: number, into?: number[]) => {
      for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await send[c]();
        into?.push(performance.now() - t0);
      }
    };
    console.log(
      `bench-overhead: sequential calls, lab server on 127.0.0.1 (own process, kept-alive connection), ${rounds} rounds of ${block} calls per client in rotating order (${rounds * block} calls each, after ${warmup} not counted), node ${process.version}`,
    );
    for (const c of CLIENTS) await callBlock(c, warmup);
    for (let i = 0; i < rounds; i++) {
      const order = CLIENTS.map((_, j) => CLIENTS[(i + j) % CLIENTS.length] as Client);
      for (const c of order) {
        const mine: number[] = [];
        await callBlock(c, block, mine);
        times[c].push(...mine);
        blocks[c].push(median(mine));
      }
    }

    const p50 = (c: Client) => median(times[c]);
    const p90 = (c: Client) => percentile(times[c], 90);
    const paired = (a: Client, b: Client) => median(blocks[a].map((x, i) => x - (blocks[b][i] as number)));
    console.log(`\nper call, ms (${rounds * block} calls each)`);
    console.log(
      `  ${'client'.padEnd(34)}${'median'.padStart(9)}${'p90'.padStart(9)}${'added p50'.padStart(11)}${'added p90'.padStart(11)}${'ratio p50'.padStart(11)}${'ratio p90'.padStart(11)}`,
    );
    const label: Record<Client, string> = {
      undici: 'undici request() (reference)',
      fetch: 'global fetch',
      benchmarker: 'Benchmarker.invoke',
    };
    for (const c of ['undici', 'fetch', 'benchmarker'] as const) {
      const ref = c === 'undici';
      console.log(
        `  ${label[c].padEnd(34)}${p50(c).toFixed(3).padStart(9)}${p90(c).toFixed(3).padStart(9)}${(ref ? '' : (p50(c) - p50('undici')).toFixed(3)).padStart(11)}${(ref ? '' : (p90(c) - p90('undici')).toFixed(3)).padStart(11)}${(ref ? '' : `${(p50(c) / p50('undici')).toFixed(2)}x`).padStart(11)}${(ref ? '' : `${(p90(c) / p90('undici')).toFixed(2)}x`).padStart(11)}`,
      );
    }
    const added = p50('benchmarker') - p50('undici');
    console.log(
      `\n  medians: fetch over undici ${(p50('fetch') - p50('undici')).toFixed(3)} ms; paired by round (median of block-median differences): Benchmarker − undici ${paired('benchmarker', 'undici').toFixed(3)} ms, fetch − undici ${paired('fetch', 'undici').toFixed(3)} ms`,
    );
    console.log(
      `\ntarget: the Benchmarker adds at most ${TARGET_MS} ms per call over a bare undici request: ${added.toFixed(3)} ms (${(p50('benchmarker') / p50('undici')).toFixed(2)}x): ${added <= TARGET_MS ? 'met' : 'NOT met'}`,
    );

    const figures: Record<string, Figure> = {
      'Benchmarker.invoke p50': figure(p50('benchmarker'), 'ms', p50('undici')),
      'Benchmarker.invoke p90': figure(p90('benchmarker'), 'ms', p90('undici')),
      'Benchmarker added p50': figure(added, 'ms', undefined, `<= ${TARGET_MS} ms`),
      'Benchmarker added p90': figure(p90('benchmarker') - p90('undici'), 'ms'),
      'Benchmarker added p50, paired by round': figure(paired('benchmarker', 'undici'), 'ms'),
      'fetch p50': figure(p50('fetch'), 'ms', p50('undici')),
      'fetch p90': figure(p90('fetch'), 'ms', p90('undici')),
      'undici request p50': figure(p50('undici'), 'ms'),
      'undici request p90': figure(p90('undici'), 'ms'),
    };
    return report('bench-overhead', args, figures, { calls: rounds * block, block, warmup, blocks });
  } finally {
    await dispatcher.close().catch(() => undefined);
    await bench.close().catch(() => undefined);
    await server.stop();
  }
}
