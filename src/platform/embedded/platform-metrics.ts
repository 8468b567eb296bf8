import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface FunctionMetrics {
  started: Counter.Internal;
  byCode(code: number): { invocations: Counter.Internal; seconds: Histogram.Internal<string> };
}

/** Latency buckets in seconds, from 1 ms to 60 s. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The gateway's Prometheus metrics: OpenFaaS's own names (so dashboards and the DFaaS agent's
 * queries work unchanged) plus dfaas_* for what the embedded platform measures on /proc.
 * Each platform has its own registry, so several can run in one process.
 * Every name is documented in the README (section "Metrics").
 */
export class PlatformMetrics {
  readonly registry = new Registry();

  readonly invocations = new Counter({
    name: 'gateway_function_invocation_total',
    help: 'Invocations completed, by function and HTTP status code',
    labelNames: ['function_name', 'code'] as const,
    registers: [this.registry],
  });

  readonly seconds = new Histogram({
    name: 'gateway_functions_seconds',
    help: 'Invocation duration in seconds, by function and HTTP status code',
    labelNames: ['function_name', 'code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly started = new Counter({
    name: 'gateway_function_invocation_started',
    help: 'Invocations started, by function',
    labelNames: ['function_name'] as const,
    registers: [this.registry],
  });

  readonly serviceCount = new Gauge({
    name: 'gateway_service_count',
    help: 'Desired replicas of each function',
    labelNames: ['function_name'] as const,
    registers: [this.registry],
  });

  readonly availableReplicas = new Gauge({
    name: 'dfaas_function_available_replicas',
    help: 'Replicas of each function ready to serve',
    labelNames: ['function_name'] as const,
    registers: [this.registry],
  });

  readonly inflight = new Gauge({
    name: 'dfaas_function_inflight_requests',
    help: 'Requests in flight, by function',
    labelNames: ['function_name'] as const,
    registers: [this.registry],
  });

  readonly cpuSeconds = new Gauge({
    name: 'dfaas_function_cpu_seconds_total',
    help: "CPU seconds used by a function's replica processes since it was deployed (sampled from /proc)",
    labelNames: ['function_name'] as const,
    registers: [this.registry],
  });

  readonly memoryBytes = new Gauge({
    name: 'dfaas_function_memory_bytes',
    help: "Resident memory of a function's replica processes in bytes (sampled from /proc)",
    labelNames: ['function_name'] as const,
    registers: [this.registry],
  });

  readonly coldStarts = new Histogram({
    name: 'dfaas_function_cold_start_seconds',
    help: 'Cold starts: the time the first request of a replica started for it (scale from zero or replacement) waited for it, in seconds',
    labelNames: ['function_name'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly replicaStart = new Histogram({
    name: 'dfaas_replica_start_seconds',
    help: 'Time from spawning a replica process to its readiness, in seconds',
    labelNames: ['function_name'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly replicaRestarts = new Counter({
    name: 'dfaas_replica_restarts_total',
    help: 'Replicas that ended on their own and were replaced, by reason (crash, memory, start-failed, hung)',
    labelNames: ['function_name', 'reason'] as const,
    registers: [this.registry],
  });

  readonly nodeCpu = new Gauge({
    name: 'dfaas_node_cpu_utilisation',
    help: 'Busy fraction of all CPUs of the node over the last sampling interval (0..1)',
    registers: [this.registry],
  });

  readonly nodeMemoryUsed = new Gauge({
    name: 'dfaas_node_memory_used_bytes',
    help: 'Memory in use on the node (MemTotal - MemAvailable) in bytes',
    registers: [this.registry],
  });

  readonly nodeMemoryTotal = new Gauge({
    name: 'dfaas_node_memory_total_bytes',
    help: 'Memory of the node in bytes',
    registers: [this.registry],
  });

  /**
   * One function's invocation series, bound to its labels once: resolving label sets per request
   * is a measurable share of the gateway's CPU at thousands of requests per second.
   */
  forFunction(functionName: string): FunctionMetrics {
    const byCode = new Map<number, { invocations: Counter.Internal; seconds: Histogram.Internal<string> }>();
    return {
      started: this.started.labels({ function_name: functionName }),
      byCode: (code) => {
        let series = byCode.get(code);
        if (!series) {
          const labels = { function_name: functionName, code: String(code) };
          series = { invocations: this.invocations.labels(labels), seconds: this.seconds.labels(labels) };
          byCode.set(code, series);
        }
        return series;
      },
    };
  }

  /**
   * Drops the gauges of a removed function (they describe a present that no longer exists).
   * Counters and histograms stay, as in OpenFaaS, so rates over a window that saw the function
   * remain correct.
   */
  forget(functionName: string): void {
    for (const gauge of [
      this.serviceCount,
      this.availableReplicas,
      this.inflight,
      this.cpuSeconds,
      this.memoryBytes,
    ]) {
      gauge.remove({ function_name: functionName });
    }
  }
}
