/**
 * What a proxy hop adds to a small function call: open-model load at 1,000 requests/s on one
 * function, in one run, three ways: directly on the upstream, through the embedded proxy and
 * through the HAProxy driver, both proxies routing the function LOCAL (a table applied with
 * apply()). The three run in alternation, several short rounds each, in a rotating order, so that
 * the machine's noise hits them alike; the figures are medians over the rounds.
 *
 *   npm run perf -- proxy-hop [seconds-per-target] [--rounds N] [--rate R] [--upstream bare|gateway]
 *
 * Upstreams (each its own process): `bare` (default), a node:http server answering the body it
 * got, which makes the proxies' own cost clearest; `gateway`, the embedded gateway with the
 * built-in `echo` on one replica, the path a real node has (one more hop, and its noise).
 * The embedded proxy runs in a process of its own, as in a node (never in the load generator's);
 * HAProxy is its own process anyway. Latency runs from each request's intended start.
 *
 * Targets on the reference machine (2 cores): HAProxy adds at most 0.3 ms at p50, the embedded
 * proxy at most 1 ms at p50.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { silentLogger } from '../src/core/logger.js';
import { freeLoopbackPort } from '../src/core/net.js';
import { runOpenLoop } from '../src/load/builtin/open-loop.js';
import { constantArrivals } from '../src/load/builtin/schedule.js';
import type { ProxyDriver } from '../src/node/proxy/contract.js';
import { startEmbeddedProxy } from '../src/node/proxy/embedded/proxy.js';
import { type HaproxyProxy, startHaproxyProxy } from '../src/node/proxy/haproxy/driver.js';
import { LOCAL, MAX_WEIGHT, type RoutingTable, SERVED_BY_HEADER } from '../src/offload/routing.js';
import { stopChild } from './lib/child.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';
import { median } from './lib/stats.js';

const HAPROXY = '/usr/sbin/haproxy';
const FUNCTION = 'echo';
const TABLE: RoutingTable = {
  functions: { [FUNCTION]: { localLimit: null, weights: { [LOCAL]: MAX_WEIGHT }, limitsIn: {} } },
  peers: {},
  tokens: { own: '', peers: {} },
};
const HAPROXY_TARGET_MS = 0.3;
const EMBEDDED_TARGET_MS = 1;
const THIS_FILE = fileURLToPath(import.meta.url);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

type Target = 'direct' | 'embedded' | 'haproxy';

interface Round {
  p50: number;
  p99: number;
  sent: number;
  errors: number;
  dropped: number;
  lagP99: number;
  /** CPU of the proxy's process per request, µs (undefined for direct). */
  cpuUs?: number;
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // CLK_TCK is 100 on Linux
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Runs this file as a child (`--child upstream|embedded`), with an IPC channel; resolves with its first message. */
function spawnChild(
  role: string,
  ...rest: string[]
): { child: ChildProcess; first: Promise<{ url: string }> } {
  const child = spawn(process.execPath, ['--import', TSX, THIS_FILE, '--child', role, ...rest], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const first = new Promise<{ url: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { url: string }));
    child.once('exit', (code) => reject(new Error(`${role} child exited (${code}) before it was ready`)));
  });
  return { child, first };
}

/** Starts the embedded gateway (its own process) with `echo` on one replica; resolves with its URL. */
async function startGatewayUpstream(): Promise<{ child: ChildProcess; url: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-hop-'));
  const stack = join(dir, 'stack.yml');
  writeFileSync(
    stack,
    'functions:\n  echo:\n    lang: builtin\n    handler: echo\n    labels:\n      com.openfaas.scale.min: 1\n      com.openfaas.scale.max: 1\n',
  );
  const port = await freeLoopbackPort();
  const main = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', TSX, main, '--log-level', 'warn', 'gateway', '--port', String(port), '--stack', stack],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  child.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    const ready = await fetch(`${url}/system/function/${FUNCTION}`)
      .then((r) => r.json() as Promise<{ availableReplicas: number }>)
      .then((s) => s.availableReplicas >= 1)
      .catch(() => false);
    if (ready) return { child, url };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopChild(child);
  throw new Error('the gateway did not get echo ready within 30 s');
}

