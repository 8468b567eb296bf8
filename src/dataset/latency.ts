/**
 * latency.csv: the latency tails results.csv has no room for (it keeps the reference's columns),
 * one row per configuration, iteration and loaded function, read from the run's k6-shaped summary
 * (summaries/ID-ITERATION.json). Latencies in ms from each request's scheduled start to its full
 * answer; `failed` are answers other than 2xx and transport errors, `dropped` the arrivals never
 * sent for want of a free VU. A statistic the summary does not hold (p99 of a k6 run without
 * dfaas's summaryTrendStats) is nan.
 */
import { CounterSchema, k6ScenarioId, parseK6Summary, RateSchema, TrendSchema } from '../load/k6-summary.js';
import { cell } from './cells.js';

export const LATENCY_FILE = 'latency.csv';

export const LATENCY_HEADER = [
  'id',
  'iteration',
  'function',
  'rate',
  'requests',
  'successful',
  'failed',
  'dropped',
  'latency_mean_ms',
  'latency_p50_ms',
  'latency_p90_ms',
  'latency_p95_ms',
  'latency_p99_ms',
  'latency_max_ms',
].join(',');

/** latency.csv's lines of one run: a line per function loaded (rate above 0), in name order. */
export function latencyLines(
  id: string,
  iteration: number,
  rates: Record<string, number>,
  summary: unknown,
): string[] {
  let metrics: Record<string, Record<string, unknown>> = {};
  try {
    metrics = parseK6Summary(summary, 'summary').summary.metrics;
  } catch {
    // Not a summary: every figure nan.
  }
  return Object.keys(rates)
    .filter((n) => (rates[n] ?? 0) > 0)
    .sort()
    .map((name) => {
      const sid = k6ScenarioId(name);
      const latency = TrendSchema.safeParse(metrics[`latency_${sid}`]);
      const success = RateSchema.safeParse(metrics[`success_rate_${sid}`]);
      const count = CounterSchema.safeParse(metrics[`request_count_${sid}`]);
      const dropped = CounterSchema.safeParse(metrics[`dropped_iterations{scenario:${sid}}`]);
      const t = latency.success ? latency.data : undefined;
      // A function with no successful answer has no latency: its Trend is of failures, or empty.
      const answered = success.success ? success.data.passes > 0 : t !== undefined;
      const stat = (v: number | undefined) => (answered && v !== undefined ? v : Number.NaN);
      return [
        id,
        iteration,
        name,
        rates[name] as number,
        count.success ? count.data.count : Number.NaN,
        success.success ? success.data.passes : Number.NaN,
        success.success ? success.data.fails : Number.NaN,
        dropped.success ? dropped.data.count : 0,
        stat(t?.avg),
        stat(t?.med),
        stat(t?.['p(90)']),
        stat(t?.['p(95)']),
        stat(t?.['p(99)']),
        stat(t?.max),
      ]
        .map(cell)
        .join(',');
    });
}
