/**
 * How much open-model load dfaas's generator holds, and at what CPU cost, against autocannon
 * (the usual Node.js HTTP benchmarker, closed model) on the same server in the same run.
 *
 *   npm run perf -- load-generator [seconds-per-step] [--json [FILE]]
 *
 * The target is a minimal HTTP server in another process on loopback. The generator steps its
 * rate up; a step holds when the achieved rate is within 1% of the target and under 0.1% of the
 * arrivals are dropped. Targets on the reference machine: at least 10,000 rps held; CPU per
 * request at most 1.2× autocannon's.
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { freeLoopbackPort } from '../src/core/net.js';
import { runOpenLoop } from '../src/load/builtin/open-loop.js';
import { constantArrivals } from '../src/load/builtin/schedule.js';
import { figure, type PerfReport, report } from './lib/report.js';

const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

export async function run(args: string[]): Promise<PerfReport> {
  const seconds = Number(args[0] ?? 5);
  const port = await freeLoopbackPort();
  const server = spawn(
    process.execPath,
    [
      '-e',
      `require('http').createServer((q,s)=>{q.resume();q.on('end',()=>s.end('ok'))}).listen(${port},'127.0.0.1')`,
    ],
    { stdio: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(url).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
    console.log(`load-generator: minimal server on loopback, ${seconds} s per step, node ${process.version}`);
    const pool = new Pool(url, { connections: 512 });
    const send = async () => {
      const res = await pool.request({ method: 'GET', path: '/' });
      await res.body.dump();
      return res.statusCode;
    };
    await runOpenLoop({ schedule: constantArrivals(2000, 1000, 1000), maxInflight: 4096, send }); // warm-up
    let best = { rate: 0, cpuPerRequestUs: 0 };
    const steps: {
      rate: number;
      achieved: number;
      droppedPct: number;
      p99Ms: number;
      cpuPerRequestUs: number;
    }[] = [];
    for (const rate of [2000, 4000, 6000, 8000, 10_000, 12_000, 16_000, 20_000, 24_000, 28_000, 32_000]) {
      const cpu0 = process.cpuUsage();
      const r = await runOpenLoop({
        schedule: constantArrivals(rate, 1000, seconds * 1000),
        maxInflight: 4096,
        send,
      });
      const cpuPerRequestUs = (cpuSeconds(process.cpuUsage(cpu0)) / Math.max(1, r.sent)) * 1e6;
      const achieved = (r.ok / r.elapsedMs) * 1000;
      const droppedPct = (r.dropped / (r.sent + r.dropped)) * 100;
      const held = achieved >= rate * 0.99 && droppedPct < 0.1 && r.errors === 0;
      console.log(
        `  ${rate} rps: achieved ${achieved.toFixed(0)}, dropped ${droppedPct.toFixed(3)}%, p99 ${(r.latencyUs.getValueAtPercentile(99) / 1000).toFixed(2)} ms, CPU ${cpuPerRequestUs.toFixed(1)} us/request${held ? '' : '  (not held)'}`,
      );
      steps.push({
        rate,
        achieved,
        droppedPct,
        p99Ms: r.latencyUs.getValueAtPercentile(99) / 1000,
        cpuPerRequestUs,
      });
      if (!held) break;
      best = { rate, cpuPerRequestUs };
    }
    await pool.close();

    const cpu0 = process.cpuUsage();
    const ac = await autocannon({ url, connections: 64, duration: seconds });
    const acCpuUs = (cpuSeconds(process.cpuUsage(cpu0)) / Math.max(1, ac.requests.total)) * 1e6;
    const acRps = ac.requests.total / seconds;
    console.log(
      `autocannon (64 connections, closed model): ${acRps.toFixed(0)} rps, CPU ${acCpuUs.toFixed(1)} us/request`,
    );
    console.log(
      `dfaas generator held ${best.rate} rps (target >= 10000) | CPU per request ${best.cpuPerRequestUs.toFixed(1)} us = ${(best.cpuPerRequestUs / acCpuUs).toFixed(2)}x autocannon's (target <= 1.2x)`,
    );
    return report(
      'load-generator',
      args,
      {
        'highest rate held (autocannon: closed model, 64 connections)': figure(
          best.rate,
          'rps',
          acRps,
          '>= 10000 rps',
        ),
        'CPU per request (autocannon as reference)': figure(
          best.cpuPerRequestUs,
          'us',
          acCpuUs,
          '<= 1.2x autocannon',
        ),
      },
      { steps },
    );
  } finally {
    server.kill('SIGKILL');
  }
}
