/**
 * The simulator's `rounds` engine at scale: wall and CPU time of runRounds with the node-margin
 * strategy and the built-in model (framework-analytic, the framework's thresholds) on
 * generateInstance({ nodes: N, edgeProb: 4/N, overloadedPercent: 60, seed, instants: T }), with
 * node-instants/s, the node-model calls the strategies made and their rate beside the reference:
 * the same model's predict in a bare loop, measured in the same run. Issue 16's target: 1,000 nodes
 * × 1,000 instants in under 60 s.
 *
 *   npm run perf -- sim-rounds [nodes] [instants] [budget-s] [seed]   (default 1000 1000 120 1)
 *
 * A pilot run of PILOT_INSTANTS instants (the same triangle of load, shorter) comes first; when its
 * time scaled to T instants exceeds the budget, the full run is skipped and its figures are the
 * pilot's, extrapolated linearly in the instants, which the output says. That is a lower bound: the
 * full run keeps every instant's forwarding tables, and its instants cost more (1,000 × 1,000 here:
 * about 1.15× the pilot's time per instant).
 */
import { runRounds } from '../src/sim/engines/rounds.js';
import { generateInstance } from '../src/sim/instances/generator.js';
import { NODE_TYPES } from '../src/sim/instances/instance.js';
import { frameworkAnalyticModel } from '../src/sim/model/analytic.js';
import { FRAMEWORK_THRESHOLDS, type NodeModel, zeroRates } from '../src/sim/model/node-model.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';

const PILOT_INSTANTS = 100;
/** The bare loop's bounds: this many calls, or this long. */
const BARE_CALLS = 20_000_000;
const BARE_MS = 3000;

/** What one timed run measured. */
interface Measured {
  instants: number;
  wallSeconds: number;
  cpuSeconds: number;
  modelCalls: number;
}

/**
 * The reference: calls/s of `model.predict` in a tight loop (rates varied so that nothing is hoisted
 * out of it), at most BARE_CALLS calls or BARE_MS.
 */
export function bareModelCallsPerSecond(model: NodeModel): number {
  const rates = zeroRates();
  let sink = 0;
  let calls = 0;
  const began = performance.now();
  while (calls < BARE_CALLS) {
    rates.HIGH_USAGE = calls % 90;
    rates.LOW_USAGE = calls % 570;
    rates.MEDIUM_USAGE = calls % 200;
    sink += model.predict(NODE_TYPES[calls % 3] as (typeof NODE_TYPES)[number], rates).cpu_usage_node ?? 0;
    calls++;
    if (calls % 65_536 === 0 && performance.now() - began > BARE_MS) break;
  }
  const seconds = (performance.now() - began) / 1000;
  // Using the sum keeps the calls from being optimised away.
  if (!Number.isFinite(sink)) throw new Error('the model predicted a non-finite cpu');
  return calls / seconds;
}

async function measure(nodes: number, instants: number, seed: number): Promise<Measured> {
  const instance = generateInstance({ nodes, edgeProb: 4 / nodes, overloadedPercent: 60, seed, instants });
  const began = performance.now();
  const cpu = process.cpuUsage();
  const run = await runRounds(instance, {
    strategy: 'node-margin',
    model: frameworkAnalyticModel,
    thresholds: FRAMEWORK_THRESHOLDS,
  });
  const used = process.cpuUsage(cpu);
  return {
    instants,
    wallSeconds: (performance.now() - began) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    modelCalls: run.modelCalls,
  };
}

function describe(m: Measured, nodes: number): string {
  return `${nodes} nodes × ${m.instants} instants: ${m.wallSeconds.toFixed(1)} s wall, ${m.cpuSeconds.toFixed(1)} s CPU, ${m.modelCalls} model calls`;
}

export async function run(args: string[]): Promise<PerfReport> {
  const nodes = Math.max(2, Math.round(Number(args[0] ?? 1000)));
  const instants = Math.max(1, Math.round(Number(args[1] ?? 1000)));
  const budgetSeconds = Number(args[2] ?? 120);
  const seed = Math.round(Number(args[3] ?? 1));

  bareModelCallsPerSecond(frameworkAnalyticModel); // warm-up
  const bare = bareModelCallsPerSecond(frameworkAnalyticModel);
  console.log(`reference: framework-analytic predict in a bare loop, ${(bare / 1e6).toFixed(1)} M calls/s`);

  const pilot = await measure(nodes, Math.min(instants, PILOT_INSTANTS), seed);
  console.log(`pilot: ${describe(pilot, nodes)}`);
  const scale = instants / pilot.instants;
  const projected = pilot.wallSeconds * scale;
  let m: Measured;
  let extrapolated = false;
  if (pilot.instants === instants) m = pilot;
  else if (projected > budgetSeconds) {
    extrapolated = true;
    m = {
      instants,
      wallSeconds: projected,
      cpuSeconds: pilot.cpuSeconds * scale,
      modelCalls: Math.round(pilot.modelCalls * scale),
    };
    console.log(
      `EXTRAPOLATED: the full run would take about ${projected.toFixed(1)} s, over the ${budgetSeconds} s budget; figures below are the pilot's × ${scale.toFixed(1)}, a lower bound`,
    );
  } else {
    m = await measure(nodes, instants, seed);
    console.log(`full run: ${describe(m, nodes)}`);
  }

  const callsPerSecond = m.modelCalls / m.wallSeconds;
  const nodeInstantsPerSecond = (nodes * instants) / m.wallSeconds;
  // The reference time: the model calls alone, at the bare loop's rate.
  const modelSeconds = m.modelCalls / bare;
  const size = `${nodes}×${instants}${extrapolated ? ', extrapolated' : ''}`;
  const figures: Record<string, Figure> = {
    [`wall time (${size})`]: figure(
      m.wallSeconds,
      's',
      modelSeconds,
      nodes === 1000 && instants === 1000 ? '< 60 s' : undefined,
    ),
    [`CPU time (${size})`]: figure(m.cpuSeconds, 's', modelSeconds),
    [`node-instants/s (${size})`]: figure(nodeInstantsPerSecond, 'node-instants/s'),
    [`model calls (${size})`]: figure(m.modelCalls, 'calls'),
    [`model calls/s (${size})`]: figure(callsPerSecond, 'calls/s', bare),
  };
  console.log(
    `rounds, node-margin, ${size}: ${m.wallSeconds.toFixed(1)} s wall (target < 60 s at 1000×1000), ${m.cpuSeconds.toFixed(1)} s CPU; ${nodeInstantsPerSecond.toFixed(0)} node-instants/s; ${m.modelCalls} model calls, ${(callsPerSecond / 1e6).toFixed(2)} M/s = ${((100 * callsPerSecond) / bare).toFixed(1)} % of the bare loop's ${(bare / 1e6).toFixed(1)} M/s (the model alone would take ${modelSeconds.toFixed(1)} s)`,
  );
  return report('sim-rounds', args, figures, { nodes, instants, seed, extrapolated, pilot, measured: m });
}
