import { describe, expect, it } from 'vitest';
import type { EpisodeSpec, FarmSnapshot } from '../../../src/workflow/autoscale/contract.js';
import { AutoscalingEnv } from '../../../src/workflow/autoscale/env.js';
import { SIM_PRESETS, SimulatedFarm, type SimulatedFarmInput } from '../../../src/workflow/autoscale/sim.js';
import { DEFAULT_CALIBRATED_MODEL } from '../../../src/workflow/workload/calibration.js';
import type { WorkloadOptions } from '../../../src/workflow/workload/contract.js';
import { defaultWorkload } from '../../../src/workflow/workload/phases.js';
import { workloadSchedule, workloadTimeline } from '../../../src/workflow/workload/schedule.js';

/** 10 tasks within about a second: enough to keep a few workers busy. */
const burst: WorkloadOptions = {
  mode: 'faithful',
  baseRate: 600,
  phases: [{ name: 'burst', pattern: 'steady', multiplier: 1, duration: 1 }],
  windowDuration: 1,
  model: DEFAULT_CALIBRATED_MODEL,
  seed: 0,
};

function spec(
  seed: number,
  initialWorkers: number,
  workload: WorkloadOptions = defaultWorkload(0),
): EpisodeSpec {
  return { seed, initialWorkers, workload };
}

async function started(options: SimulatedFarmInput, s: EpisodeSpec): Promise<SimulatedFarm> {
  const farm = new SimulatedFarm(options);
  await farm.reset(s);
  return farm;
}

function finalQos(snapshot: FarmSnapshot): number {
  return snapshot.collected.filter((t) => t.qos).length / snapshot.collected.length;
}

/** The burst's first two tasks, both started at once by two idle workers, and when each ends. */
function firstTwo(seed: number) {
  const [a, b] = workloadSchedule({ ...burst, seed });
  if (!a || !b) throw new Error('the burst has fewer than 2 tasks');
  const firstEnd = Math.min(a.at + a.processingTime, b.at + b.processingTime);
  return { secondAt: b.at, firstEnd };
}

