/**
 * What the embedded gateway adds to a call: open-model load on `echo` through the gateway and
 * directly on a replica's port, in one run, at 500 and 2,000 requests/s; then what `echo` with
 * 2 replicas sustains through the gateway at 5,000 requests/s.
 *
 * The gateway runs as its own process (dist/, as users run it) so its CPU per request can be
 * read from /proc; the direct replica is a replica process started the way the gateway starts one.
 *
 *   npm run perf -- gateway-overhead [seconds-per-phase] [--json [FILE]]
 *
 * Targets on the reference machine (2 cores): at 2,000 rps the gateway adds at most 0.5 ms at p50
 * and 2 ms at p99; 5,000 rps through it with under 0.1% errors.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { type OpenLoopResult, runOpenLoop } from '../src/load/builtin/open-loop.js';
import { constantArrivals } from '../src/load/builtin/schedule.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';

const DIST = new URL('../dist', import.meta.url);

interface Phase {
  target: 'direct' | 'gateway';
  rate: number;
  result: OpenLoopResult;
  /** Gateway process CPU seconds during the phase. */
  gatewayCpuSeconds: number;
}

function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // CLK_TCK is 100 on Linux
}

const ms = (us: number) => us / 1000;

async function replicasReady(gatewayUrl: string, replicas: number): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const ready = await fetch(`${gatewayUrl}/system/function/echo`)
      .then((r) => r.json() as Promise<{ availableReplicas: number }>)
      .then((s) => s.availableReplicas === replicas)
      .catch(() => false);
    if (ready) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`echo did not reach ${replicas} ready replicas`);
}

