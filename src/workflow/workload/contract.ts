/**
 * The workload's shared types: what the emitter (live) and the simulated farm both play out.
 * The generator (`schedule.ts`) is pure: one seeded RNG, no clock.
 */

/** `faithful`: what the reference's code does (flat Poisson per phase, empty windows skipped, so a phase is shorter than its duration); `intended`: the oscillating phases as sine waves over their full duration. */
export type WorkloadMode = 'faithful' | 'intended';

/** t(size) = a·size² + b seconds: the reference's calibrated image-pipeline time model. */
export interface CalibratedModel {
  a: number;
  b: number;
  seed: number;
  r_squared: number;
}

/** One phase of the workload (the reference's `phase_definitions` entry). */
export interface PhaseDefinition {
  name: string;
  /** `steady`, `oscillation_slow`, `oscillation_fast`. */
  pattern: string;
  multiplier: number;
  /** s */
  duration: number;
  /** Oscillation bounds and cycles (oscillation patterns only). */
  oscillation?: { min: number; max: number; cycles: number };
}

export interface WorkloadOptions {
  mode: WorkloadMode;
  /** Tasks per minute at multiplier 1 (reference: 300). */
  baseRate: number;
  phases: PhaseDefinition[];
  /** s (reference: 1). */
  windowDuration: number;
  model: CalibratedModel;
  /** Seeds the RNG of arrivals and sizes (the reference's task_seed, the episode seed). */
  seed: number;
  /** When set, only the first N tasks of the schedule are played (`dfaas workflow run --tasks N`). */
  maxTasks?: number;
}

/** One task of the schedule, before it is a message. */
export interface ScheduledTask {
  /** s after the emitter started generating. */
  at: number;
  /** 1-based phase number. */
  phase: number;
  /** Image side, px (512…4096). */
  size: number;
  /** Simulated processing time, s: a·size² + b. */
  processingTime: number;
  /** s after generation: clamp(2·processingTime, 0.1, 30). */
  deadline: number;
}
