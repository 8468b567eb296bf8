/**
 * invocation-overhead (SeBS, sebs/experiments/invocation_overhead.py, type `payload`): how the
 * time from sending a call to the function starting grows with the call's payload. For each of
 * `payload_points` (20) sizes from `payload_begin` (1,024 B) to `payload_end` (6,251,000 B),
 * evenly spaced (numpy's linspace, truncated to whole bytes), `repetitions` (5) calls carry a
 * `payload` string of that many bytes, which the lab function accepts and ignores (bounded to
 * 8 MiB, docs/platform.md "Lab functions"). A warm pass (after one warm-up call without payload)
 * then a cold pass (before each call the function is let go cold, `ctx.goCold`, and `cold_wait`,
 * SeBS's 1 s, is waited). A call whose cold flag is not its pass's (a warm pass's call that was
 * cold, a cold pass's that was not) is sent again, at most `max_attempts` (10) times in all.
 * A call is told cold by the replica's marker `is_cold`, else the platform's cold-start wait
 * (perf-cost.ts, `coldOf`).
 *
 * Table Invocation_overhead: one row per sample: the pass, payload_bytes, the JSON body's bytes,
 * the repetition, is_cold, how many attempts it took and whether it was kept (its flag right),
 * invocation_time = execution_start − invocation_start (seconds; the function's clock minus the
 * client's), client_time = invocation_end − invocation_start, clock_drift, and the request's ids.
 * `process` gives per pass and size the median and mean invocation time (ms), and the
 * least-squares line of invocation time against payload (ms per MB), the growth asked about.
 *
 * Clocks: invocation_time subtracts a time of the client's clock from one of the function's. On
 * one host (the embedded provider, or any provider whose URL is on loopback) they are the same
 * clock, and clock_drift is 0. A remote provider needs SeBS's clock-drift protocol (N UDP
 * ping-pongs between function and client during the call, the drift being the mean of
 * ((function send − client receive) + (function receive − client send)) / 2), which is not
 * implemented: clock_drift is then NULL and invocation_time is uncorrected. (SeBS adds that
 * drift, the function's clock minus the client's, to the function's time where it should
 * subtract it; whoever implements the protocol: subtract.)
 *
 * What differs from SeBS, and why:
 * - The payload is `payload_bytes` characters, as labelled. SeBS labelled each row with the size
 *   of a zero-filled buffer and sent its base64, 4/3 as many bytes.
 * - A call sent again for a wrong cold flag is bounded (`max_attempts`); SeBS retried without end.
 *   A sample whose every attempt failed or had the wrong flag is a row with `kept` false.
 * - A failed call is an attempt (and an Error row); SeBS's experiment stopped at the first.
 * - SeBS subtracted curl's connection time (PRETRANSFER) from the invocation time; the client
 *   here does not see its connections, so connection setup stays in invocation_time (on loopback
 *   with keep-alive, a few µs) and connection_time is not recorded.
 * - SeBS's code-package variant (`type: code`, a random file of 1 MiB to 250 MiB in the package)
 *   needs redeploying the function with a different package at each point; no provider here can.
 *
 * Body limits: the embedded gateway reads bodies up to 64 MiB (413 beyond), and its replicas and
 * the lab functions have no other limit but the payload's 8 MiB, so 6,251,000 B pass. OpenFaaS's
 * node templates parse at most 100 kB of JSON unless the function's environment sets
 * MAX_JSON_SIZE (e.g. `8mb`): without it, every size above that answers 413.
 *
 * Time: `cold_wait` is in the reference's seconds, waited at the run's time scale; the calls, and
 * the payload's transfer, are the platform's. With the defaults against the embedded platform at
 * `--time-scale 60`: 85 to 105 s measured, nearly all of it the 100 cold samples (a forced cold
 * start and a replica started for each); warm calls grew by about 15 ms per MB of payload.
 */
