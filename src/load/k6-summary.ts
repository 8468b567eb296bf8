import type { Histogram } from 'hdr-histogram-js';
import { z } from 'zod';
import type { LoadRunResult } from './builtin/generator.js';
import { histogram } from './builtin/open-loop.js';
import type { ConfigurationLoad, ScenarioFigures } from './contract.js';
import { LoadRunError } from './errors.js';

/** The per-scenario submetric of dropped iterations that the script's thresholds make k6 export. */
export const droppedMetric = (id: string) => `dropped_iterations{scenario:${id}}`;

/**
 * k6's `--summary-export` JSON, the one shape every load driver of dfaas writes and reads: the
 * built-in generator writes it, k6 writes it, and parseK6Summary reads either.
 *
 * Per metric type (values of Trends in ms, as k6 writes them):
 *   Trend   {avg, min, med, max, p(90), p(95)}, and p(99) where asked for (summaryTrendStats: the
 *           built-in generator and dfaas's k6 scripts ask; k6's default does not)
 *   Rate    {value, passes, fails}   passes = samples that were true (non-zero)
 *   Counter {count, rate}            rate per second over the run
 *   Gauge   {value, min, max}
 * Per scenario NAME the built-in generator also writes the custom metrics the DFaaS k6 scripts
 * define: latency_NAME (Trend), success_rate_NAME (Rate), request_count_NAME (Counter), and
 * the submetric `dropped_iterations{scenario:NAME}` (Counter) those scripts make k6 export.
 */

export const TrendSchema = z.object({
  avg: z.number(),
  min: z.number(),
  med: z.number(),
  max: z.number(),
  'p(90)': z.number(),
  'p(95)': z.number(),
  'p(99)': z.number().optional(),
});
export const RateSchema = z.object({ value: z.number(), passes: z.number(), fails: z.number() });
export const CounterSchema = z.object({ count: z.number(), rate: z.number() });
export const GaugeSchema = z.object({ value: z.number(), min: z.number(), max: z.number() });

type Trend = z.infer<typeof TrendSchema>;
type Rate = z.infer<typeof RateSchema>;
type Counter = z.infer<typeof CounterSchema>;

export const K6SummarySchema = z.object({
  metrics: z.record(z.string(), z.record(z.string(), z.unknown())),
  root_group: z.unknown().optional(),
});

export interface K6Summary {
  root_group: {
    name: string;
    path: string;
    id: string;
    groups: Record<string, never>;
    checks: Record<string, never>;
  };
  metrics: Record<string, Trend | Rate | Counter | z.infer<typeof GaugeSchema>>;
}

const EMPTY_TREND: Trend = { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0 };

function trend(h: Histogram): Trend {
  if (h.totalCount === 0) return EMPTY_TREND;
  const ms = (us: number) => us / 1000;
  return {
    avg: ms(h.mean),
    min: ms(h.minNonZeroValue),
    med: ms(h.getValueAtPercentile(50)),
    max: ms(h.maxValue),
    'p(90)': ms(h.getValueAtPercentile(90)),
    'p(95)': ms(h.getValueAtPercentile(95)),
    'p(99)': ms(h.getValueAtPercentile(99)),
  };
}

function rateOf(passes: number, fails: number): Rate {
  const total = passes + fails;
  return { value: total > 0 ? passes / total : 0, passes, fails };
}

function counter(count: number, seconds: number): Counter {
  return { count, rate: seconds > 0 ? count / seconds : 0 };
}

/** The k6 summary of a run of the built-in generator, for the whole run and per scenario. */
/** The counter of a scenario's failed requests of one cause (dfaas's own; k6 does not write it). */
export function failuresMetric(scenario: string, cause: string): string {
  return `failures_${scenario}{cause:${cause}}`;
}

