/**
 * The workload's phases (the reference's `utilities/configuration.yml`, anchors §1.4), the
 * `phase_config` messages the task generator pushes for them, and the checks a workload must pass
 * before it is played.
 */
import { ConfigError, type ConfigIssue } from '../../core/errors.js';
import type { PhaseConfig } from '../messages.js';
import { DEFAULT_CALIBRATED_MODEL } from './calibration.js';
import type { PhaseDefinition, WorkloadMode, WorkloadOptions } from './contract.js';

/** The reference's four phases: 1140 tasks over 240 s at 300 tasks/min. */
export const DEFAULT_PHASES: PhaseDefinition[] = [
  { name: 'Steady Low Load', pattern: 'steady', multiplier: 0.3, duration: 60 },
  { name: 'Steady High Load', pattern: 'steady', multiplier: 1.5, duration: 60 },
  {
    name: 'Slow Oscillation',
    pattern: 'oscillation_slow',
    multiplier: 1.0,
    duration: 60,
    oscillation: { min: 0.5, max: 1.5, cycles: 1 },
  },
  {
    name: 'Fast Oscillation',
    pattern: 'oscillation_fast',
    multiplier: 1.0,
    duration: 60,
    oscillation: { min: 0.3, max: 1.7, cycles: 4 },
  },
];

/** The reference's workload but for the episode's seed and the mode. */
export const DEFAULT_WORKLOAD: Omit<WorkloadOptions, 'seed' | 'mode'> = {
  baseRate: 300,
  phases: DEFAULT_PHASES,
  windowDuration: 1,
  model: DEFAULT_CALIBRATED_MODEL,
};

/** The reference's workload for one episode (a fresh copy: changing it changes no default). */
export function defaultWorkload(seed: number, mode: WorkloadMode = 'faithful'): WorkloadOptions {
  return { ...structuredClone(DEFAULT_WORKLOAD), seed, mode };
}

/** Patterns starting with `oscillation` carry bounds (the reference's test; its rate code never matches them). */
export function isOscillating(phase: PhaseDefinition): boolean {
  return phase.pattern.startsWith('oscillation');
}

/** int(base·multiplier·duration/60), in the reference's order of operations. */
export function targetTasks(baseRate: number, phase: PhaseDefinition): number {
  return Math.trunc(baseRate * phase.multiplier * (phase.duration / 60));
}

/** The `phase_config` messages of the workload, in phase order (maxTasks does not change them). */
export function phaseConfigs(options: WorkloadOptions): PhaseConfig[] {
  return options.phases.map((phase, i) => {
    const config: PhaseConfig = {
      type: 'phase_config',
      phase_number: i + 1,
      phase_name: phase.name,
      base_rate: options.baseRate,
      phase_multiplier: phase.multiplier,
      phase_duration: phase.duration,
      window_duration: options.windowDuration,
      target_tasks: targetTasks(options.baseRate, phase),
      phase_pattern: phase.pattern,
    };
    if (isOscillating(phase) && phase.oscillation) {
      config.oscillation_min = phase.oscillation.min;
      config.oscillation_max = phase.oscillation.max;
      config.oscillation_cycles = phase.oscillation.cycles;
    }
    return config;
  });
}

/** Tasks the schedule holds: the phases' targets summed, at most maxTasks. */
export function expectedTaskCount(options: WorkloadOptions): number {
  const total = options.phases.reduce((sum, phase) => sum + targetTasks(options.baseRate, phase), 0);
  return options.maxTasks === undefined ? total : Math.min(total, options.maxTasks);
}

/** What is wrong with a workload, field by field (empty when it can be played). */
export function workloadIssues(options: WorkloadOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const need = (ok: boolean, field: string, message: string): void => {
    if (!ok) issues.push({ field, message });
  };
  need(options.baseRate > 0 && Number.isFinite(options.baseRate), 'baseRate', 'must be a number > 0');
  need(
    options.windowDuration > 0 && Number.isFinite(options.windowDuration),
    'windowDuration',
    'must be a number of seconds > 0',
  );
  need(options.model.a > 0 && Number.isFinite(options.model.b), 'model', 'needs a > 0 and a finite b');
  need(
    options.maxTasks === undefined || (Number.isInteger(options.maxTasks) && options.maxTasks >= 0),
    'maxTasks',
    'must be an integer >= 0',
  );
  need(options.phases.length > 0, 'phases', 'must hold at least one phase');
  options.phases.forEach((phase, i) => {
    const at = `phases[${i}]`;
    need(phase.multiplier > 0 && Number.isFinite(phase.multiplier), `${at}.multiplier`, 'must be > 0');
    // A phase shorter than a window has no window, so the reference would emit none of its tasks.
    need(
      phase.duration >= options.windowDuration && Number.isFinite(phase.duration),
      `${at}.duration`,
      'must be at least one window long',
    );
    if (isOscillating(phase)) {
      const o = phase.oscillation;
      need(
        o !== undefined && o.min >= 0 && o.max >= o.min && o.max > 0 && o.cycles > 0,
        `${at}.oscillation`,
        `pattern ${phase.pattern} needs min >= 0, max >= min, max > 0 and cycles > 0`,
      );
    }
  });
  return issues;
}

/** Throws a ConfigError (DFAAS_ERR_BAD_INPUT) listing every issue of the workload. */
export function checkWorkload(options: WorkloadOptions): void {
  const issues = workloadIssues(options);
  if (issues.length > 0) throw new ConfigError('workload', issues);
}
