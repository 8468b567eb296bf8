/**
 * The context an experiment runs in (./experiments/contract.ts), made from a Benchmarker, a
 * provider and a time: it keeps the rows the experiment records, by table, for the runner to
 * store and for `process` to read. Tests make one with a virtual time and a stand-in provider.
 */
import { seededRandom } from '../core/random.js';
import type { Benchmarker } from './benchmarker.js';
import type { ExperimentContext, ScaledTime } from './experiments/contract.js';
import type { BenchProvider } from './providers.js';
import type { StoreRow } from './store/contract.js';

/** A provider that can force a cold start (the embedded one: scale to zero). */
export interface ColdForcing {
  forceCold(fn: string): Promise<void>;
}

export const REFERENCE_COLDTIME_SECONDS = 1200;

export interface ContextOptions {
  bench: Benchmarker;
  provider: BenchProvider & Partial<ColdForcing>;
  time: ScaledTime;
  timeScale?: number;
  coldtimeSeconds?: number;
  /** Force cold starts where the provider can (default), or always wait the coldtime. */
  cold?: 'force' | 'wait';
  seed?: number;
  signal?: AbortSignal;
  /** Tables the experiment may record into (the reference's and its own). */
  tables?: ReadonlySet<string>;
  onRecord?: (table: string, rows: readonly StoreRow[]) => void;
  onProgress?: (message: string, waitSeconds?: number) => void;
}

export interface RecordingContext extends ExperimentContext {
  /** Every row recorded, by table, in order. */
  readonly recorded: Map<string, StoreRow[]>;
}

export function experimentContext(opts: ContextOptions): RecordingContext {
  const timeScale = opts.timeScale ?? 1;
  const coldtimeSeconds = opts.coldtimeSeconds ?? REFERENCE_COLDTIME_SECONDS;
  const recorded = new Map<string, StoreRow[]>();
  const progress = opts.onProgress ?? (() => {});
  const { provider } = opts;
  return {
    bench: opts.bench,
    provider,
    time: opts.time,
    timeScale,
    work: (s) => s / timeScale,
    coldtimeSeconds,
    async goCold(fn) {
      if (opts.cold !== 'wait' && provider.forceCold) {
        progress(`forcing a cold start of ${fn}`);
        await provider.forceCold(fn);
        return 0;
      }
      progress(`letting ${fn} go cold`, coldtimeSeconds);
      await opts.time.wait(coldtimeSeconds);
      return coldtimeSeconds;
    },
    record(table, rows) {
      if (opts.tables && !opts.tables.has(table))
        throw new Error(`no table ${table} to record into (known: ${[...opts.tables].join(', ')})`);
      const list = recorded.get(table) ?? [];
      list.push(...rows);
      recorded.set(table, list);
      opts.onRecord?.(table, rows);
    },
    progress,
    random: seededRandom(opts.seed ?? 1),
    signal: opts.signal ?? new AbortController().signal,
    recorded,
  };
}
