/**
 * What an experiment is (one file each in this folder, registered in ./registry.ts) and what the
 * run gives it (docs/bench.md, "Writing an experiment"). An experiment declares its parameters
 * (a zod object whose defaults are the reference's), the tables it writes beyond the Benchmarker's
 * Invocation and Error rows, and three steps: `prepare` (get the function into the state the
 * measurement starts from), `run` (the measurement: calls through `ctx.bench`, rows through
 * `ctx.record`) and `process` (what the run found, from what it recorded, stored as the
 * Experiment row's summary).
 *
 * Time: every duration parameter is in the reference's seconds; `ctx.time` waits them divided by
 * the run's time scale, so a run at `--time-scale 60` is a time-lapse of the reference's (its
 * 65-minute sleeps take 65 s). Work a function does (`sleep`, `throughput_time` in a payload) is
 * scaled the same way through `ctx.work`, and loads keep their rates over shortened durations, so
 * the platform sees the reference's experiment at the lapse's speed.
 */
import type { z } from 'zod';
import type { Benchmarker } from '../benchmarker.js';
import type { BenchProvider } from '../providers.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';

/** What an experiment needs of time: now, and waits, in the reference's seconds. */
export interface ScaledTime {
  nowSeconds(): number;
  wait(seconds: number): Promise<void>;
}

/** Real time divided by `timeScale`: the reference's seconds pass `timeScale` times faster. */
export function scaledTime(timeScale: number, sleep: (ms: number) => Promise<void>): ScaledTime {
  const origin = performance.now();
  return {
    nowSeconds: () => ((performance.now() - origin) / 1000) * timeScale,
    wait: (seconds) => sleep((seconds * 1000) / timeScale),
  };
}

/** Where the experiment came from: the reference it reproduces. */
export type ExperimentOrigin = 'faas-benchmarker' | 'sebs' | 'dfaas';

export interface ExperimentContext {
  /** Calls functions and records every call as Invocation or Error rows. */
  readonly bench: Benchmarker;
  readonly provider: BenchProvider;
  /** The reference's seconds, waited at the run's time scale. */
  readonly time: ScaledTime;
  readonly timeScale: number;
  /** A function's work (seconds of `sleep` or `throughput_time` in a payload) at the run's time scale. */
  work(seconds: number): number;
  /**
   * The idle time after which the provider reclaims an instance, in the reference's seconds:
   * the provider's own when it is known (the embedded platform's --zero-duration, and a margin),
   * else the last confirmed idle-time search on this provider in the store, else the
   * reference's 1200 s.
   */
  readonly coldtimeSeconds: number;
  /**
   * Lets `fn` go cold before a measurement: forced where the provider can (scale to zero), else
   * waiting `coldtimeSeconds`. Returns the reference seconds it waited (0 when forced).
   */
  goCold(fn: string): Promise<number>;
  /** Adds rows to one of the reference's tables or of the experiment's own `tables`. */
  record(table: string, rows: readonly StoreRow[]): void;
  /** What the experiment does now, and until when it waits (reference seconds from now). */
  progress(message: string, waitSeconds?: number): void;
  /** The run's seeded random numbers in [0, 1). */
  readonly random: () => number;
  /** Aborted on Ctrl-C: long waits end early and the run is marked failed. */
  readonly signal: AbortSignal;
}

export interface Experiment<P extends z.ZodObject = z.ZodObject> {
  /** faas-benchmarker's folder name, or SeBS's experiment name. */
  readonly name: string;
  readonly origin: ExperimentOrigin;
  /** One line for `dfaas bench list`. */
  readonly description: string;
  /** Parameters with the reference's values as defaults; durations in the reference's seconds. */
  readonly params: P;
  /** Tables the experiment writes beyond the reference's (created by the store from this). */
  readonly tables?: readonly TableDefinition[];
  prepare?(ctx: ExperimentContext, params: z.infer<P>): Promise<void>;
  run(ctx: ExperimentContext, params: z.infer<P>): Promise<void>;
  /**
   * What the run found, from what it recorded (rows by table name, with the Benchmarker's
   * `Invocation` and `Error` rows); called after a failed run too, on what it had.
   */
  process?(recorded: ReadonlyMap<string, readonly StoreRow[]>, params: z.infer<P>): Record<string, unknown>;
}

/** Declares an experiment, keeping its parameter type (registry entries are `Experiment`). */
export function defineExperiment<P extends z.ZodObject>(experiment: Experiment<P>): Experiment<P> {
  return experiment;
}
