import { describe, expect, it } from 'vitest';
import type {
  Action,
  AgentModel,
  LearningAgent,
  Observation,
  Policy,
  PolicyContext,
  Transition,
} from '../../../src/workflow/autoscale/contract.js';
import { AutoscalingEnv } from '../../../src/workflow/autoscale/env.js';
import {
  type EpisodeMetrics,
  type EpisodeResult,
  runEpisode,
  summarise,
} from '../../../src/workflow/autoscale/episode.js';
import { SimulatedFarm } from '../../../src/workflow/autoscale/sim.js';
import { defaultWorkload } from '../../../src/workflow/workload/phases.js';
import { collect, ScriptedFarm } from './scripted-farm.js';

const workload = defaultWorkload(0);

/** Plays its actions in order, then no-ops; remembers what it was shown. */
class Scripted implements Policy {
  readonly name = 'scripted';
  readonly seen: { observation: Observation; context: PolicyContext }[] = [];
  constructor(private readonly actions: Action[]) {}
  act(observation: Observation, context: PolicyContext): Action {
    this.seen.push({ observation, context });
    return this.actions[this.seen.length - 1] ?? 1;
  }
}

class Learner extends Scripted implements LearningAgent {
  readonly log: string[] = [];
  readonly learned: { transition: Transition; next: Action }[] = [];
  override act(observation: Observation, context: PolicyContext): Action {
    this.log.push('act');
    return super.act(observation, context);
  }
  beginEpisode(): void {
    this.log.push('begin');
  }
  learn(transition: Transition, next: Action): void {
    this.log.push('learn');
    this.learned.push({ transition, next });
  }
  endEpisode(): void {
    this.log.push('end');
  }
  toModel(): AgentModel {
    throw new Error('not needed');
  }
}

/** A farm collecting 2 tasks a step, one of them late on step 3; 100 expected, so max steps ends it. */
function scriptedEnv(maxSteps: number): AutoscalingEnv {
  const farm = new ScriptedFarm(100, (state, step) => {
    state.enqueuedTotal += 2;
    collect(state, 2, step === 3 ? 1 : 2);
  });
  return new AutoscalingEnv(farm, { workload, environment: { maxSteps } });
}

describe('runEpisode', () => {
  it("computes the reference's per-episode metrics for a scripted policy", async () => {
    const policy = new Scripted([2, 2, 1, 0, 1]);
    const steps: number[] = [];
    const result = await runEpisode(scriptedEnv(5), policy, { seed: 9, onStep: (r) => steps.push(r.step) });
    expect(steps).toEqual([1, 2, 3, 4, 5]);
    expect(result.timeline.map((r) => r.workers)).toEqual([13, 14, 14, 13, 13]);
    expect(result.timeline.map((r) => r.applied_delta)).toEqual([1, 1, 0, -1, 0]);
    expect(result.timeline.map((r) => r.time)).toEqual([8, 16, 24, 32, 40]);
    expect(result.timeline.map((r) => r.qos_rate)).toEqual([1, 1, 0.5, 1, 1]);
    const m = result.metrics;
    expect(m).toMatchObject({
      final_qos_total: 0.9,
      mean_workers: 13.4,
      max_workers: 14,
      scaling_actions: 3,
      noop_actions: 2,
      tasks_collected: 10,
      tasks_expected: 100,
      steps: 5,
      missing_acks: 0,
    });
    expect(m.mean_qos).toBeCloseTo(0.9, 12);
    // The scripted farm keeps no meter: Σ workers · step duration.
    expect(m.worker_seconds).toBeCloseTo(8 * (13 + 14 + 14 + 13 + 13), 10);
    expect(m.total_reward).toBeCloseTo(
      result.timeline.reduce((sum, r) => sum + r.reward, 0),
      10,
    );
    expect(result).toMatchObject({ policy: 'scripted', seed: 9 });
    // Evaluation: greedy, and no action asked for after the last step.
    expect(policy.seen).toHaveLength(5);
    expect(policy.seen.every((s) => s.context.explore === false)).toBe(true);
    expect(policy.seen.map((s) => s.context.enqueuedTotal)).toEqual([0, 2, 4, 6, 8]);
  });

  it('counts requested scalings even when the bounds clip them', async () => {
    const farm = new ScriptedFarm(100, (state) => collect(state, 1));
    const env = new AutoscalingEnv(farm, { workload, environment: { maxSteps: 3, maxWorkers: 12 } });
    const result = await runEpisode(env, new Scripted([2, 2, 1]), { seed: 1 });
    expect(result.metrics).toMatchObject({ scaling_actions: 2, noop_actions: 1, max_workers: 12 });
  });

  it('trains a learning agent on-policy: a′ chosen on s′ before learning, then taken', async () => {
    const agent = new Learner([2, 0, 1, 2]);
    const result = await runEpisode(scriptedEnv(3), agent, { seed: 1, learn: true });
    expect(agent.log).toEqual(['begin', 'act', 'act', 'learn', 'act', 'learn', 'act', 'learn', 'end']);
    expect(agent.seen.every((s) => s.context.explore)).toBe(true);
    expect(result.timeline.map((r) => r.action)).toEqual([2, 0, 1]);
    const [first, second, third] = agent.learned;
    expect(first?.transition.action).toBe(2);
    expect(first?.next).toBe(0);
    expect(second?.transition.action).toBe(0);
    expect(second?.transition.observation).toEqual(first?.transition.next);
    expect(third?.transition.done).toBe(true);
    expect(third?.next).toBe(2); // chosen on the last s′ too, as the reference does
    expect(agent.learned.map((l) => l.transition.reward)).toEqual(result.timeline.map((r) => r.reward));
  });

  it('only evaluates a learning agent without learn (it is told the episode begins, nothing more)', async () => {
    const agent = new Learner([]);
    await runEpisode(scriptedEnv(2), agent, { seed: 1 });
    expect(agent.log).toEqual(['begin', 'act', 'act']);
  });

  it('takes worker-seconds from a back-end that meters them', async () => {
    const env = new AutoscalingEnv(new SimulatedFarm(), { workload });
    const result = await runEpisode(env, new Scripted([]), { seed: 42 });
    expect(result.metrics.worker_seconds).toBeCloseTo(12 * env.snapshot.now, 9);
    expect(result.metrics.tasks_collected).toBe(1140);
    expect(result.metrics.steps).toBeLessThan(30); // every task out before max steps
  });
});

describe('summarise', () => {
  const metrics = (x: number): EpisodeMetrics => ({
    final_qos_total: x,
    mean_qos: x,
    mean_workers: 10 * x,
    max_workers: 10 * x,
    scaling_actions: x,
    noop_actions: x,
    total_reward: -x,
    worker_seconds: x,
    tasks_collected: x,
    tasks_expected: 1140,
    steps: x,
    missing_acks: 0,
  });
  const episode = (x: number): EpisodeResult => ({ policy: 'p', seed: x, metrics: metrics(x), timeline: [] });

  it('gives the mean and the population std (ddof 0) of each metric', () => {
    const summary = summarise([episode(1), episode(3)]);
    expect(summary.final_qos_total).toEqual({ mean: 2, std: 1 });
    expect(summary.mean_workers).toEqual({ mean: 20, std: 10 });
    expect(summary.total_reward).toEqual({ mean: -2, std: 1 });
    expect(summary.tasks_expected).toEqual({ mean: 1140, std: 0 });
    expect(Object.keys(summary)).toHaveLength(12);
  });

  it('refuses no episodes', () => {
    expect(() => summarise([])).toThrow(RangeError);
  });
});
