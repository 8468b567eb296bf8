/**
 * How fast the HAProxy driver takes a new routing table, and that it drops nothing while doing it:
 * 50 functions × 10 peers, then 30 tables in a row that each change every weight and every limit
 * (local limits and the peers' limits), applied through the Runtime API while a bounded open-model
 * load (300 requests/s spread over the 50 functions) runs through the proxy. The same tables on
 * the embedded driver, under the same load, are the in-process reference.
 *
 *   npm run perf -- weight-update [applies] [--rate R] [--interval-ms MS]
 *
 * The gateway and the 10 peers' proxies are bare node:http servers on loopback (11 ports in one
 * process of their own) answering 200 at once. Only the first table (50 functions HAProxy has no
 * backend for) reloads HAProxy; the worker pid and the reload count are read before and after the
 * timed applies.
 *
 * Target on the reference machine (2 cores): an apply under 50 ms; zero failed requests.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { silentLogger } from '../src/core/logger.js';
import { runOpenLoop } from '../src/load/builtin/open-loop.js';
import { constantArrivals } from '../src/load/builtin/schedule.js';
import type { ProxyDriver } from '../src/node/proxy/contract.js';
import { startEmbeddedProxy } from '../src/node/proxy/embedded/proxy.js';
import { type HaproxyProxy, startHaproxyProxy } from '../src/node/proxy/haproxy/driver.js';
import { desiredState, planCommands } from '../src/node/proxy/haproxy/state.js';
import {
  type FunctionRoute,
  LOCAL,
  type PeerEndpoint,
  type RoutingTable,
  SERVED_BY_HEADER,
} from '../src/offload/routing.js';
import { figure, type PerfReport, report } from './lib/report.js';
import { median, percentile } from './lib/stats.js';

const HAPROXY = '/usr/sbin/haproxy';
const FUNCTIONS = 50;
const PEERS = 10;
const TARGET_MS = 50;
const NODE_ID = 'bench-node';
const THIS_FILE = fileURLToPath(import.meta.url);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

const functionName = (i: number) => `fn-${String(i).padStart(2, '0')}`;
const peerId = (j: number) => `peer-${j}`;

/**
 * The k-th table: every weight (1-100, never 0, so no server changes state) and every limit
 * differs from the (k-1)-th one's.
 */
function tableOf(k: number, peers: Record<string, PeerEndpoint>): RoutingTable {
  const functions: Record<string, FunctionRoute> = {};
  for (let i = 0; i < FUNCTIONS; i++) {
    const weights: Record<string, number> = { [LOCAL]: 1 + ((k * 31 + i * 7) % 100) };
    const limitsIn: Record<string, number> = {};
    for (let j = 0; j < PEERS; j++) {
      weights[peerId(j)] = 1 + ((k * 31 + i * 7 + (j + 1) * 13) % 100);
      limitsIn[peerId(j)] = 10 + k + j;
    }
    functions[functionName(i)] = { localLimit: 20 + k, weights, limitsIn };
  }
  return { functions, peers, tokens: { own: `own-${k}`, peers: {} } };
}