export async function run(args: string[]): Promise<PerfReport> {
  const seconds = Number(args[0] ?? 5);
  const { freeLoopbackPort } = (await import(
    new URL('core/net.js', DIST).href
  )) as typeof import('../src/core/net.js');
  const { Replica } = (await import(
    new URL('platform/embedded/replica.js', DIST).href
  )) as typeof import('../src/platform/embedded/replica.js');

  const dir = mkdtempSync(join(tmpdir(), 'dfaas-bench-'));
  const stack = join(dir, 'stack.yml');
  writeFileSync(
    stack,
    'functions:\n  echo:\n    lang: builtin\n    handler: echo\n    labels:\n      com.openfaas.scale.min: 1\n      com.openfaas.scale.max: 2\n',
  );
  const port = await freeLoopbackPort();
  const gateway = spawn(
    process.execPath,
    [
      new URL('cli/main.js', DIST).pathname,
      '--log-level',
      'warn',
      'gateway',
      '--port',
      String(port),
      '--stack',
      stack,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const replica = new Replica({
    functionName: 'echo',
    id: 'bench-direct',
    program: { kind: 'builtin', name: 'echo' },
    env: {},
    execTimeoutMs: 10_000,
    readyTimeoutMs: 60_000,
    connections: 128,
  });
  const gatewayUrl = `http://127.0.0.1:${port}`;
  try {
    await new Promise<void>((resolve, reject) => {
      replica.once('ready', resolve);
      replica.once('exit', () => reject(new Error(`direct replica failed: ${replica.stderrTail}`)));
    });
    await replicasReady(gatewayUrl, 1);
    const pools = {
      direct: new Pool(`http://127.0.0.1:${replica.port}`, { connections: 256 }),
      gateway: new Pool(gatewayUrl, { connections: 256 }),
    };
    const path = { direct: '/', gateway: '/function/echo' };
    const phase = async (target: 'direct' | 'gateway', rate: number): Promise<Phase> => {
      const send = async () => {
        const res = await pools[target].request({ method: 'POST', path: path[target], body: 'hello' });
        await res.body.dump();
        return res.statusCode;
      };
      await runOpenLoop({ schedule: constantArrivals(rate, 1000, 1000), maxInflight: 1024, send }); // warm-up, not counted
      const cpu0 = cpuSecondsOf(gateway.pid as number);
      const result = await runOpenLoop({
        schedule: constantArrivals(rate, 1000, seconds * 1000),
        maxInflight: 1024,
        send,
      });
      return { target, rate, result, gatewayCpuSeconds: cpuSecondsOf(gateway.pid as number) - cpu0 };
    };

    const figures: Record<string, Figure> = {};
    console.log(`gateway-overhead: echo, ${seconds} s per phase, open model, node ${process.version}`);
    for (const rate of [500, 2000]) {
      const direct = await phase('direct', rate);
      const via = await phase('gateway', rate);
      const d50 = ms(direct.result.latencyUs.getValueAtPercentile(50));
      const d99 = ms(direct.result.latencyUs.getValueAtPercentile(99));
      const g50 = ms(via.result.latencyUs.getValueAtPercentile(50));
      const g99 = ms(via.result.latencyUs.getValueAtPercentile(99));
      const cpuPerRequestUs = (via.gatewayCpuSeconds / Math.max(1, via.result.sent)) * 1e6;
      console.log(
        [
          `${rate} rps  direct p50 ${d50.toFixed(3)} ms p99 ${d99.toFixed(3)} ms`,
          `gateway p50 ${g50.toFixed(3)} ms p99 ${g99.toFixed(3)} ms`,
          `added p50 ${(g50 - d50).toFixed(3)} ms${rate === 2000 ? ' (target <= 0.5)' : ''} p99 ${(g99 - d99).toFixed(3)} ms${rate === 2000 ? ' (target <= 2)' : ''}`,
          `ratio p50 ${(g50 / d50).toFixed(2)}x p99 ${(g99 / d99).toFixed(2)}x`,
          `gateway CPU ${cpuPerRequestUs.toFixed(1)} us/request`,
          `errors direct ${direct.result.errors} gateway ${via.result.errors}`,
        ].join(' | '),
      );
      const target = (t: string) => (rate === 2000 ? t : undefined);
      figures[`p50 at ${rate} rps, through the gateway`] = figure(g50, 'ms', d50);
      figures[`p99 at ${rate} rps, through the gateway`] = figure(g99, 'ms', d99);
      figures[`p50 added at ${rate} rps`] = figure(g50 - d50, 'ms', undefined, target('<= 0.5 ms'));
      figures[`p99 added at ${rate} rps`] = figure(g99 - d99, 'ms', undefined, target('<= 2 ms'));
      figures[`gateway CPU per request at ${rate} rps`] = figure(cpuPerRequestUs, 'us');
      figures[`errors at ${rate} rps, through the gateway`] = figure(
        via.result.errors,
        'requests',
        direct.result.errors,
      );
    }
    // The overhead phases compare one replica behind the gateway with one replica direct;
    // the throughput phase runs echo with 2 replicas.
    await fetch(`${gatewayUrl}/system/scale-function/echo`, { method: 'POST', body: '{"replicas": 2}' });
    await replicasReady(gatewayUrl, 2);
    const max = await phase('gateway', 5000);
    const r = max.result;
    const achieved = (r.ok / r.elapsedMs) * 1000;
    const errorPct = ((r.errors + r.dropped) / Math.max(1, r.sent + r.dropped)) * 100;
    console.log(
      `5000 rps through the gateway (2 replicas)  achieved ${achieved.toFixed(0)} rps (ratio ${(achieved / 5000).toFixed(3)} of offered) | errors+dropped ${errorPct.toFixed(3)}% (target < 0.1%) | p50 ${ms(r.latencyUs.getValueAtPercentile(50)).toFixed(3)} ms p99 ${ms(r.latencyUs.getValueAtPercentile(99)).toFixed(3)} ms | send lag p99 ${ms(r.lagUs.getValueAtPercentile(99)).toFixed(3)} ms | gateway CPU ${((max.gatewayCpuSeconds / Math.max(1, r.sent)) * 1e6).toFixed(1)} us/request`,
    );
    figures['achieved at 5000 rps, 2 replicas'] = figure(achieved, 'rps', 5000);
    figures['errors and dropped at 5000 rps, 2 replicas'] = figure(errorPct, '%', undefined, '< 0.1%');
    figures['p99 at 5000 rps, 2 replicas'] = figure(ms(r.latencyUs.getValueAtPercentile(99)), 'ms');
    await pools.direct.close();
    await pools.gateway.close();
    return report('gateway-overhead', args, figures);
  } finally {
    await replica.stop(1000);
    gateway.kill('SIGTERM');
    await new Promise((r) => gateway.once('exit', r));
  }
}