describe('SimulatedFarm', () => {
  it('starts like the reference: phase 1 popped, the initial workers, nothing collected', async () => {
    const farm = new SimulatedFarm();
    const first = await farm.reset(spec(42, 12));
    expect(first).toMatchObject({
      now: 0,
      inputQueue: 3,
      resultQueue: 0,
      outputQueue: 0,
      workers: 12,
      expectedTasks: 1140,
    });
    expect(farm.kind).toBe('sim');
  });

  it('is deterministic for a seed', async () => {
    const script = async (seed: number) => {
      const farm = await started({}, spec(seed, 12));
      const seen: FarmSnapshot[] = [];
      seen.push({ ...(await farm.advance(8)) });
      await farm.scale(3);
      seen.push({ ...(await farm.advance(5)) });
      await farm.scale(-2);
      const last = await farm.advance(60);
      seen.push({ ...last, collected: [...last.collected] });
      return { seen: seen.map((x) => ({ ...x, collected: x.collected.length })), collected: last.collected };
    };
    const a = await script(7);
    expect(await script(7)).toEqual(a);
    expect((await script(8)).collected).not.toEqual(a.collected);
  });

  it("plays the episode's seed, whatever seed the workload carries", async () => {
    const a = await (await started({}, spec(7, 12, defaultWorkload(999)))).advance(60);
    const b = await (await started({}, spec(7, 12, defaultWorkload(7)))).advance(60);
    expect(a.collected).toEqual(b.collected);
  });

  it('counts the phases not yet started in input_q', async () => {
    const { phases } = workloadTimeline(defaultWorkload(3));
    const farm = await started({}, spec(3, 12));
    for (let i = 1; i < phases.length; i++) {
      const start = phases[i]?.start ?? 0;
      const now = (await farm.advance(0)).now;
      expect((await farm.advance(start - 1e-6 - now)).inputQueue).toBe(4 - i);
      expect((await farm.advance(2e-6)).inputQueue).toBe(3 - i);
    }
    expect((await farm.advance(0)).inputQueue).toBe(0);
  });

  it('collects every task exactly once, in time order, when capacity suffices', async () => {
    const farm = await started({}, spec(11, 32));
    const end = await farm.advance(400);
    expect(end).toMatchObject({
      inputQueue: 0,
      workerQueue: 0,
      resultQueue: 0,
      outputQueue: 1140,
      enqueuedTotal: 1140,
    });
    expect(new Set(end.collected.map((t) => t.taskId)).size).toBe(1140);
    const times = end.collected.map((t) => t.collectedAt);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('gives poor QoS with 1 worker and near-perfect QoS with 32 on the faithful workload', async () => {
    const one = await (await started({}, spec(42, 1))).advance(240);
    const many = await (await started({}, spec(42, 32))).advance(240);
    expect(finalQos(one)).toBeLessThan(0.05);
    expect(one.workerQueue).toBeGreaterThan(500);
    expect(finalQos(many)).toBeGreaterThan(0.99);
  });

  it('times a task as pickup + processing · factor + overhead + collection', async () => {
    const [task] = workloadSchedule({ ...burst, seed: 5 });
    if (!task) throw new Error('the burst is empty');
    const farm = await started(
      { pickupSeconds: 0.1, serviceFactor: 2, serviceOverheadSeconds: 0.3, collectSeconds: 0.01 },
      spec(5, 12, burst),
    );
    expect((await farm.advance(0)).workerQueue).toBe(1); // taken, not yet started
    const end = await farm.advance(30);
    const first = end.collected.find((t) => t.taskId === 'task-0');
    expect(first?.completionTime).toBeCloseTo(0.1 + 2 * task.processingTime + 0.3 + 0.01, 10);
  });

  it('brings added workers in at the end of the scale-up, while counting them from its start', async () => {
    // One worker, and a scale-up longer than the whole burst: the farm runs as with one worker.
    const alone = await (await started({}, spec(2, 1, burst))).advance(100);
    const farm = await started({ scaleUpSeconds: 100 }, spec(2, 1, burst));
    expect(await farm.scale(1)).toEqual({ applied: 1, seconds: 100 });
    const scaled = await farm.advance(0);
    expect(scaled.collected).toEqual(alone.collected);
    expect(scaled.workers).toBe(2);
    expect(farm.workerSeconds).toBeCloseTo(200, 10);
  });

  it('scale-down never interrupts a task: a busy worker ACKs when its task is done', async () => {
    const { secondAt, firstEnd } = firstTwo(4);
    const farm = await started({ scaleDownRemoveSeconds: 0.1 }, spec(4, 2, burst));
    await farm.advance(secondAt);
    expect(secondAt).toBeLessThan(firstEnd); // both workers busy
    const outcome = await farm.scale(-1);
    expect(outcome.applied).toBe(-1);
    expect(outcome.seconds).toBeCloseTo(firstEnd - secondAt + 0.1, 10);
    const after = await farm.advance(0);
    expect(after.workers).toBe(1);
    // The worker that left finished its task first: its result was collected 2 ms later.
    expect(after.collected[0]?.collectedAt).toBeCloseTo(firstEnd + 0.002, 10);
    const end = await farm.advance(100);
    expect(new Set(end.collected.map((t) => t.taskId)).size).toBe(10);
    // No task was cut short: each took at least its whole processing time.
    const schedule = workloadSchedule({ ...burst, seed: 4 });
    for (const t of end.collected) {
      const task = schedule[Number(t.taskId.slice('task-'.length))];
      expect(t.completionTime).toBeGreaterThanOrEqual(task?.processingTime ?? Number.POSITIVE_INFINITY);
    }
  });

  it('an idle worker ACKs at once; the rest wait for busy ones', async () => {
    const { secondAt, firstEnd } = firstTwo(4);
    const farm = await started({ scaleDownRemoveSeconds: 0.1 }, spec(4, 3, burst));
    await farm.advance(secondAt);
    expect(await farm.scale(-1)).toEqual({ applied: -1, seconds: 0.1 });
    const farm2 = await started({ scaleDownRemoveSeconds: 0.1 }, spec(4, 3, burst));
    await farm2.advance(secondAt);
    const two = await farm2.scale(-2);
    expect(two.applied).toBe(-2);
    expect(two.seconds).toBeCloseTo(firstEnd - secondAt + 0.2, 10);
  });

  it('reports missing ACKs when the ACK timeout is shorter than the task, and keeps those workers', async () => {
    const { secondAt, firstEnd } = firstTwo(4);
    const farm = await started({ ackTimeoutSeconds: 0.01, scaleDownRemoveSeconds: 0.1 }, spec(4, 2, burst));
    await farm.advance(secondAt);
    expect(firstEnd - secondAt).toBeGreaterThan(0.01);
    expect(await farm.scale(-1)).toEqual({ applied: 0, seconds: 0.01, missingAcks: 1 });
    const end = await farm.advance(100);
    expect(end.workers).toBe(2);
    expect(end.outputQueue).toBe(10);
    // The withdrawn SYN made no worker leave: two can still be removed one at a time, at once.
    expect(await farm.scale(-1)).toEqual({ applied: -1, seconds: 0.1 });
  });

  it('integrates workers over time for a scripted scale sequence', async () => {
    const farm = await started({ scaleUpSeconds: 0.5, scaleDownRemoveSeconds: 0.1 }, spec(7, 12));
    await farm.advance(8);
    expect(await farm.scale(2)).toEqual({ applied: 2, seconds: 1 });
    await farm.advance(7);
    expect(await farm.scale(-1)).toEqual({ applied: -1, seconds: 0.1 });
    const end = await farm.advance(7.9);
    expect(end.now).toBeCloseTo(24, 10);
    expect(farm.workerSeconds).toBeCloseTo(12 * 8 + 14 * 1 + 14 * 7 + 14 * 0.1 + 13 * 7.9, 9);
  });

  it('offers the reference scaling costs as a preset', async () => {
    const farm = await started(SIM_PRESETS.reference, spec(7, 12));
    expect((await farm.scale(1)).seconds).toBeCloseTo(6.46, 10);
    expect((await farm.scale(-1)).seconds).toBeCloseTo(2.58, 10);
  });

  it('refuses what the environment never asks', async () => {
    const farm = new SimulatedFarm();
    await expect(farm.advance(1)).rejects.toThrow(/reset/);
    await farm.reset(spec(1, 2));
    await expect(farm.scale(-2)).rejects.toThrow(RangeError);
    await expect(farm.advance(-1)).rejects.toThrow(RangeError);
    expect(() => new SimulatedFarm({ serviceFactor: 0 })).toThrow(/serviceFactor/);
  });

  it('runs a 240 s episode much faster than real time (printed, not asserted)', async () => {
    const env = new AutoscalingEnv(new SimulatedFarm(), { workload: defaultWorkload(0) });
    const started = performance.now();
    await env.reset(42);
    let done = false;
    while (!done) done = (await env.step(1)).done;
    const ms = performance.now() - started;
    console.log(`simulated ${env.snapshot.now.toFixed(0)} s of farm in ${ms.toFixed(1)} ms`);
    expect(env.snapshot.now).toBeGreaterThan(200);
  });
});