/** Runtime API commands the HAProxy driver sends to go from table a to table b. */
function commandsBetween(a: RoutingTable, b: RoutingTable): number {
  const from = desiredState(a);
  return planCommands({ maps: from.maps, servers: new Map(from.servers) }, desiredState(b), (n) => n).commands
    .length;
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

interface Phase {
  firstApplyMs: number;
  applyMs: number[];
  sent: number;
  ok: number;
  dropped: number;
  /** Non-2xx responses by status, and transport errors. */
  failures: Record<string, number>;
  servedByPeers: number;
}

export async function run(args: string[]): Promise<PerfReport> {
  const applies = Math.max(1, Math.round(Number(args[0] && !args[0].startsWith('--') ? args[0] : 30)));
  const rate = Number(flag(args, '--rate') ?? 300);
  const intervalMs = Number(flag(args, '--interval-ms') ?? 250);
  const leadMs = 1000;
  const loadMs = leadMs + applies * intervalMs + 1000;

  const upstreams = spawn(process.execPath, ['--import', TSX, THIS_FILE, '--child', String(PEERS + 1)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  let haproxy: HaproxyProxy | undefined;
  let embedded: ProxyDriver | undefined;
  try {
    const ports = await new Promise<number[]>((resolve, reject) => {
      upstreams.once('message', (m) => resolve((m as { ports: number[] }).ports));
      upstreams.once('exit', (code) => reject(new Error(`the upstreams exited (${code})`)));
    });
    const [gatewayPort, ...peerPorts] = ports as [number, ...number[]];
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
    const peers = Object.fromEntries(peerPorts.map((port, j) => [peerId(j), { host: '127.0.0.1', port }]));
    const tables = Array.from({ length: applies + 1 }, (_, k) => tableOf(k, peers));

    /**
     * Applies tables[0] (then calls afterFirst), then tables[1..] every intervalMs under load;
     * bounded by count and time.
     */
    const phase = async (proxy: ProxyDriver, afterFirst?: () => Promise<void>): Promise<Phase> => {
      let t0 = performance.now();
      await proxy.apply(tables[0] as RoutingTable);
      const firstApplyMs = performance.now() - t0;
      await afterFirst?.();
      const failures: Record<string, number> = {};
      let byPeers = 0;
      const fail = (what: string) => {
        failures[what] = (failures[what] ?? 0) + 1;
      };
      let n = 0;
      const send = async () => {
        const fn = functionName(n++ % FUNCTIONS);
        try {
          const res = await request(`${proxy.url}/function/${fn}`, {
            method: 'POST',
            body: 'x',
            dispatcher,
            headersTimeout: 10_000,
            bodyTimeout: 10_000,
          });
          await res.body.dump();
          if (res.statusCode >= 300) fail(String(res.statusCode));
          else if (res.headers[SERVED_BY_HEADER.toLowerCase()] !== NODE_ID) byPeers++;
          return res.statusCode;
        } catch (err) {
          fail(`transport error (${(err as { code?: string }).code ?? (err as Error).message})`);
          throw err;
        }
      };
      const start = performance.now();
      const load = runOpenLoop({
        schedule: constantArrivals(rate, 1000, loadMs),
        maxInflight: 1024,
        send,
        startAt: start,
      });
      const applyMs: number[] = [];
      await new Promise((r) => setTimeout(r, leadMs));
      for (let k = 1; k <= applies && performance.now() - start < loadMs - 500; k++) {
        t0 = performance.now();
        await proxy.apply(tables[k] as RoutingTable);
        applyMs.push(performance.now() - t0);
        const next = start + leadMs + k * intervalMs;
        await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
      }
      const r = await load;
      return {
        firstApplyMs,
        applyMs,
        sent: r.sent,
        ok: r.ok,
        dropped: r.dropped,
        failures,
        servedByPeers: byPeers,
      };
    };

    const commands = commandsBetween(tables[0] as RoutingTable, tables[1] as RoutingTable);
    console.log(
      `weight-update: ${FUNCTIONS} functions × ${PEERS} peers, ${applies} applies every ${intervalMs} ms, each changing every weight and limit (${commands} Runtime API commands), under ${rate} rps across the functions (open model, ${loadMs / 1000} s), node ${process.version}`,
    );
    const show = (label: string, p: Phase) => {
      const failed = Object.values(p.failures).reduce((a, b) => a + b, 0);
      const list = Object.entries(p.failures)
        .map(([k, v]) => `${k}: ${v}`)
        .join(', ');
      console.log(
        `  ${label}: first apply (the ${FUNCTIONS} functions are new) ${p.firstApplyMs.toFixed(1)} ms; ${p.applyMs.length} applies: median ${median(p.applyMs).toFixed(2)} ms, p90 ${percentile(p.applyMs, 90).toFixed(2)} ms, max ${Math.max(...p.applyMs).toFixed(2)} ms, ${p.applyMs.filter((ms) => ms >= TARGET_MS).length} at or over ${TARGET_MS} ms`,
      );
      console.log(
        `    requests while applying: sent ${p.sent}, ok ${p.ok}, failed ${failed}${list ? ` (${list})` : ''}, dropped by the generator ${p.dropped}; ${((p.servedByPeers / Math.max(1, p.ok)) * 100).toFixed(1)}% of the ok ones served by peers`,
      );
      return failed;
    };

    embedded = await startEmbeddedProxy({
      nodeId: NODE_ID,
      host: '127.0.0.1',
      port: 0,
      gatewayUrl,
      logger: silentLogger,
    });
    const reference = await phase(embedded);
    await embedded.stop();
    embedded = undefined;
    show('embedded driver (in-process reference)', reference);
    const referenceFailed = Object.values(reference.failures).reduce((a, b) => a + b, 0);

    if (!existsSync(HAPROXY)) {
      console.log(`  haproxy driver: skipped, ${HAPROXY} not found`);
      return report('weight-update', args, {}, { skipped: `${HAPROXY} not found`, embedded: reference });
    }
    haproxy = await startHaproxyProxy({
      nodeId: NODE_ID,
      host: '127.0.0.1',
      port: 0,
      gatewayUrl,
      logger: silentLogger,
      binary: HAPROXY,
    });
    const h = haproxy;
    let pidBefore = 0;
    let reloadsBefore = 0;
    // Read once the first table (new functions: a reload) is in, before the timed applies.
    const result = await phase(h, async () => {
      pidBefore = await h.workerPid();
      reloadsBefore = h.reloads;
    });
    const pidAfter = await h.workerPid();
    const reloadsAfter = h.reloads;
    const failed = show('haproxy driver', result);
    const med = median(result.applyMs);
    const max = Math.max(...result.applyMs);
    console.log(
      `    worker pid ${pidBefore} -> ${pidAfter} (${pidBefore === pidAfter ? 'unchanged' : 'CHANGED'}), reloads ${reloadsBefore} -> ${reloadsAfter} (${reloadsBefore === reloadsAfter ? 'unchanged' : 'CHANGED'}) across the ${result.applyMs.length} applies`,
    );
    console.log(
      `\ntarget: an apply under ${TARGET_MS} ms: median ${med.toFixed(2)} ms, max ${max.toFixed(2)} ms: ${max < TARGET_MS ? 'met (max included)' : med < TARGET_MS ? 'met at the median, NOT by the max' : 'NOT met'}`,
    );
    console.log(
      `        zero failed requests while applying: ${failed} failed: ${failed === 0 ? 'met' : 'NOT met'}`,
    );
    console.log(
      `ratio haproxy/embedded apply time: median ${(med / median(reference.applyMs)).toFixed(1)}x, max ${(max / Math.max(...reference.applyMs)).toFixed(1)}x`,
    );
    return report(
      'weight-update',
      args,
      {
        'HAProxy first apply, new functions (embedded as reference)': figure(
          result.firstApplyMs,
          'ms',
          reference.firstApplyMs,
        ),
        'HAProxy apply median (embedded as reference)': figure(
          med,
          'ms',
          median(reference.applyMs),
          `< ${TARGET_MS} ms`,
        ),
        'HAProxy apply p90 (embedded as reference)': figure(
          percentile(result.applyMs, 90),
          'ms',
          percentile(reference.applyMs, 90),
        ),
        'HAProxy apply max (embedded as reference)': figure(
          max,
          'ms',
          Math.max(...reference.applyMs),
          `< ${TARGET_MS} ms`,
        ),
        'requests failed while applying (embedded as reference)': figure(
          failed,
          'requests',
          referenceFailed,
          '0',
        ),
        'requests sent while applying': figure(result.sent, 'requests', reference.sent),
      },
      {
        workerPidUnchanged: pidBefore === pidAfter,
        reloadsDuringApplies: reloadsAfter - reloadsBefore,
        commands,
      },
    );
  } finally {
    await embedded?.stop().catch(() => undefined);
    await haproxy?.stop().catch(() => undefined);
    await dispatcher.close().catch(() => undefined);
    if (upstreams.exitCode === null && upstreams.signalCode === null) {
      const exited = new Promise((r) => upstreams.once('exit', r));
      upstreams.kill('SIGTERM');
      await exited;
    }
  }
}

/** `--child N`: N servers on loopback answering 200 at once; the first is the gateway, server i ≥ 1 is peer-(i-1). */
async function child(count: number): Promise<void> {
  const servers = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const headers: Record<string, string> = { 'content-type': 'text/plain' };
      if (i > 0) headers[SERVED_BY_HEADER] = peerId(i - 1);
      const server = createServer((req, res) => {
        req.resume();
        req.on('end', () => res.writeHead(200, headers).end('ok'));
      });
      server.keepAliveTimeout = 65_000;
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  process.send?.({ ports: servers.map((s) => (s.address() as AddressInfo).port) });
  const exit = () => {
    for (const s of servers) {
      s.closeAllConnections();
      s.close();
    }
    process.exit(0);
  };
  process.once('SIGTERM', exit);
  process.once('disconnect', exit);
}

if (process.argv[1] === THIS_FILE && process.argv[2] === '--child') {
  await child(Number(process.argv[3]));
}
