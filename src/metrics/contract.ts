/**
 * The metrics-source boundary: where a measurement (the sampler's sweep, a bench run) reads what
 * the node did. Implementations: `embedded/` (the embedded platform's own /proc sampling, no
 * Prometheus needed) and `prometheus/` (node_exporter, cAdvisor, the gateway and Scaphandre
 * through the Prometheus HTTP API, with queries from a file). `index.ts` picks one by name.
 */

/** The node's figures at one moment. */
export interface NodeSample {
  /** Percent, one core = 100. */
  cpuPct: number;
  ramBytes: number;
  ramPct: number;
  /**
   * Microwatts, as Scaphandre reports them and the DFaaS datasets record them (no scaling: the
   * queries file's node_power and function_power must return microwatts); NaN where not measured.
   */
  powerMicrowatts: number;
}

export interface NodeNow extends NodeSample {
  cores: number;
}

/** A function's resource figures, averaged over a load window. */
export interface FunctionWindow {
  /** Percent of one core. */
  cpuPct: number;
  ramBytes: number;
  /** Microwatts (see NodeSample); NaN where not measured. */
  powerMicrowatts: number;
  /** Most replicas seen in the window. */
  replicas: number;
}

/** One point of a load window's time series (metrics/ID-ITERATION.csv). */
export interface WindowSample {
  /** When, in ms since the epoch. */
  atMs: number;
  node: NodeSample;
  functions: Record<string, FunctionWindow>;
}

export interface WindowFigures {
  node: NodeNow;
  functions: Record<string, FunctionWindow>;
  /** What the averages were made of, in time order. */
  series: WindowSample[];
}

/** Where the sampler reads what the node did: the embedded platform, or Prometheus. */
export interface MetricsSource {
  /** The node's figures now (for the idle baseline and cooldown). */
  node(): Promise<NodeNow>;
  /** Replicas of a function now. */
  replicas(name: string): Promise<number>;
  /**
   * Pre-flight: what would make every figure of a run NaN or wrong (Prometheus not answering, a
   * query of the profile with no series for these functions), one line per problem; none: [].
   */
  check(functions: string[]): Promise<string[]>;
  /** Starts collecting over a load window; `stop` ends it and gives the averages. */
  startWindow(functions: string[]): { stop(): Promise<WindowFigures> };
}
