import type { Logger } from '../config/logger.js';
import { fillQuery, type PrometheusQueries } from '../config/prometheus-queries.js';
import { averageThenSum, type PrometheusClient } from '../metrics/prometheus.js';
import type { FunctionWindow, MetricsSource, NodeNow, WindowFigures } from './metrics-source.js';

export interface PrometheusSourceOptions {
  /** Length of a load window, in ms: it sets the query step and the rate window. */
  durationMs: number;
  /** Per function, the regex of its processes' command lines (for Scaphandre's power). */
  pidRegexes: Record<string, string>;
  /** Without Scaphandre, power is NaN without asking. */
  scaphandre: boolean;
  logger: Logger;
}

/**
 * The sampler's metrics from Prometheus: instant queries for the baseline and cooldown, range
 * queries over each load window (a 10 s step for windows of 20 s and more, shorter below),
 * each series averaged over time and the series summed. A failed or empty query is NaN.
 */
export class PrometheusMetricsSource implements MetricsSource {
  private readonly stepSec: number;
  private readonly window: string;

  constructor(
    private readonly client: PrometheusClient,
    private readonly queries: PrometheusQueries,
    private readonly options: PrometheusSourceOptions,
  ) {
    const seconds = options.durationMs / 1000;
    this.stepSec = seconds >= 20 ? 10 : Math.max(1, Math.floor(seconds / 2));
    this.window = `${Math.max(5, 2 * this.stepSec)}s`;
  }

  async node(): Promise<NodeNow> {
    const [cpuPct, ramBytes, ramPct, powerW, cores] = await Promise.all([
      this.instant(this.queries.node_cpu),
      this.instant(this.queries.node_ram),
      this.instant(this.queries.node_ram_pct),
      this.options.scaphandre ? this.instant(this.queries.node_power) : Promise.resolve(Number.NaN),
      this.instant(this.queries.node_cores),
    ]);
    return { cpuPct, ramBytes, ramPct, powerW, cores: Number.isFinite(cores) && cores > 0 ? cores : 1 };
  }

  async replicas(name: string): Promise<number> {
    const v = await this.instant(this.queries.function_replicas, name);
    return Number.isFinite(v) ? v : 0;
  }

  startWindow(functions: string[]): { stop(): Promise<WindowFigures> } {
    const start = Date.now() / 1000;
    return {
      stop: async () => {
        const end = Date.now() / 1000;
        const range = (q: string, fn?: string) => this.range(q, start, end, fn);
        const [cpuPct, ramBytes, ramPct, powerW, cores] = await Promise.all([
          range(this.queries.node_cpu),
          range(this.queries.node_ram),
          range(this.queries.node_ram_pct),
          this.options.scaphandre ? range(this.queries.node_power) : Promise.resolve(Number.NaN),
          this.instant(this.queries.node_cores),
        ]);
        const fns: Record<string, FunctionWindow> = {};
        await Promise.all(
          functions.map(async (name) => {
            const [cpu, ram, power, replicas] = await Promise.all([
              range(this.queries.function_cpu, name),
              range(this.queries.function_ram, name),
              this.options.scaphandre && this.options.pidRegexes[name]
                ? range(this.queries.function_power, name)
                : Promise.resolve(Number.NaN),
              this.replicas(name),
            ]);
            fns[name] = { cpuPct: cpu, ramBytes: ram, powerW: power, replicas };
          }),
        );
        return {
          node: { cpuPct, ramBytes, ramPct, powerW, cores: Number.isFinite(cores) && cores > 0 ? cores : 1 },
          functions: fns,
        };
      },
    };
  }

  private fill(query: string, fn?: string): string {
    return fillQuery(query, {
      window: this.window,
      ...(fn ? { function: fn } : {}),
      ...(fn && this.options.pidRegexes[fn] ? { pidRegex: this.options.pidRegexes[fn] } : {}),
    });
  }

  private async instant(query: string, fn?: string): Promise<number> {
    const expr = this.fill(query, fn);
    try {
      const result = await this.client.query(expr);
      if (result.length === 0) return Number.NaN;
      return result.reduce((sum, r) => sum + Number(r.value[1]), 0);
    } catch (err) {
      this.options.logger.debug('prometheus query failed', { query: expr, error: (err as Error).message });
      return Number.NaN;
    }
  }

  private async range(query: string, start: number, end: number, fn?: string): Promise<number> {
    const expr = this.fill(query, fn);
    try {
      return averageThenSum(
        await this.client.queryRange(expr, start, Math.max(end, start + this.stepSec), this.stepSec),
      );
    } catch (err) {
      this.options.logger.debug('prometheus query failed', { query: expr, error: (err as Error).message });
      return Number.NaN;
    }
  }
}
