import type { LocalPlatform } from '../platform/local/platform.js';
import type { NodeSample } from './cooldown.js';

export interface NodeNow extends NodeSample {
  cores: number;
}

/** A function's resource figures, averaged over a load window. */
export interface FunctionWindow {
  /** Percent of one core. */
  cpuPct: number;
  ramBytes: number;
  /** Watts; NaN where not measured. */
  powerW: number;
  /** Most replicas seen in the window. */
  replicas: number;
}

export interface WindowFigures {
  node: NodeNow;
  functions: Record<string, FunctionWindow>;
}

/** Where the sampler reads what the node did: the embedded platform, or Prometheus. */
export interface MetricsSource {
  /** The node's figures now (for the idle baseline and cooldown). */
  node(): Promise<NodeNow>;
  /** Replicas of a function now. */
  replicas(name: string): Promise<number>;
  /** Starts collecting over a load window; `stop` ends it and gives the averages. */
  startWindow(functions: string[]): { stop(): Promise<WindowFigures> };
}

const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

/**
 * The embedded platform's own figures (its /proc sampling), read in-process every second of the
 * window: no Prometheus needed. Power is not measured (NaN).
 */
export class LocalMetricsSource implements MetricsSource {
  constructor(
    private readonly platform: LocalPlatform,
    private readonly everyMs = 1000,
  ) {}

  async node(): Promise<NodeNow> {
    const { node } = this.platform.snapshot();
    return {
      cpuPct: node.cpuUtilisation * node.cores * 100,
      ramBytes: node.memoryUsedBytes,
      ramPct: node.memoryTotalBytes > 0 ? (node.memoryUsedBytes / node.memoryTotalBytes) * 100 : Number.NaN,
      powerW: Number.NaN,
      cores: node.cores,
    };
  }

  async replicas(name: string): Promise<number> {
    return this.platform.snapshot().functions[name]?.replicas ?? 0;
  }

  startWindow(functions: string[]): { stop(): Promise<WindowFigures> } {
    const nodes: NodeNow[] = [];
    const perFunction = new Map(
      functions.map((f) => [f, { cpu: [] as number[], ram: [] as number[], replicas: 0 }]),
    );
    const take = async () => {
      nodes.push(await this.node());
      const snapshot = this.platform.snapshot();
      for (const [name, acc] of perFunction) {
        const f = snapshot.functions[name];
        if (!f) continue;
        acc.cpu.push(f.cpuMillicores / 10);
        acc.ram.push(f.memoryBytes);
        acc.replicas = Math.max(acc.replicas, f.replicas);
      }
    };
    const timer = setInterval(() => void take(), this.everyMs);
    return {
      stop: async () => {
        clearInterval(timer);
        await take();
        const node: NodeNow = {
          cpuPct: mean(nodes.map((n) => n.cpuPct)),
          ramBytes: mean(nodes.map((n) => n.ramBytes)),
          ramPct: mean(nodes.map((n) => n.ramPct)),
          powerW: Number.NaN,
          cores: nodes[0]?.cores ?? 1,
        };
        const fns: Record<string, FunctionWindow> = {};
        for (const [name, acc] of perFunction) {
          fns[name] = {
            cpuPct: mean(acc.cpu),
            ramBytes: mean(acc.ram),
            powerW: Number.NaN,
            replicas: acc.replicas,
          };
        }
        return { node, functions: fns };
      },
    };
  }
}
