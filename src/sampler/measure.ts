/**
 * One run of a configuration: its load, what the node and its functions did over the load window
 * (read from the metrics source), overload decided by the configuration's rules, and the files of
 * the run (its results.csv row, its time series, its k6 script) made from them.
 */
import type { SamplerConfig } from '../config/sampler.js';
import type { Logger } from '../core/logger.js';
import { loadBetweenLines, metricsSeriesCsv } from '../dataset/metrics-series.js';
import type { FunctionResult } from '../dataset/results.js';
import type { ConfigurationLoad, LoadDriver, LoadTarget } from '../load/index.js';
import { writeK6Script } from '../load/k6/script.js';
import { failuresByCause, k6ScenarioId, parseK6Summary } from '../load/k6-summary.js';
import type { MetricsSource, NodeSample, WindowSample } from '../metrics/contract.js';
import { functionOverloaded, nodeOverloaded } from './overload.js';
import type { PlannedConfig } from './plan.js';

/** Sends the configuration's load and reads what it did: the results.csv row, the summary, the series. */
export async function measure(
  config: SamplerConfig,
  planned: PlannedConfig,
  on: {
    target: LoadTarget;
    load: LoadDriver;
    metrics: MetricsSource;
    baseline: NodeSample;
    signal?: AbortSignal;
  },
  restSeconds: number,
) {
  const { metrics, baseline } = on;
  const window = metrics.startWindow(Object.keys(planned.rates));
  const loadStartMs = Date.now();
  let load: ConfigurationLoad;
  try {
    load = await on.load.run(planned, on.target, on.signal);
  } catch (err) {
    await window.stop(); // its sampling timer would keep the process alive
    throw err;
  }
  const loadEndMs = Date.now();
  const figures = await window.stop();
  const meanLatency = meanLatencies(load.summary);
  const functions: FunctionResult[] = Object.entries(planned.rates).map(([name, rate]) => {
    const r = load.figures(name);
    const f = figures.functions[name] ?? {
      cpuPct: Number.NaN,
      ramBytes: Number.NaN,
      powerMicrowatts: Number.NaN,
      replicas: 0,
    };
    // A function with rate 0 has no requests: as the reference writes it, success rate 1 and
    // latency 0, never overloaded; its CPU and RAM are still measured.
    const successRate = rate > 0 ? (r?.successRate ?? Number.NaN) : 1;
    return {
      name,
      rate,
      successRate,
      cpuPct: f.cpuPct,
      ramBytes: f.ramBytes,
      powerMicrowatts: f.powerMicrowatts,
      replicas: f.replicas,
      overloaded: rate > 0 && functionOverloaded(successRate, f.replicas, config.overload),
      // No successful answer, no latency: the summary's Trend of failures (or its empty 0) is not one.
      meanLatencyMs: rate === 0 ? 0 : r && r.requests > 0 && successRate > 0 ? meanLatency(name) : Number.NaN,
    };
  });
  const loaded = functions.filter((f) => f.rate > 0);
  const meanSuccessRate =
    loaded.length > 0 ? loaded.reduce((a, f) => a + f.successRate, 0) / loaded.length : Number.NaN;
  const n = figures.node;
  const overloaded = nodeOverloaded(
    {
      meanSuccessRate,
      cpuPct: n.cpuPct,
      cores: n.cores,
      ramPct: n.ramPct,
      anyFunctionOverloaded: functions.some((f) => f.overloaded),
    },
    config.overload,
  );
  return {
    summary: load.summary,
    /** When the load ran (epoch ms), for the Grafana annotation. */
    loadWindow: { startMs: loadStartMs, endMs: loadEndMs },
    series: seriesCsv(planned, figures.series, load, loadStartMs),
    row: {
      functions,
      node: {
        idleCpuPct: baseline.cpuPct,
        cpuPct: n.cpuPct,
        idleRamBytes: baseline.ramBytes,
        ramBytes: n.ramBytes,
        idleRamPct: baseline.ramPct,
        ramPct: n.ramPct,
        idlePowerMicrowatts: baseline.powerMicrowatts,
        powerMicrowatts: n.powerMicrowatts,
        restSeconds,
        overloaded,
      },
    },
  };
}

/** metrics/ID-ITERATION.csv: what the metrics source sampled, with the load between its samples. */
function seriesCsv(
  planned: PlannedConfig,
  samples: WindowSample[],
  load: ConfigurationLoad,
  loadStartMs: number,
): string {
  const names = Object.keys(planned.rates).sort();
  const timesS = samples.map((s) => (s.atMs - loadStartMs) / 1000);
  const loaded = names.filter((n) => (planned.rates[n] ?? 0) > 0);
  const between = loadBetweenLines(
    timesS,
    Object.fromEntries(loaded.map((n) => [n, load.timeline?.(n)])),
    loadStartMs,
  );
  return metricsSeriesCsv(
    names,
    samples.map(({ atMs: _, ...s }, i) => ({ ...s, timeS: timesS[i] as number, load: between[i] ?? {} })),
  );
}

/** A function's mean latency in ms (its `latency_ID` Trend's avg) in a k6-shaped summary; NaN when absent. */
function meanLatencies(summary: unknown): (name: string) => number {
  let metrics: Record<string, Record<string, unknown>> = {};
  try {
    metrics = parseK6Summary(summary, 'summary').summary.metrics;
  } catch {
    // Not a summary: no latencies (load.figures already refused it).
  }
  return (name) => {
    const avg = metrics[`latency_${k6ScenarioId(name)}`]?.avg;
    return typeof avg === 'number' ? avg : Number.NaN;
  };
}

/** The configuration's k6 script (k6_scripts/ID.js), with the gateway's URL in it. */
export function k6Script(config: SamplerConfig, planned: PlannedConfig, gatewayUrl: string): string {
  return writeK6Script(
    config.functions
      .filter((f) => f.name in planned.rates)
      .map((f) => ({
        name: f.name,
        method: f.method,
        url: `${gatewayUrl}/function/${f.name}`,
        body: f.body,
        headers: f.headers,
        rate: planned.rates[f.name] ?? 0,
      })),
    { duration: `${config.duration / 1000}s` },
  );
}

/** A line on screen for each function that had failed requests in a run, with their causes. */
export function reportFailures(planned: PlannedConfig, summary: unknown, logger: Logger): void {
  for (const name of Object.keys(planned.rates)) {
    const causes = Object.entries(failuresByCause(summary, k6ScenarioId(name)));
    if (causes.length === 0) continue;
    logger.info(
      `${name} at ${planned.rates[name]} requests/s: ${causes.reduce((a, [, n]) => a + n, 0)} failed (${causes
        .sort(([, a], [, b]) => b - a)
        .map(([cause, n]) => `${cause} ×${n}`)
        .join(', ')})`,
      { id: planned.id, function: name, failures: Object.fromEntries(causes) },
    );
  }
}
