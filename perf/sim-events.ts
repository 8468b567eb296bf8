/**
 * The simulator's `events` engine at scale: wall and CPU time of runEvents on 100 nodes
 * (generateInstance with edge probability 0.1, the framework's default, 60 % overloaded, seed 7),
 * every function's rate scaled (and rounded: rates are integers) so that the users offer about
 * 1,000 requests/s in total, for one simulated hour (60 instants of 60 s), with the recalc and
 * node-margin strategies, each at the live agent's default period (5 s) and at 1 s. Figures: the
 * wall time (issue 16's target: under 60 s), simulated time over wall time (the reference: real
 * time, 1×), requests simulated per second of wall time, and the strategies' node-model calls/s
 * beside the same model's predict in a bare loop, measured in the same run.
 *
 *   npm run perf -- sim-events [nodes] [total-rps] [minutes] [budget-s]   (default 100 1000 60 300)
 *
 * A run is not interrupted; the next one starts only while the budget lasts (those skipped are listed).
 */
import type { StrategyName } from '../src/offload/strategies/index.js';
import { runEvents } from '../src/sim/engines/events/engine.js';
import { generateInstance } from '../src/sim/instances/generator.js';
import type { SimInstance } from '../src/sim/instances/instance.js';
import { frameworkAnalyticModel } from '../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS } from '../src/sim/model/node-model.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';
import { bareModelCallsPerSecond } from './sim-rounds.js';

const INSTANT_SECONDS = 60;
const EDGE_PROB = 0.1;
const SEED = 7;
const RUNS: { strategy: StrategyName; periodMs: number }[] = [
  { strategy: 'recalc', periodMs: 5000 },
  { strategy: 'recalc', periodMs: 1000 },
  { strategy: 'node-margin', periodMs: 5000 },
  { strategy: 'node-margin', periodMs: 1000 },
];

/** Requests/s the users of all nodes offer, averaged over the instants. */
function meanTotalRate(instance: SimInstance): number {
  let total = 0;
  let instants = 0;
  for (const node of instance.nodes) {
    instants = Math.max(instants, node.load.length);
    for (const load of node.load) for (const group of Object.values(load)) total += group?.totalRate ?? 0;
  }
  return instants === 0 ? 0 : total / instants;
}

/** The instance with every function's rate × `factor`, rounded, and the groups' totals summed again. */
function scaled(instance: SimInstance, factor: number): SimInstance {
  return {
    ...instance,
    nodes: instance.nodes.map((node) => ({
      ...node,
      load: node.load.map((load) =>
        Object.fromEntries(
          Object.entries(load).map(([group, g]) => {
            const functions = (g?.functions ?? []).map((f) => ({ ...f, rate: Math.round(f.rate * factor) }));
            return [group, { functions, totalRate: functions.reduce((sum, f) => sum + f.rate, 0) }];
          }),
        ),
      ),
    })),
  };
}

export async function run(args: string[]): Promise<PerfReport> {
  const nodes = Math.max(2, Math.round(Number(args[0] ?? 100)));
  const targetRps = Number(args[1] ?? 1000);
  const minutes = Math.max(1, Math.round(Number(args[2] ?? 60)));
  const budgetMs = Number(args[3] ?? 300) * 1000;

  const generated = generateInstance({
    nodes,
    edgeProb: EDGE_PROB,
    overloadedPercent: 60,
    seed: SEED,
    instants: minutes,
  });
  const instance = scaled(generated, targetRps / meanTotalRate(generated));
  const offeredRps = meanTotalRate(instance);
  const simulatedSeconds = minutes * INSTANT_SECONDS;
  console.log(
    `${nodes} nodes (edge probability ${EDGE_PROB}), ${offeredRps.toFixed(0)} req/s offered in total on average (scaled from ${meanTotalRate(generated).toFixed(0)}), ${simulatedSeconds} s simulated`,
  );
  bareModelCallsPerSecond(frameworkAnalyticModel); // warm-up
  const bare = bareModelCallsPerSecond(frameworkAnalyticModel);
  console.log(`reference: framework-analytic predict in a bare loop, ${(bare / 1e6).toFixed(1)} M calls/s`);

  const figures: Record<string, Figure> = {};
  const skipped: string[] = [];
  const began = performance.now();
  for (const { strategy, periodMs } of RUNS) {
    const name = `${strategy}, period ${periodMs / 1000} s`;
    if (performance.now() - began > budgetMs) {
      skipped.push(name);
      continue;
    }
    const start = performance.now();
    const cpu = process.cpuUsage();
    const result = await runEvents(
      instance,
      { strategy, periodMs, instantSeconds: INSTANT_SECONDS },
      frameworkAnalyticModel,
      FRAMEWORK_THRESHOLDS,
    );
    const used = process.cpuUsage(cpu);
    const wallSeconds = (performance.now() - start) / 1000;
    const cpuSeconds = (used.user + used.system) / 1e6;
    const speedUp = simulatedSeconds / wallSeconds;
    const requestsPerSecond = result.totals.offered / wallSeconds;
    const callsPerSecond = result.agent.modelCalls / wallSeconds;
    figures[`wall time (${name})`] = figure(wallSeconds, 's', undefined, '< 60 s');
    figures[`CPU time (${name})`] = figure(cpuSeconds, 's');
    figures[`simulated/wall (${name})`] = figure(speedUp, '×', 1);
    figures[`requests/s of wall time (${name})`] = figure(requestsPerSecond, 'req/s');
    if (result.agent.modelCalls > 0)
      figures[`model calls/s (${name})`] = figure(callsPerSecond, 'calls/s', bare);
    console.log(
      `${name}: ${wallSeconds.toFixed(1)} s wall (target < 60 s), ${cpuSeconds.toFixed(1)} s CPU; ${speedUp.toFixed(0)}× real time; ${result.totals.offered} requests, ${(requestsPerSecond / 1000).toFixed(0)} k/s of wall time; ${result.events} events; ${result.agent.runs} agent runs, ${result.agent.modelCalls} model calls${result.agent.modelCalls > 0 ? ` (${(callsPerSecond / 1e6).toFixed(2)} M/s, ${((100 * callsPerSecond) / bare).toFixed(1)} % of the bare loop)` : ''}; success ${(100 * result.successRate).toFixed(1)} %, forwarded ${(100 * result.forwardedShare).toFixed(1)} %`,
    );
  }
  if (skipped.length > 0)
    console.log(`not run, the ${budgetMs / 1000} s budget being spent: ${skipped.join('; ')}`);
  return report('sim-events', args, figures, {
    nodes,
    edgeProb: EDGE_PROB,
    seed: SEED,
    offeredRps,
    simulatedSeconds,
    skipped,
  });
}