/** A scenario's failed requests by cause, from a summary (none in one k6 wrote). */
export function failuresByCause(summary: unknown, scenario: string): Record<string, number> {
  const metrics = K6SummarySchema.safeParse(summary);
  if (!metrics.success) return {};
  const prefix = failuresMetric(scenario, '');
  return Object.fromEntries(
    Object.entries(metrics.data.metrics).flatMap(([key, value]) => {
      const count = CounterSchema.safeParse(value);
      return key.startsWith(prefix.slice(0, -1)) && count.success
        ? [[key.slice(prefix.length - 1, -1), count.data.count]]
        : [];
    }),
  );
}

export function toK6Summary(run: LoadRunResult): K6Summary {
  const seconds = run.elapsedMs / 1000;
  const results = Object.entries(run.scenarios);
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let dropped = 0;
  let vusMax = 0;
  const duration = histogram();
  const latency = histogram();
  for (const [, r] of results) {
    duration.add(r.durationUs);
    latency.add(r.latencyUs);
  }
  const metrics: K6Summary['metrics'] = {};
  for (const [name, r] of results) {
    sent += r.sent;
    ok += r.ok;
    failed += r.errors;
    dropped += r.dropped;
    vusMax += r.maxVUs;
    metrics[`latency_${name}`] = trend(r.latencyUs);
    metrics[`success_rate_${name}`] = rateOf(r.ok, r.errors);
    metrics[`request_count_${name}`] = counter(r.sent, seconds);
    metrics[droppedMetric(name)] = counter(r.dropped, seconds);
    // Failures by cause, as k6 names a submetric by a tag: failures_ID{cause:connection refused}.
    for (const [cause, count] of Object.entries(r.failures))
      metrics[failuresMetric(name, cause)] = counter(count, seconds);
  }
  metrics.http_reqs = counter(sent, seconds);
  metrics.iterations = counter(sent, seconds);
  metrics.dropped_iterations = counter(dropped, seconds);
  metrics.http_req_duration = trend(duration);
  metrics.http_req_failed = rateOf(failed, ok);
  metrics.iteration_duration = trend(latency);
  metrics.vus_max = { value: vusMax, min: vusMax, max: vusMax };
  duration.destroy();
  latency.destroy();
  return {
    root_group: { name: '', path: '', id: 'd41d8cd98f00b204e9800998ecf8427e', groups: {}, checks: {} },
    metrics,
  };
}

/**
 * Reads a k6 summary (ours or k6's own). Per-scenario figures come from the DFaaS custom
 * metrics (latency_ID, success_rate_ID, request_count_ID); a scenario without them is absent.
 */
export function parseK6Summary(
  json: unknown,
  source: string,
): { summary: z.infer<typeof K6SummarySchema>; scenario(id: string): ScenarioFigures | undefined } {
  const parsed = K6SummarySchema.safeParse(json);
  if (!parsed.success) {
    throw new LoadRunError(`${source}: not a k6 summary (${parsed.error.issues[0]?.message})`);
  }
  const metrics = parsed.data.metrics;
  return {
    summary: parsed.data,
    scenario(id) {
      const latency = TrendSchema.safeParse(metrics[`latency_${id}`]);
      const success = RateSchema.safeParse(metrics[`success_rate_${id}`]);
      const count = CounterSchema.safeParse(metrics[`request_count_${id}`]);
      const droppedCount = CounterSchema.safeParse(metrics[droppedMetric(id)]);
      if (!count.success) return undefined;
      const requests = count.data.count;
      const dropped = droppedCount.success ? droppedCount.data.count : 0;
      return {
        requests,
        dropped,
        successRate:
          success.success && requests + dropped > 0
            ? (success.data.value * requests) / (requests + dropped)
            : Number.NaN,
        medianLatencyMs: latency.success ? latency.data.med : Number.NaN,
      };
    },
  };
}

/** A metric/scenario id k6 accepts: [A-Za-z0-9_], prefixed when it would start with a digit. */
export function k6ScenarioId(name: string): string {
  const id = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(id) ? `f_${id}` : id;
}

/** Reads a k6-shaped summary into a ConfigurationLoad: a function's figures are its scenario's. */
export function readSummary(summary: unknown, source: string): ConfigurationLoad {
  const parsed = parseK6Summary(summary, source);
  return { summary, figures: (name) => parsed.scenario(k6ScenarioId(name)) };
}
