/**
 * What the `rounds` engine produces and the analyzer (../analysis/) reads: per instant, where each
 * node sent the requests its users offered, function by function — the simulation framework's
 * forwarding tables (`reports/<strategy>/minute_<t>/<fn>.csv`: rows the sending node, columns the
 * receiving one, the diagonal what it kept).
 */

/** Requests/s of one function: from node → to node → amount (from === to: kept locally). */
export type ForwardingMatrix = Record<string, Record<string, number>>;

/** `framework`: the framework's defects reproduced (int() truncation of weight × rate, Equal's
 * forwards to nodes without the function, NodeMargin's phantom forwards, PowerSaving's relief
 * count); `fixed` (the default): the live strategies, and every request accounted for. */
export type CompatMode = 'fixed' | 'framework';

export interface RoundsInstant {
  /** By function: its forwarding matrix. A node that offers the function has a row (maybe all 0). */
  forwarding: Record<string, ForwardingMatrix>;
  /**
   * By function, then the node whose users sent them: requests/s refused by the proxies before any
   * platform saw them (a peer over the limit it set for us: 429; no route with a weight: 503).
   * Always empty in `framework` mode, whose strategies have no limits.
   */
  refused: Record<string, Record<string, number>>;
}

export interface RoundsRun {
  /** The strategy's name: a dfaas strategy (all-local, recalc, node-margin, equal, power-saving, …)
   * or, in framework mode, the framework's (base, equal, node_margin, power_saving). */
  strategy: string;
  compat: CompatMode;
  /** One entry per instant of the instance. */
  instants: RoundsInstant[];
  /** Node-model predictions the strategies asked for (for the perf figure). */
  modelCalls: number;
}
