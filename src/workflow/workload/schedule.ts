/**
 * The emitter's whole plan for an episode: when each task is generated, in which phase, and its
 * size. Pure: one RNG seeded with `options.seed`, drawn in a fixed order (per window: its count,
 * then its arrival times, then one size per task in generation order), no clock.
 *
 * Both modes split a phase into int(duration/window) windows and hit the phase's target exactly:
 * window k draws n ~ Poisson(remaining · w_k / Σ_{j≥k} w_j), capped at what remains, and the last
 * window takes the rest. With equal weights this is the reference's remaining/remaining_windows.
 * - `faithful` (the reference's `generate_tasks_for_phase`): equal weights in every phase, so the
 *   oscillating phases do not oscillate. A window with tasks draws n exponential gaps of mean
 *   window/n; the emitter makes a task, then sleeps until the next cumulative target, so task i
 *   comes after the first i gaps and the window lasts the sum of all n. An empty window takes no
 *   time, so a phase is shorter than its duration (phase 1 ≈ 47 s of 60).
 * - `intended`: w_k is the integral over window k of the rate base·(mid + amp·sin(2π·cycles·t/D))
 *   for oscillating phases (flat for the others). Every window lasts its full length; its n tasks
 *   fall at uniform order statistics inside it, the arrival times of a Poisson process given n.
 */
import { seededRandom } from '../../core/random.js';
import type { PhaseDefinition, ScheduledTask, WorkloadOptions } from './contract.js';
import { checkWorkload, isOscillating, targetTasks } from './phases.js';
import { exponential, poisson, type Uniform } from './random.js';
import { drawTaskSize } from './tasks.js';

/** Where a phase lies on the emitter's clock, s since it started generating. */
export interface PhaseSpan {
  /** 1-based. */
  phase: number;
  start: number;
  end: number;
}

export interface WorkloadTimeline {
  /** In generation order; `at` never decreases. Truncated to `maxTasks` when it is set. */
  tasks: ScheduledTask[];
  /** Every phase of the full plan (maxTasks does not shorten them), back to back. */
  phases: PhaseSpan[];
}

/** The arrivals of one window: offsets from its start, s, and how long it lasts, s. */
interface WindowArrivals {
  offsets: number[];
  length: number;
}

/** The tasks the emitter generates, in order, with their times. Throws a ConfigError for a bad workload. */
export function workloadSchedule(options: WorkloadOptions): ScheduledTask[] {
  return workloadTimeline(options).tasks;
}

/** The schedule and where each phase starts and ends. Throws a ConfigError for a bad workload. */
export function workloadTimeline(options: WorkloadOptions): WorkloadTimeline {
  checkWorkload(options);
  const rng = seededRandom(options.seed);
  const tasks: ScheduledTask[] = [];
  const phases: PhaseSpan[] = [];
  let clock = 0;
  options.phases.forEach((definition, i) => {
    const span: PhaseSpan = { phase: i + 1, start: clock, end: clock };
    const windows = Math.trunc(definition.duration / options.windowDuration);
    const weights = windowWeights(options, definition, windows);
    // tail[k] = Σ_{j≥k} weights[j]
    const tail = weights.reduceRight<number[]>((acc, w, k) => {
      acc[k] = w + (acc[k + 1] ?? 0);
      return acc;
    }, []);
    let remaining = targetTasks(options.baseRate, definition);
    for (let k = 0; k < windows; k++) {
      const mean = (remaining * (weights[k] as number)) / (tail[k] as number);
      const n = k === windows - 1 ? remaining : Math.min(poisson(rng, mean), remaining);
      const arrivals =
        options.mode === 'faithful'
          ? referenceArrivals(rng, n, options.windowDuration)
          : spreadArrivals(rng, n, options.windowDuration);
      for (const offset of arrivals.offsets) {
        tasks.push({ at: span.end + offset, phase: span.phase, ...drawTaskSize(rng, options.model) });
      }
      span.end += arrivals.length;
      remaining -= n;
    }
    phases.push(span);
    clock = span.end;
  });
  return { tasks: tasks.slice(0, options.maxTasks), phases };
}

/** The phase (1-based) the emitter is in at `at`: the last one started by then (the first before any). */
export function phaseOf(phases: readonly PhaseSpan[], at: number): number {
  let current = phases[0]?.phase ?? 1;
  for (const span of phases) if (span.start <= at) current = span.phase;
  return current;
}

/** Each window's share of the phase's tasks, unnormalised. */
function windowWeights(options: WorkloadOptions, phase: PhaseDefinition, windows: number): number[] {
  const oscillation = phase.oscillation;
  if (options.mode === 'faithful' || !isOscillating(phase) || oscillation === undefined) {
    return new Array<number>(windows).fill(1);
  }
  const mid = (oscillation.min + oscillation.max) / 2;
  const amp = (oscillation.max - oscillation.min) / 2;
  const omega = (2 * Math.PI * oscillation.cycles) / phase.duration;
  // ∫ mid + amp·sin(ω t) dt = mid·t − (amp/ω)·cos(ω t)
  const integral = (t: number): number => mid * t - (amp / omega) * Math.cos(omega * t);
  const w = options.windowDuration;
  // Never below 0: at a trough of min 0 the difference can round to −1e-16.
  return Array.from({ length: windows }, (_, k) => Math.max(0, integral((k + 1) * w) - integral(k * w)));
}

/** The reference's window: task i after the first i of n exponential gaps; lasts all n gaps. */
function referenceArrivals(rng: Uniform, n: number, window: number): WindowArrivals {
  const offsets: number[] = [];
  let elapsed = 0;
  for (let i = 0; i < n; i++) {
    offsets.push(elapsed);
    elapsed += exponential(rng, window / n);
  }
  return { offsets, length: elapsed };
}

/** n uniform order statistics over the window (n + 1 exponential spacings normalised); lasts the window. */
function spreadArrivals(rng: Uniform, n: number, window: number): WindowArrivals {
  if (n === 0) return { offsets: [], length: window };
  const cumulative: number[] = [];
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    sum += exponential(rng, 1);
    cumulative.push(sum);
  }
  return { offsets: cumulative.slice(0, n).map((c) => (window * c) / sum), length: window };
}
