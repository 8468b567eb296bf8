import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { phaseConfigSchema } from '../../../src/workflow/messages.js';
import { DEFAULT_CALIBRATED_MODEL } from '../../../src/workflow/workload/calibration.js';
import type { WorkloadOptions } from '../../../src/workflow/workload/contract.js';
import {
  checkWorkload,
  DEFAULT_PHASES,
  DEFAULT_WORKLOAD,
  defaultWorkload,
  expectedTaskCount,
  phaseConfigs,
  targetTasks,
  workloadIssues,
} from '../../../src/workflow/workload/phases.js';

describe('the default workload', () => {
  it('is the reference: 300 tasks/min, 1 s windows, four 60 s phases of 90/450/300/300 tasks', () => {
    expect(DEFAULT_WORKLOAD.baseRate).toBe(300);
    expect(DEFAULT_WORKLOAD.windowDuration).toBe(1);
    expect(DEFAULT_WORKLOAD.model).toBe(DEFAULT_CALIBRATED_MODEL);
    expect(DEFAULT_PHASES.map((p) => p.duration)).toEqual([60, 60, 60, 60]);
    expect(DEFAULT_PHASES.map((p) => targetTasks(300, p))).toEqual([90, 450, 300, 300]);
    expect(expectedTaskCount(defaultWorkload(1))).toBe(1140);
  });

  it('is a fresh copy for each episode', () => {
    const workload = defaultWorkload(7, 'intended');
    expect(workload).toMatchObject({ seed: 7, mode: 'intended' });
    (workload.phases[0] as { multiplier: number }).multiplier = 9;
    expect(DEFAULT_PHASES[0]?.multiplier).toBe(0.3);
    expect(defaultWorkload(7).mode).toBe('faithful');
  });
});

describe('targetTasks', () => {
  it('truncates base·multiplier·duration/60', () => {
    expect(targetTasks(100, { name: 'x', pattern: 'steady', multiplier: 0.7, duration: 50 })).toBe(58);
  });
});

describe('phaseConfigs', () => {
  const configs = phaseConfigs(defaultWorkload(1));

  it('are valid phase_config messages numbered from 1', () => {
    for (const config of configs) expect(phaseConfigSchema.parse(config)).toEqual(config);
    expect(configs.map((c) => c.phase_number)).toEqual([1, 2, 3, 4]);
    expect(configs[1]).toEqual({
      type: 'phase_config',
      phase_number: 2,
      phase_name: 'Steady High Load',
      base_rate: 300,
      phase_multiplier: 1.5,
      phase_duration: 60,
      window_duration: 1,
      target_tasks: 450,
      phase_pattern: 'steady',
    });
  });

  it('carry the oscillation fields on oscillating phases only', () => {
    expect(configs.map((c) => 'oscillation_min' in c)).toEqual([false, false, true, true]);
    expect(configs[3]).toMatchObject({
      phase_pattern: 'oscillation_fast',
      oscillation_min: 0.3,
      oscillation_max: 1.7,
      oscillation_cycles: 4,
    });
  });
});

describe('expectedTaskCount', () => {
  it('is at most maxTasks', () => {
    expect(expectedTaskCount({ ...defaultWorkload(1), maxTasks: 100 })).toBe(100);
    expect(expectedTaskCount({ ...defaultWorkload(1), maxTasks: 5000 })).toBe(1140);
  });
});

describe('workload checks', () => {
  it('find nothing wrong with the default', () => {
    expect(workloadIssues(defaultWorkload(1))).toEqual([]);
  });

  it('name every bad field', () => {
    const bad: WorkloadOptions = {
      ...defaultWorkload(1),
      baseRate: 0,
      windowDuration: 2,
      maxTasks: -1,
      phases: [
        { name: 'short', pattern: 'steady', multiplier: 1, duration: 1 },
        { name: 'wave', pattern: 'oscillation_slow', multiplier: 1, duration: 60 },
      ],
    };
    expect(workloadIssues(bad).map((i) => i.field)).toEqual([
      'baseRate',
      'maxTasks',
      'phases[0].duration',
      'phases[1].oscillation',
    ]);
    expect(() => checkWorkload(bad)).toThrow(ConfigError);
    expect(() => checkWorkload(bad)).toThrow(/phases\[1\]\.oscillation/);
  });
});
