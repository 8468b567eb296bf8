import { Agent, type Dispatcher, request } from 'undici';
import type { Scenario } from '../../config/load-scenarios.js';
import { type OpenLoopResult, runOpenLoop } from './open-loop.js';
import { type ArrivalSchedule, constantArrivals, rampingArrivals } from './schedule.js';

export interface LoadProgress {
  /** Responses so far, all scenarios. */
  completed: number;
  /** Arrivals in the whole run, all scenarios. */
  planned: number;
  elapsedMs: number;
  durationMs: number;
}

export interface LoadRunOptions {
  /** Called at most every `progressEveryMs` (default 500) while the load runs. */
  onProgress?: (progress: LoadProgress) => void;
  progressEveryMs?: number;
  /** Stops sending when it aborts: the requests in flight are awaited, the rest never sent. */
  signal?: AbortSignal;
}

export interface LoadRunResult {
  /** Per scenario, by name. */
  scenarios: Record<string, OpenLoopResult & { maxVUs: number }>;
  /** Wall time of the whole run, in ms. */
  elapsedMs: number;
  /** When it started, ms since the epoch (the timelines count from here). */
  startedAtMs: number;
}

export function scheduleOf(s: Scenario): ArrivalSchedule {
  return s.executor === 'constant-arrival-rate'
    ? constantArrivals(s.rate, s.timeUnit, s.duration)
    : rampingArrivals(
        s.startRate,
        s.stages.map((st) => ({ target: st.target, durationMs: st.duration })),
        s.timeUnit,
      );
}

/** k6's default for maxVUs when a script gives none: preAllocatedVUs, else the peak rate per second. */
export function maxVUsOf(s: Scenario): number {
  if (s.maxVUs !== undefined) return Math.max(s.maxVUs, s.preAllocatedVUs ?? 0);
  if (s.preAllocatedVUs) return s.preAllocatedVUs;
  const peak =
    s.executor === 'constant-arrival-rate'
      ? s.rate
      : Math.max(s.startRate, ...s.stages.map((st) => st.target));
  return Math.max(1, Math.ceil((peak * 1000) / s.timeUnit));
}

/**
 * Runs scenarios together on one clock, each an open-model loop over keep-alive connections
 * (undici), and returns what each measured.
 */
export async function runLoad(
  scenarios: Record<string, Scenario>,
  options: LoadRunOptions = {},
): Promise<LoadRunResult> {
  const entries = Object.entries(scenarios);
  const connections = entries.reduce((sum, [, s]) => sum + maxVUsOf(s), 0);
  const dispatcher = new Agent({ connections, keepAliveTimeout: 30_000 });
  const schedules = new Map(entries.map(([name, s]) => [name, scheduleOf(s)]));
  const planned = [...schedules.values()].reduce((sum, s) => sum + s.count, 0);
  const durationMs = Math.max(0, ...[...schedules.values()].map((s) => s.durationMs));
  let completed = 0;
  const startedAtMs = Date.now();
  const start = performance.now();
  const timer = options.onProgress
    ? setInterval(
        () => options.onProgress?.({ completed, planned, elapsedMs: performance.now() - start, durationMs }),
        options.progressEveryMs ?? 500,
      )
    : undefined;
  try {
    const results = await Promise.all(
      entries.map(async ([name, s]) => {
        const send = sender(s, dispatcher);
        const maxVUs = maxVUsOf(s);
        const result = await runOpenLoop({
          schedule: schedules.get(name) as ArrivalSchedule,
          maxInflight: maxVUs,
          send,
          startAt: start,
          onResponse: () => completed++,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return [name, { ...result, maxVUs }] as const;
      }),
    );
    return { scenarios: Object.fromEntries(results), elapsedMs: performance.now() - start, startedAtMs };
  } finally {
    clearInterval(timer);
    options.onProgress?.({ completed, planned, elapsedMs: performance.now() - start, durationMs });
    await dispatcher.close();
  }
}

function sender(s: Scenario, dispatcher: Dispatcher): () => Promise<number> {
  const { method, url, body, headers } = s.request;
  const payload = body === '' ? null : body;
  return async () => {
    const res = await request(url, {
      method: method.toUpperCase() as Dispatcher.HttpMethod,
      headers,
      body: payload,
      dispatcher,
    });
    await res.body.dump();
    return res.statusCode;
  };
}