export async function run(args: string[]): Promise<PerfReport> {
  const seconds = Number(args[0] && !args[0].startsWith('--') ? args[0] : 10);
  const rounds = Math.max(1, Math.round(Number(flag(args, '--rounds') ?? 5)));
  const rate = Number(flag(args, '--rate') ?? 1000);
  const upstreamKind = flag(args, '--upstream') ?? 'bare';
  if (upstreamKind !== 'bare' && upstreamKind !== 'gateway') throw new Error('--upstream: bare or gateway');
  const roundMs = Math.max(500, Math.round((seconds * 1000) / rounds));

  const children: ChildProcess[] = [];
  let haproxy: HaproxyProxy | undefined;
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  try {
    let upstreamUrl: string;
    if (upstreamKind === 'bare') {
      const { child, first } = spawnChild('upstream');
      children.push(child);
      upstreamUrl = (await first).url;
    } else {
      const gw = await startGatewayUpstream();
      children.push(gw.child);
      upstreamUrl = gw.url;
    }
    const embedded = spawnChild('embedded', upstreamUrl);
    children.push(embedded.child);
    const embeddedUrl = (await embedded.first).url;
    const applied = new Promise((resolve) => embedded.child.once('message', resolve));
    embedded.child.send({ table: TABLE });
    await applied;

    let haproxyNote = '';
    if (existsSync(HAPROXY)) {
      haproxy = await startHaproxyProxy({
        nodeId: 'bench-node',
        host: '127.0.0.1',
        port: 0,
        gatewayUrl: upstreamUrl,
        logger: silentLogger,
        binary: HAPROXY,
      });
      await haproxy.apply(TABLE);
    } else haproxyNote = `skipped: ${HAPROXY} not found`;

    const urls: Record<Target, string | undefined> = {
      direct: `${upstreamUrl}/function/${FUNCTION}`,
      embedded: `${embeddedUrl}/function/${FUNCTION}`,
      haproxy: haproxy ? `${haproxy.url}/function/${FUNCTION}` : undefined,
    };
    const targets = (['direct', 'embedded', 'haproxy'] as const).filter((t) => urls[t] !== undefined);
    const pidOf = async (t: Target): Promise<number | undefined> =>
      t === 'embedded' ? embedded.child.pid : t === 'haproxy' ? haproxy?.workerPid() : undefined;

    // Each path answers, and the proxies route LOCAL.
    for (const t of targets) {
      const res = await request(urls[t] as string, { method: 'POST', body: 'hello', dispatcher });
      const text = await res.body.text();
      const by = res.headers[SERVED_BY_HEADER.toLowerCase()];
      if (res.statusCode !== 200 || text !== 'hello' || (t !== 'direct' && by !== 'bench-node')) {
        throw new Error(`${t}: HTTP ${res.statusCode}, body ${JSON.stringify(text)}, served by ${by}`);
      }
    }

    const phase = async (t: Target, ms: number): Promise<Round> => {
      const url = urls[t] as string;
      const send = async () => {
        const res = await request(url, { method: 'POST', body: 'hello', dispatcher });
        await res.body.dump();
        return res.statusCode;
      };
      const pid = await pidOf(t);
      const cpu0 = pid ? cpuSecondsOf(pid) : 0;
      const r = await runOpenLoop({ schedule: constantArrivals(rate, 1000, ms), maxInflight: 1024, send });
      const cpu = pid ? cpuSecondsOf(pid) - cpu0 : 0;
      return {
        p50: r.latencyUs.getValueAtPercentile(50) / 1000,
        p99: r.latencyUs.getValueAtPercentile(99) / 1000,
        sent: r.sent,
        errors: r.errors,
        dropped: r.dropped,
        lagP99: r.lagUs.getValueAtPercentile(99) / 1000,
        ...(pid ? { cpuUs: (cpu / Math.max(1, r.sent)) * 1e6 } : {}),
      };
    };

    console.log(
      `proxy-hop: ${FUNCTION} at ${rate} rps, open model, ${rounds} rounds × ${roundMs / 1000} s per target, in rotating order, node ${process.version}`,
    );
    console.log(
      upstreamKind === 'bare'
        ? '  upstream: a bare node:http server answering the body (own process), so the added figures are the proxies alone'
        : '  upstream: the embedded gateway (own process) with the built-in echo on one replica',
    );
    if (haproxyNote) console.log(`  haproxy: ${haproxyNote}`);
    for (const t of targets) await phase(t, 1000); // warm-up, not counted

    const results: Record<Target, Round[]> = { direct: [], embedded: [], haproxy: [] };
    for (let i = 0; i < rounds; i++) {
      const order = targets.map((_, j) => targets[(i + j) % targets.length] as Target);
      for (const t of order) results[t].push(await phase(t, roundMs));
      console.log(
        `  round ${i + 1}: ${targets
          .map((t) => {
            const r = results[t][i] as Round;
            return `${t} p50 ${r.p50.toFixed(3)} p99 ${r.p99.toFixed(3)} ms`;
          })
          .join(' | ')}`,
      );
    }

    const direct = results.direct;
    const fmt = (x: number) => `${x >= 0 ? ' ' : ''}${x.toFixed(3)}`;
    console.log(
      `\nmedians of ${rounds} rounds (added: median over rounds of proxy minus direct in the same round)`,
    );
    console.log(
      `  ${'path'.padEnd(15)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}${'added p50'.padStart(11)}${'added p99'.padStart(11)}${'ratio p50'.padStart(11)}${'proxy CPU'.padStart(13)}${'errors'.padStart(8)}${'dropped'.padStart(9)}${'lag p99'.padStart(9)}`,
    );
    const added: Partial<Record<Target, number>> = {};
    const figures: Record<string, Figure> = {};
    const directP50 = median(direct.map((r) => r.p50));
    const directP99 = median(direct.map((r) => r.p99));
    for (const t of targets) {
      const rs = results[t];
      const p50 = median(rs.map((r) => r.p50));
      const p99 = median(rs.map((r) => r.p99));
      const a50 = median(rs.map((r, i) => r.p50 - (direct[i] as Round).p50));
      const a99 = median(rs.map((r, i) => r.p99 - (direct[i] as Round).p99));
      added[t] = a50;
      if (t !== 'direct') {
        const target = t === 'haproxy' ? HAPROXY_TARGET_MS : EMBEDDED_TARGET_MS;
        figures[`${t} proxy p50 (direct as reference)`] = figure(p50, 'ms', directP50);
        figures[`${t} proxy p99 (direct as reference)`] = figure(p99, 'ms', directP99);
        figures[`${t} proxy added p50`] = figure(a50, 'ms', undefined, `<= ${target} ms`);
        figures[`${t} proxy added p99`] = figure(a99, 'ms');
        if (rs[0]?.cpuUs !== undefined) {
          figures[`${t} proxy CPU per request`] = figure(median(rs.map((r) => r.cpuUs ?? 0)), 'us');
        }
      }
      const cpu =
        rs[0]?.cpuUs !== undefined ? `${median(rs.map((r) => r.cpuUs ?? 0)).toFixed(1)} µs/req` : '';
      console.log(
        `  ${(t === 'direct' ? 'direct' : `${t} proxy`).padEnd(15)}${p50.toFixed(3).padStart(9)}${p99.toFixed(3).padStart(9)}${(t === 'direct' ? '' : fmt(a50)).padStart(11)}${(t === 'direct' ? '' : fmt(a99)).padStart(11)}${(p50 / median(direct.map((r) => r.p50))).toFixed(2).padStart(10)}x${cpu.padStart(13)}${String(rs.reduce((s, r) => s + r.errors, 0)).padStart(8)}${String(rs.reduce((s, r) => s + r.dropped, 0)).padStart(9)}${median(
          rs.map((r) => r.lagP99),
        )
          .toFixed(3)
          .padStart(9)}`,
      );
    }
    console.log(
      "  latency from each arrival's intended start; proxy CPU: the proxy's process (HAProxy: its worker) per request; lag p99: how late the generator sent arrivals",
    );
    const verdict = (value: number | undefined, target: number) =>
      value === undefined ? 'skipped' : `${value.toFixed(3)} ms: ${value <= target ? 'met' : 'NOT met'}`;
    console.log(
      `\ntargets: HAProxy adds at most ${HAPROXY_TARGET_MS} ms at p50: ${haproxy ? verdict(added.haproxy, HAPROXY_TARGET_MS) : haproxyNote}`,
    );
    console.log(
      `         embedded proxy adds at most ${EMBEDDED_TARGET_MS} ms at p50: ${verdict(added.embedded, EMBEDDED_TARGET_MS)}`,
    );
    if (haproxy)
      console.log(
        `  (haproxy reloads during the run: ${haproxy.reloads}, 1 expected: the table's new function)`,
      );
    return report('proxy-hop', args, figures, { upstream: upstreamKind, rate, rounds, results, haproxyNote });
  } finally {
    await dispatcher.close().catch(() => undefined);
    await haproxy?.stop().catch(() => undefined);
    for (const c of children.reverse()) await stopChild(c);
  }
}

/** `--child upstream`: a bare echo server; `--child embedded <gatewayUrl>`: the embedded proxy, tables over IPC. */
async function child(role: string, rest: string[]): Promise<void> {
  let stop: () => Promise<void>;
  if (role === 'upstream') {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain' }).end(Buffer.concat(chunks)));
    });
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    process.send?.({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    stop = async () => {
      server.closeAllConnections();
      server.close();
    };
  } else {
    const proxy: ProxyDriver = await startEmbeddedProxy({
      nodeId: 'bench-node',
      host: '127.0.0.1',
      port: 0,
      gatewayUrl: rest[0] as string,
      logger: silentLogger,
    });
    process.on('message', (m: { table: RoutingTable }) => {
      void proxy.apply(m.table).then(() => process.send?.({ applied: true }));
    });
    process.send?.({ url: proxy.url });
    stop = () => proxy.stop();
  }
  const exit = () => void stop().finally(() => process.exit(0));
  process.once('SIGTERM', exit);
  process.once('disconnect', exit);
}

if (process.argv[1] === THIS_FILE && process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv.slice(4));
}
