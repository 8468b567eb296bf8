import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { deadlineFor, processingTimeFor } from '../../../src/workflow/workload/calibration.js';
import type { ScheduledTask, WorkloadMode } from '../../../src/workflow/workload/contract.js';
import { defaultWorkload } from '../../../src/workflow/workload/phases.js';
import { phaseOf, workloadSchedule, workloadTimeline } from '../../../src/workflow/workload/schedule.js';

const MODES: WorkloadMode[] = ['faithful', 'intended'];
const SEEDS = Array.from({ length: 20 }, (_, i) => 42 + i);

function countByPhase(tasks: ScheduledTask[]): number[] {
  return [1, 2, 3, 4].map((phase) => tasks.filter((t) => t.phase === phase).length);
}

/** (first − second) / all, for the tasks of phase 3 (one slow cycle) split at its middle. */
function slowPhaseImbalance(mode: WorkloadMode, seed: number): number {
  const timeline = workloadTimeline(defaultWorkload(seed, mode));
  const span = timeline.phases[2];
  if (!span) throw new Error('no phase 3');
  const middle = (span.start + span.end) / 2;
  const tasks = timeline.tasks.filter((t) => t.phase === 3);
  const first = tasks.filter((t) => t.at < middle).length;
  return (2 * first - tasks.length) / tasks.length;
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

describe.each(MODES)('workloadSchedule, %s', (mode) => {
  it.each([1, 42, 1000])('hits 90/450/300/300 tasks (1140) for seed %s', (seed) => {
    const tasks = workloadSchedule(defaultWorkload(seed, mode));
    expect(countByPhase(tasks)).toEqual([90, 450, 300, 300]);
    expect(tasks).toHaveLength(1140);
  });

  it('is the same for the same seed and differs for another', () => {
    const once = workloadSchedule(defaultWorkload(5, mode));
    expect(workloadSchedule(defaultWorkload(5, mode))).toEqual(once);
    const other = workloadSchedule(defaultWorkload(6, mode));
    expect(other.map((t) => t.at)).not.toEqual(once.map((t) => t.at));
    expect(other.map((t) => t.size)).not.toEqual(once.map((t) => t.size));
  });

  it('generates in time order, phase after phase, inside each phase span', () => {
    const { tasks, phases } = workloadTimeline(defaultWorkload(8, mode));
    expect(tasks[0]?.at).toBeGreaterThanOrEqual(0);
    for (let i = 1; i < tasks.length; i++) {
      const [before, after] = [tasks[i - 1] as ScheduledTask, tasks[i] as ScheduledTask];
      expect(after.at).toBeGreaterThanOrEqual(before.at);
      expect(after.phase).toBeGreaterThanOrEqual(before.phase);
    }
    expect(phases[0]?.start).toBe(0);
    for (let i = 1; i < phases.length; i++) expect(phases[i]?.start).toBe(phases[i - 1]?.end);
    for (const task of tasks) {
      const span = phases[task.phase - 1];
      expect(task.at).toBeGreaterThanOrEqual(span?.start ?? Number.NaN);
      expect(task.at).toBeLessThanOrEqual(span?.end ?? Number.NaN);
      expect(phaseOf(phases, task.at)).toBe(task.phase);
    }
  });

  it('gives each task a model size, time and deadline', () => {
    const { model } = defaultWorkload(1, mode);
    for (const task of workloadSchedule(defaultWorkload(9, mode))) {
      expect(task.processingTime).toBe(processingTimeFor(task.size, model));
      expect(task.deadline).toBe(deadlineFor(task.processingTime));
    }
  });

  it('plays only the first maxTasks tasks of the same plan', () => {
    const all = workloadSchedule(defaultWorkload(10, mode));
    expect(workloadSchedule({ ...defaultWorkload(10, mode), maxTasks: 100 })).toEqual(all.slice(0, 100));
    expect(workloadSchedule({ ...defaultWorkload(10, mode), maxTasks: 0 })).toEqual([]);
  });
});

describe('faithful mode', () => {
  it('skips empty windows, so phase 1 (1.5 tasks/s) lasts about 60·(1 − e^−1.5) ≈ 47 s', () => {
    const lengths = SEEDS.map((seed) => {
      const span = workloadTimeline(defaultWorkload(seed, 'faithful')).phases[0];
      return (span?.end ?? 0) - (span?.start ?? 0);
    });
    expect(mean(lengths)).toBeGreaterThan(44);
    expect(mean(lengths)).toBeLessThan(49.5);
  });

  it('starts a window with a task: phase 2 begins with one (its first window is seldom empty)', () => {
    const { tasks, phases } = workloadTimeline(defaultWorkload(42, 'faithful'));
    expect(tasks.find((t) => t.phase === 2)?.at).toBe(phases[1]?.start);
  });

  it('does not oscillate: the slow phase is as busy in its second half as in its first', () => {
    expect(Math.abs(mean(SEEDS.map((seed) => slowPhaseImbalance('faithful', seed))))).toBeLessThan(0.06);
  });
});

describe('intended mode', () => {
  it('gives every phase its full 60 s', () => {
    for (const seed of SEEDS.slice(0, 5)) {
      const { phases } = workloadTimeline(defaultWorkload(seed, 'intended'));
      for (const span of phases) expect(span.end - span.start).toBeCloseTo(60, 9);
    }
  });

  it('follows the sine: the slow phase has more tasks in its first half-cycle than its second', () => {
    // Expected share: ∫ of 1 + 0.5·sin over the first half is 39.5 of 60, so (first − second)/all ≈ 0.32.
    const imbalances = SEEDS.map((seed) => slowPhaseImbalance('intended', seed));
    for (const imbalance of imbalances) expect(imbalance).toBeGreaterThan(0.15);
    expect(mean(imbalances)).toBeGreaterThan(0.26);
    expect(mean(imbalances)).toBeLessThan(0.38);
  });

  it('keeps a steady phase flat', () => {
    const tasks = workloadSchedule(defaultWorkload(3, 'intended')).filter((t) => t.phase === 2);
    const firstHalf = tasks.filter((t) => t.at < 90).length;
    expect(Math.abs(2 * firstHalf - tasks.length) / tasks.length).toBeLessThan(0.1);
  });
});

describe('phaseOf', () => {
  it('is the last phase started by then', () => {
    const phases = [
      { phase: 1, start: 0, end: 40 },
      { phase: 2, start: 40, end: 100 },
    ];
    expect(phaseOf(phases, -1)).toBe(1);
    expect(phaseOf(phases, 39.9)).toBe(1);
    expect(phaseOf(phases, 40)).toBe(2);
    expect(phaseOf(phases, 500)).toBe(2);
  });
});

describe('a bad workload', () => {
  it('is refused with a ConfigError before anything is drawn', () => {
    expect(() => workloadSchedule({ ...defaultWorkload(1), windowDuration: 0 })).toThrow(ConfigError);
  });
});
