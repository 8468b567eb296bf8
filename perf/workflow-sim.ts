/**
 * The simulated farm's speed: environment steps per second of wall time with a policy that scales
 * (reactive-maximum, which acts on most steps) and with none (static), and how many times faster
 * than real time that is (a live step lasts 8 s of the farm's time). The target: ≥ 1000×.
 *
 *   npm run perf -- workflow-sim [episodes] (default 50; bounded by a 120 s budget)
 */

import type { BaselineName } from '../src/workflow/autoscale/agents/baselines.js';
import { createBaseline } from '../src/workflow/autoscale/agents/index.js';
import { AutoscalingEnv } from '../src/workflow/autoscale/env.js';
import { runEpisode } from '../src/workflow/autoscale/episode.js';
import { SimulatedFarm } from '../src/workflow/autoscale/sim.js';
import { defaultWorkload } from '../src/workflow/workload/phases.js';
import { type Figure, figure, type PerfReport, report } from './lib/report.js';

const BUDGET_MS = 120_000;

async function measure(policyName: BaselineName, episodes: number) {
  const env = new AutoscalingEnv(new SimulatedFarm(), { workload: defaultWorkload(42) });
  const policy = createBaseline(policyName);
  let steps = 0;
  let farmSeconds = 0;
  const began = performance.now();
  for (let e = 0; e < episodes && performance.now() - began < BUDGET_MS / 2; e += 1) {
    const result = await runEpisode(env, policy, { seed: 42 + e });
    steps += result.timeline.length;
    farmSeconds += result.timeline.at(-1)?.time ?? 0;
  }
  const wallSeconds = (performance.now() - began) / 1000;
  return { steps, farmSeconds, wallSeconds };
}

export async function run(args: string[]): Promise<PerfReport> {
  const episodes = Number(args[0] ?? 50);
  const figures: Record<string, Figure> = {};
  for (const policy of ['static', 'reactive-maximum'] as const) {
    await measure(policy, 3); // warm-up
    const m = await measure(policy, episodes);
    const stepsPerSecond = m.steps / m.wallSeconds;
    const speedUp = m.farmSeconds / m.wallSeconds;
    figures[`steps/s (${policy})`] = figure(stepsPerSecond, 'steps/s', 1 / 8);
    figures[`speed-up over real time (${policy})`] = figure(speedUp, '×', 1, '≥ 1000×');
    console.log(
      `${policy}: ${m.steps} steps in ${m.wallSeconds.toFixed(2)} s = ${stepsPerSecond.toFixed(0)} steps/s (a live farm: 0.125 steps/s); ${m.farmSeconds.toFixed(0)} s of farm time: ${speedUp.toFixed(0)}× real time (target ≥ 1000×)`,
    );
  }
  return report('workflow-sim', args, figures);
}
