/**
 * The load-driver boundary: what sends one configuration's load (a rate per function for a
 * duration) and reports it as a k6 `--summary-export` summary, whichever driver sent it.
 * Implementations: `builtin/` (dfaas's own open-model generator) and `k6/` (k6 itself, on this
 * machine or on a k6 host over SSH). `index.ts` picks one from a configuration.
 */

/** What a measurement needs of one function's load, read from any k6 summary (ours or k6's). */
export interface ScenarioFigures {
  /** Requests sent. */
  requests: number;
  /** Arrivals dropped for want of a free VU (0 when the summary does not say). */
  dropped: number;
  /** Share of the arrivals answered with 2xx: a dropped arrival counts as a failure. */
  successRate: number;
  /** Median latency in ms. */
  medianLatencyMs: number;
}

/** One configuration of load: requests per second per function (absent or 0: not loaded). */
export interface LoadConfiguration {
  rates: Record<string, number>;
}

/** One second of a function's load, counted from the start of the run. */
export interface LoadSecond {
  /** Requests sent in that second. */
  sent: number;
  /** Answers received in that second: 2xx, and the others (another status, or a transport error). */
  ok: number;
  failed: number;
  /** Sum of the latencies (µs) of the answers with a status received in that second, and how many. */
  latencyUs: number;
  timed: number;
}

/** A function's load second by second (the built-in generator's; k6's summary has none). */
export interface LoadTimeline {
  /** When the run started, ms since the epoch. */
  startedAtMs: number;
  seconds: LoadSecond[];
}

/** What one configuration's load did, read from its k6-shaped summary whichever driver sent it. */
export interface ConfigurationLoad {
  /** The k6 `--summary-export` JSON (saved as summaries/ID-ITERATION.json). */
  summary: unknown;
  /** Per function with a rate above 0; undefined for the others. */
  figures(functionName: string): ScenarioFigures | undefined;
  /** Per function with a rate above 0, when the driver counts second by second. */
  timeline?(functionName: string): LoadTimeline | undefined;
}

export interface LoadTarget {
  /** Base URL of the gateway. */
  gatewayUrl: string;
  /** The configuration's k6 script, already in k6_scripts/ (with that URL in it). */
  scriptPath: string;
}

/** Sends a configuration's load: the built-in generator, or k6 running its script. */
export interface LoadDriver {
  readonly where: string;
  /** Fails early when the driver cannot work (k6 host unreachable, key refused). */
  open(): Promise<void>;
  /**
   * `signal`: Ctrl-C. The load stops sending when it aborts (what it sent so far is summarised);
   * a k6 on a remote host finishes its configuration.
   */
  run(configuration: LoadConfiguration, target: LoadTarget, signal?: AbortSignal): Promise<ConfigurationLoad>;
  close(): Promise<void>;
}
