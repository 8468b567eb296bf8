import type { Logger } from '../../core/logger.js';
import { sleep } from '../../core/poll.js';
import type { FunctionWindow, MetricsSource, NodeNow, WindowFigures, WindowSample } from '../contract.js';
import { averageThenSum, type PrometheusClient, type RangeSeries, sumAtEachTime } from './client.js';
import { fillQuery, type PrometheusQueries } from './queries.js';

export interface PrometheusSourceOptions {
  /** Length of a load window, in ms: it sets the query step and the rate window. */
  durationMs: number;
  /** Per function, the regex of its processes' command lines (for Scaphandre's power). */
  pidRegexes: Record<string, string>;
  /** Without Scaphandre, power is NaN without asking. */
  scaphandre: boolean;
  logger: Logger;
  /** How long check() asks again for queries that have no series yet, in ms. */
  settleMs: number;
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
    const [cpuPct, ramBytes, ramPct, powerMicrowatts, cores] = await Promise.all([
      this.instant(this.queries.node_cpu),
      this.instant(this.queries.node_ram),
      this.instant(this.queries.node_ram_pct),
      this.options.scaphandre ? this.instant(this.queries.node_power) : Promise.resolve(Number.NaN),
      this.instant(this.queries.node_cores),
    ]);
    return {
      cpuPct,
      ramBytes,
      ramPct,
      powerMicrowatts,
      cores: Number.isFinite(cores) && cores > 0 ? cores : 1,
    };
  }

  /**
   * Every query the run will ask returns a series: the node's, and per function its replicas
   * (and its CPU and RAM while it has replicas: a function scaled to zero has no container to
   * measure), power with Scaphandre. Prometheus that does not answer fails at once; queries
   * without series are asked again for `settleMs` (a Prometheus just started has not scraped
   * yet, and a rate needs two scrapes), then reported.
   */
  async check(functions: string[]): Promise<string[]> {
    const deadline = performance.now() + this.options.settleMs;
    for (;;) {
      const problems: string[] = [];
      const ask = async (name: keyof PrometheusQueries, fn?: string) => {
        const expr = this.fill(this.queries[name], fn);
        const series = await this.client.query(expr);
        if (series.length === 0) problems.push(`${name}${fn ? ` for ${fn}` : ''} returns no series: ${expr}`);
        return series.reduce((sum, r) => sum + Number(r.value[1]), 0);
      };
      try {
        await Promise.all([
          ask('node_cpu'),
          ask('node_cores'),
          ask('node_ram'),
          ask('node_ram_pct'),
          this.options.scaphandre ? ask('node_power') : undefined,
          ...functions.map(async (fn) => {
            if ((await ask('function_replicas', fn)) <= 0) return;
            await Promise.all([
              ask('function_cpu', fn),
              ask('function_ram', fn),
              this.options.scaphandre && this.options.pidRegexes[fn] ? ask('function_power', fn) : undefined,
            ]);
          }),
        ]);
      } catch (err) {
        return [(err as Error).message];
      }
      if (problems.length === 0 || performance.now() >= deadline) return problems.sort();
      await sleep(Math.min(1000, Math.max(0, deadline - performance.now())));
    }
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
        const none = Promise.resolve<RangeSeries[]>([]);
        const [cpu, ram, ramPct, power, cores] = await Promise.all([
          range(this.queries.node_cpu),
          range(this.queries.node_ram),
          range(this.queries.node_ram_pct),
          this.options.scaphandre ? range(this.queries.node_power) : none,
          this.instant(this.queries.node_cores),
        ]);
        const perFunction = await Promise.all(
          functions.map(async (name) => {
            const [fcpu, fram, fpower, replicas] = await Promise.all([
              range(this.queries.function_cpu, name),
              range(this.queries.function_ram, name),
              this.options.scaphandre && this.options.pidRegexes[name]
                ? range(this.queries.function_power, name)
                : none,
              range(this.queries.function_replicas, name),
            ]);
            return { name, cpu: fcpu, ram: fram, power: fpower, replicas };
          }),
        );
        const fns: Record<string, FunctionWindow> = {};
        for (const f of perFunction) {
          const most = Math.max(...sumAtEachTime(f.replicas).values());
          fns[f.name] = {
            cpuPct: averageThenSum(f.cpu),
            ramBytes: averageThenSum(f.ram),
            powerMicrowatts: averageThenSum(f.power),
            replicas: Number.isFinite(most) ? most : 0,
          };
        }
        return {
          node: {
            cpuPct: averageThenSum(cpu),
            ramBytes: averageThenSum(ram),
            ramPct: averageThenSum(ramPct),
            powerMicrowatts: averageThenSum(power),
            cores: Number.isFinite(cores) && cores > 0 ? cores : 1,
          },
          functions: fns,
          series: seriesOf({ cpu, ram, ramPct, power }, perFunction),
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

  private async range(query: string, start: number, end: number, fn?: string): Promise<RangeSeries[]> {
    const expr = this.fill(query, fn);
    try {
      return await this.client.queryRange(expr, start, Math.max(end, start + this.stepSec), this.stepSec);
    } catch (err) {
      this.options.logger.debug('prometheus query failed', { query: expr, error: (err as Error).message });
      return [];
    }
  }
}

/** The window's time series: at each evaluation time any query answered, every figure (NaN where none). */
function seriesOf(
  node: Record<'cpu' | 'ram' | 'ramPct' | 'power', RangeSeries[]>,
  functions: {
    name: string;
    cpu: RangeSeries[];
    ram: RangeSeries[];
    power: RangeSeries[];
    replicas: RangeSeries[];
  }[],
): WindowSample[] {
  const nodeSums = {
    cpu: sumAtEachTime(node.cpu),
    ram: sumAtEachTime(node.ram),
    ramPct: sumAtEachTime(node.ramPct),
    power: sumAtEachTime(node.power),
  };
  const fnSums = functions.map((f) => ({
    name: f.name,
    cpu: sumAtEachTime(f.cpu),
    ram: sumAtEachTime(f.ram),
    power: sumAtEachTime(f.power),
    replicas: sumAtEachTime(f.replicas),
  }));
  const times = new Set<number>();
  for (const m of [...Object.values(nodeSums), ...fnSums.flatMap((f) => [f.cpu, f.ram, f.power, f.replicas])])
    for (const t of m.keys()) times.add(t);
  const at = (m: Map<number, number>, t: number) => m.get(t) ?? Number.NaN;
  return [...times]
    .sort((a, b) => a - b)
    .map((t) => ({
      atMs: t * 1000,
      node: {
        cpuPct: at(nodeSums.cpu, t),
        ramBytes: at(nodeSums.ram, t),
        ramPct: at(nodeSums.ramPct, t),
        powerMicrowatts: at(nodeSums.power, t),
      },
      functions: Object.fromEntries(
        fnSums.map((f) => [
          f.name,
          {
            cpuPct: at(f.cpu, t),
            ramBytes: at(f.ram, t),
            powerMicrowatts: at(f.power, t),
            replicas: at(f.replicas, t),
          },
        ]),
      ),
    }));
}