import { z } from 'zod';
import { LAB_LIMITS } from '../../platform/functions/lab-request.js';
import type { BenchProvider } from '../providers.js';
import { sampleStatistics } from '../stats.js';
import type { StoreRow, TableDefinition } from '../store/contract.js';
import { defineExperiment, type ExperimentContext } from './contract.js';
import { count, functionName, seconds } from './params.js';
import { coldOf, platformCold } from './perf-cost.js';

/** A payload size in bytes: 0 to the lab functions' bound (8 MiB). */
function payloadBytes(defaultBytes: number) {
  return z.coerce.number().int().min(0).max(LAB_LIMITS.payloadBytes).default(defaultBytes);
}

export const invocationOverheadParams = z
  .object({
    function_name: functionName('function1'),
    payload_begin: payloadBytes(1024),
    payload_end: payloadBytes(6_251_000),
    payload_points: count(20),
    repetitions: count(5),
    /** Wait after letting the function go cold, before the call (SeBS: 1 s). */
    cold_wait: seconds(1),
    /** Calls per sample at most, wrong cold flags and failures included. */
    max_attempts: count(10),
  })
  .refine((p) => p.payload_begin <= p.payload_end, {
    message: 'payload_begin must not exceed payload_end',
    path: ['payload_begin'],
  });
export type InvocationOverheadParams = z.infer<typeof invocationOverheadParams>;

export const INVOCATION_OVERHEAD: TableDefinition = {
  name: 'Invocation_overhead',
  description:
    'invocation-overhead: one row per sample (pass, payload size, repetition): execution_start − invocation_start, seconds',
  columns: {
    pass: 'text',
    payload_bytes: 'integer',
    body_bytes: 'integer',
    repetition: 'integer',
    is_cold: 'boolean',
    platform_cold: 'boolean',
    attempts: 'integer',
    kept: 'boolean',
    invocation_start: 'real',
    execution_start: 'real',
    invocation_time: 'real',
    client_time: 'real',
    clock_drift: 'real',
    request_id: 'text',
    instance_identifier: 'text',
    error: 'text',
  },
};

/** numpy's linspace(begin, end, points), truncated to whole numbers as SeBS's `int(pt)`. */
export function payloadSizes(begin: number, end: number, points: number): number[] {
  if (points === 1) return [Math.trunc(begin)];
  const step = (end - begin) / (points - 1);
  return Array.from({ length: points }, (_, i) => Math.trunc(i === points - 1 ? end : i * step + begin));
}

