import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaseline } from '../../src/workflow/autoscale/agents/index.js';
import { rewardSchema } from '../../src/workflow/autoscale/config.js';
import { AutoscalingEnv } from '../../src/workflow/autoscale/env.js';
import { runEpisode } from '../../src/workflow/autoscale/episode.js';
import { LiveBackend } from '../../src/workflow/autoscale/live.js';
import { type FarmEngines, openFarmEngines } from '../../src/workflow/engines.js';
import { defaultWorkload } from '../../src/workflow/workload/phases.js';

/**
 * The autoscaling environment over the live farm (real role processes on the embedded platform,
 * the embedded queue), at 8× speed from 3 workers: a fixed pool of 5 grows the farm one worker a
 * step (deploy, invoke, START), a pool of 1 shrinks it one a step (SYN, the worker finishes its
 * task, ACK, removal), and the observation reads the live queues.
 */
let engines: FarmEngines;
let backend: LiveBackend;
beforeAll(async () => {
  engines = await openFarmEngines({ queue: 'embedded', maxWorkers: 8 });
  backend = new LiveBackend({ engines, timeScale: 8, work: 'sleep', leaseMs: 5_000 });
});
afterAll(async () => {
  await backend.close();
  await engines.close();
});

function env(): AutoscalingEnv {
  return new AutoscalingEnv(backend, {
    workload: { ...defaultWorkload(5), maxTasks: 60 },
    environment: { maxSteps: 3, initialWorkers: 3 },
    reward: rewardSchema.parse({}),
  });
}

describe('the environment on the live farm', () => {
  it('scales up one worker a step and observes the live queues', async () => {
    const result = await runEpisode(env(), createBaseline('static-5'), { seed: 5 });
    expect(result.timeline.map((s) => s.workers)).toEqual([4, 5, 5]);
    expect(result.timeline.map((s) => s.applied_delta)).toEqual([1, 1, 0]);
    expect(result.metrics.tasks_collected).toBeGreaterThan(0);
    expect(result.metrics.missing_acks).toBe(0);
  }, 90_000);

  it('scales down gracefully, one acknowledged worker a step', async () => {
    const result = await runEpisode(env(), createBaseline('static-1'), { seed: 6 });
    expect(result.timeline.map((s) => s.workers)).toEqual([2, 1, 1]);
    expect(result.timeline.map((s) => s.applied_delta)).toEqual([-1, -1, 0]);
    expect(result.metrics.missing_acks).toBe(0);
  }, 90_000);
});
