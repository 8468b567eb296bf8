import { availableParallelism } from 'node:os';
import type { EmbeddedPlatform } from '../../platform/embedded/platform.js';
import type { FunctionWindow, MetricsSource, NodeNow, WindowFigures, WindowSample } from '../contract.js';

const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * The embedded platform's own figures (its /proc sampling), read in-process every second of the
 * window: no Prometheus needed. Power is not measured (NaN).
 */
export class EmbeddedMetricsSource implements MetricsSource {
  constructor(
    private readonly platform: EmbeddedPlatform,
    private readonly everyMs = 1000,
  ) {}

  async node(): Promise<NodeNow> {
    const { node } = this.platform.snapshot();
    return {
      cpuPct: node.cpuUtilisation * node.cores * 100,
      ramBytes: node.memoryUsedBytes,
      ramPct: node.memoryTotalBytes > 0 ? (node.memoryUsedBytes / node.memoryTotalBytes) * 100 : Number.NaN,
      powerMicrowatts: Number.NaN,
      // The node's capacity is the cores this process may run on: a sampler started under
      // `taskset -c 0` (a one-core node type) judges CPU overload against one core, not the machine's.
      cores: Math.min(node.cores, availableParallelism()),
    };
  }

  /** The platform is in this process: only a function it does not run would give no figures. */
  async check(functions: string[]): Promise<string[]> {
    const running = this.platform.snapshot().functions;
    return functions.filter((f) => !(f in running)).map((f) => `the embedded platform does not run ${f}`);
  }

  async replicas(name: string): Promise<number> {
    return this.platform.snapshot().functions[name]?.replicas ?? 0;
  }

  startWindow(functions: string[]): { stop(): Promise<WindowFigures> } {
    const series: WindowSample[] = [];
    let cores = 1;
    const take = async () => {
      const node = await this.node();
      cores = node.cores;
      const snapshot = this.platform.snapshot();
      const sample: WindowSample = { atMs: Date.now(), node, functions: {} };
      for (const name of functions) {
        const f = snapshot.functions[name];
        if (!f) continue;
        sample.functions[name] = {
          cpuPct: f.cpuMillicores / 10,
          ramBytes: f.memoryBytes,
          powerMicrowatts: Number.NaN,
          replicas: f.replicas,
        };
      }
      series.push(sample);
    };
    // A sample at the start (for the series only: it shows the node before the load), then
    // every second, and one at the end.
    void take();
    const timer = setInterval(() => void take(), this.everyMs);
    return {
      stop: async () => {
        clearInterval(timer);
        await take();
        const during = series.slice(1);
        const node: NodeNow = {
          cpuPct: mean(during.map((s) => s.node.cpuPct)),
          ramBytes: mean(during.map((s) => s.node.ramBytes)),
          ramPct: mean(during.map((s) => s.node.ramPct)),
          powerMicrowatts: Number.NaN,
          cores,
        };
        const fns: Record<string, FunctionWindow> = {};
        for (const name of functions) {
          const seen = during.flatMap((s) => s.functions[name] ?? []);
          fns[name] = {
            cpuPct: mean(seen.map((f) => f.cpuPct)),
            ramBytes: mean(seen.map((f) => f.ramBytes)),
            powerMicrowatts: Number.NaN,
            replicas: Math.max(0, ...seen.map((f) => f.replicas)),
          };
        }
        return { node, functions: fns, series };
      },
    };
  }
}