/** Whether the function's clock is the client's: the embedded provider, or a URL on loopback. */
export function sameHost(provider: BenchProvider, fn: string): boolean {
  if (provider.name === 'embedded') return true;
  try {
    const host = new URL(provider.url(fn)).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

type Pass = 'warm' | 'cold';

/** One sample: calls until the cold flag is the pass's, at most `max_attempts` times. */
async function sample(
  ctx: ExperimentContext,
  p: InvocationOverheadParams,
  pass: Pass,
  args: { payload: string },
  fixed: { payload_bytes: number; body_bytes: number; repetition: number; clock_drift: number | null },
): Promise<StoreRow> {
  let row: StoreRow = {};
  for (let attempt = 1; attempt <= p.max_attempts; attempt++) {
    if (pass === 'cold') {
      await ctx.goCold(p.function_name);
      ctx.progress(
        `invocation-overhead cold: ${fixed.payload_bytes} B, repetition ${fixed.repetition + 1}`,
        p.cold_wait,
      );
      await ctx.time.wait(p.cold_wait);
    }
    const result = await ctx.bench.invoke(p.function_name, args);
    if (!result.ok) {
      row = {
        pass,
        ...fixed,
        attempts: attempt,
        kept: false,
        error: `${result.error.type}: ${result.error.message}`.slice(0, 500),
      };
      continue;
    }
    const root = result.rows[0];
    if (!root) continue;
    const cold = coldOf(root);
    const invocationTime = Number(root.execution_start) - root.invocation_start;
    row = {
      pass,
      ...fixed,
      is_cold: cold ?? null,
      platform_cold: platformCold(root) ?? null,
      attempts: attempt,
      kept: cold === (pass === 'cold'),
      invocation_start: root.invocation_start,
      execution_start: Number(root.execution_start),
      invocation_time: Number.isFinite(invocationTime) ? invocationTime : null,
      client_time: root.invocation_end - root.invocation_start,
      request_id: root.identifier,
      instance_identifier: root.instance_identifier === undefined ? null : String(root.instance_identifier),
      error: null,
    };
    if (row.kept) return row;
  }
  return row;
}

export async function runInvocationOverhead(
  ctx: ExperimentContext,
  p: InvocationOverheadParams,
): Promise<void> {
  const sizes = payloadSizes(p.payload_begin, p.payload_end, p.payload_points);
  const clockDrift = sameHost(ctx.provider, p.function_name) ? 0 : null;
  for (const pass of ['warm', 'cold'] as const) {
    if (pass === 'warm') {
      ctx.progress('invocation-overhead: warm-up call');
      await ctx.bench.invoke(p.function_name);
    }
    for (const size of sizes) {
      const args = { payload: 'A'.repeat(size) };
      const body_bytes = Buffer.byteLength(JSON.stringify(args));
      ctx.progress(`invocation-overhead ${pass}: ${size} B × ${p.repetitions}`);
      for (let repetition = 0; repetition < p.repetitions; repetition++) {
        const row = await sample(ctx, p, pass, args, {
          payload_bytes: size,
          body_bytes,
          repetition,
          clock_drift: clockDrift,
        });
        ctx.record(INVOCATION_OVERHEAD.name, [row]);
      }
    }
  }
}

/** A least-squares line y = intercept + slope × x; null below two distinct x. */
export function leastSquares(
  points: readonly [number, number][],
): { slope: number; intercept: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const sxx = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Per pass: the invocation time (ms) per payload size, and its growth (ms per MB, 10⁶ B). */
export function invocationOverheadSummary(
  recorded: ReadonlyMap<string, readonly StoreRow[]>,
): Record<string, unknown> {
  const rows = recorded.get(INVOCATION_OVERHEAD.name) ?? [];
  const passes: Record<string, unknown> = {};
  for (const pass of ['warm', 'cold']) {
    const kept = rows.filter(
      (r) => r.pass === pass && r.kept === true && typeof r.invocation_time === 'number',
    );
    const sizes = [...new Set(kept.map((r) => Number(r.payload_bytes)))].sort((a, b) => a - b);
    const line = leastSquares(
      kept.map((r) => [Number(r.payload_bytes) / 1e6, Number(r.invocation_time) * 1000]),
    );
    passes[pass] = {
      samples: kept.length,
      not_kept: rows.filter((r) => r.pass === pass && r.kept !== true).length,
      by_size: sizes.map((size) => {
        const s = sampleStatistics(
          kept.filter((r) => Number(r.payload_bytes) === size).map((r) => Number(r.invocation_time) * 1000),
        );
        return { payload_bytes: size, count: s.count, median_ms: s.median, mean_ms: s.mean, std_ms: s.std };
      }),
      ms_per_mb: line?.slope ?? null,
      intercept_ms: line?.intercept ?? null,
    };
  }
  const drift = rows.find((r) => r.clock_drift !== undefined)?.clock_drift;
  return { clock_drift: drift ?? null, ...passes };
}

export const invocationOverhead = defineExperiment({
  name: 'invocation-overhead',
  origin: 'sebs',
  description:
    'time from sending a call to the function starting, for payloads of 1 kB … 6.25 MB, warm then cold, 5 each',
  params: invocationOverheadParams,
  tables: [INVOCATION_OVERHEAD],
  run: runInvocationOverhead,
  process: invocationOverheadSummary,
});
