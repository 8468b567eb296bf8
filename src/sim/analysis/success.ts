import { ConfigError } from '../../core/errors.js';
import type { RoundsInstant, RoundsRun } from '../engines/rounds-result.js';
import { deploymentOf } from '../instances/deployment.js';
import {
  FRAMEWORK_GROUPS,
  FUNCTION_GROUPS,
  type FunctionGroup,
  type SimInstance,
  type SimNode,
} from '../instances/instance.js';
import type { NodeModel, Thresholds } from '../model/node-model.js';
import { type ReceivedRate, shedNode, shedsByPower } from './shedding.js';

/**
 * The analyzer's per-instant pass (the simulation framework's analyzer.py, calculate_rates_globally):
 * what each node received of each function, what it rejected and why, and each function's success
 * rate. Per instant t and node n:
 * 1. recv[n][f] = Σ over senders of the forwarding matrix of f (its column n);
 * 2. a node whose instant-0 load lacks f (f is not deployed there) rejects all of recv[n][f];
 * 3. the rest is shed by the analyzer's rule (./shedding.ts) against the node model;
 * and per function S[f][t] = (offered − rejected) / offered, 1.0 when nothing was offered. Requests
 * the proxies refused (fixed mode: a peer's limit, no route) are offered and rejected both, so in
 * fixed mode offered = served + rejected exactly.
 *
 * f ranges over the function list (instanceFunctions), functions with no load included: they
 * count S = 1.0 in the indexes as in the framework (its defect D8, kept as the index's definition).
 */

/** Requests/s of one function (or of all) at one instant, by what became of them. */
export interface Tally {
  /** Received by some node (column sums of the forwarding matrices) plus refused by the proxies. */
  offered: number;
  /** Served by the node that received them. */
  served: number;
  /** Received by a node that does not deploy the function. */
  missingFunction: number;
  /** Shed by an overloaded node (the shedding rule). */
  shed: number;
  /** Refused by a proxy before reaching a node (fixed mode only). */
  refused: number;
}

export interface FunctionInstant extends Tally {
  /** (offered − rejected) / offered, or 1.0 when nothing was offered. */
  success: number;
}

export interface NodeInstant {
  id: string;
  /** Requests/s received, all functions. */
  received: number;
  /** Requests/s served after rejecting missing functions and shedding. */
  served: number;
  /** Predicted overloaded before shedding (the framework's per-instant overloaded-nodes count). */
  overloadedBefore: boolean;
  /** Predicted power after shedding (µW), NaN when the model predicts no power. */
  powerAfter: number;
}

export interface InstantAnalysis {
  /** By function of RunAnalysis.functions. */
  functions: Record<string, FunctionInstant>;
  /** All functions together. */
  total: Tally;
  /** Σ rates the instance's users offered at this instant. It differs from total.offered only in
   * framework mode: int() truncation loses requests (defect D4), NodeMargin's phantom forwards add
   * some (D1). */
  userLoad: number;
  /** In the instance's node order. */
  nodes: NodeInstant[];
  /** Nodes predicted overloaded before shedding (the framework plots it, comparison_nodes.png). */
  overloadedNodes: number;
  /** Mean over the nodes of the power after shedding (µW); NaN when the model predicts no power. */
  meanPower: number;
  /** Highest power after shedding (µW), at least 0 as the framework's; NaN without power. */
  maxPower: number;
}

export interface RunAnalysis {
  /** The run's strategy name, as RoundsRun has it. */
  strategy: string;
  compat: RoundsRun['compat'];
  /** The function list the indexes range over, in order. */
  functions: string[];
  instants: InstantAnalysis[];
}

export interface AnalyzeOptions {
  model: NodeModel;
  thresholds: Thresholds;
  /** The functions of each group (default the framework's group_list.json), as the instance was
   * generated with. */
  groups?: Readonly<Record<FunctionGroup, readonly string[]>>;
}

/**
 * The functions the indexes range over: every function of `groups` in group order (the framework's
 * FUNCTION_NAMES: eat-memory, nmap, env, figlet, shasum, curl), then any other function the
 * instance's load or the run names, in the order first met.
 */
export function instanceFunctions(
  instance: SimInstance,
  groups: Readonly<Record<FunctionGroup, readonly string[]>> = FRAMEWORK_GROUPS,
  run?: RoundsRun,
): string[] {
  const names = new Set<string>(FUNCTION_GROUPS.flatMap((g) => groups[g]));
  for (const node of instance.nodes)
    for (const instant of node.load)
      for (const group of Object.values(instant)) for (const f of group?.functions ?? []) names.add(f.name);
  for (const instant of run?.instants ?? []) {
    for (const f of Object.keys(instant.forwarding)) names.add(f);
    for (const f of Object.keys(instant.refused)) names.add(f);
  }
  return [...names];
}

/** A node's deployment: each function it deploys and its group (../instances/deployment.ts). */
function deployment(node: SimNode): Map<string, FunctionGroup> {
  return new Map(deploymentOf(node).map((f) => [f.name, f.group]));
}

function emptyTally(): Tally {
  return { offered: 0, served: 0, missingFunction: 0, shed: 0, refused: 0 };
}

/** Total of rejected requests/s in a tally. */
export function rejected(t: Tally): number {
  return t.missingFunction + t.shed + t.refused;
}

function addTo(sum: Tally, t: Tally): void {
  sum.offered += t.offered;
  sum.served += t.served;
  sum.missingFunction += t.missingFunction;
  sum.shed += t.shed;
  sum.refused += t.refused;
}

function sumValues(record: Record<string, number> | undefined): number {
  let s = 0;
  for (const v of Object.values(record ?? {})) s += v;
  return s;
}

/** What the analysis of one instant needs of the run and the instance. */
interface Context {
  instance: SimInstance;
  options: AnalyzeOptions;
  functions: string[];
  byPower: boolean;
  deployments: Map<string, Map<string, FunctionGroup>>;
  /** The nodes in the framework's order, sorted by name (node_0, node_1, node_10, …, node_2): its
   * rejects and power sums accumulate in that order, kept so that the float sums match bit for bit. */
  walk: SimNode[];
}

/** By node, then function: the requests/s the node received (its column sums). */
function receivedByNode(ctx: Context, instant: RoundsInstant, t: number): Map<string, Map<string, number>> {
  const received = new Map(ctx.instance.nodes.map((n) => [n.id, new Map<string, number>()]));
  for (const [fn, matrix] of Object.entries(instant.forwarding))
    for (const [from, row] of Object.entries(matrix))
      for (const [to, amount] of Object.entries(row)) {
        const at = received.get(to);
        if (at === undefined)
          throw new ConfigError('rounds run', [
            { field: `instants[${t}].forwarding.${fn}.${from}`, message: `${to} is no node of the instance` },
          ]);
        at.set(fn, (at.get(fn) ?? 0) + amount);
      }
  return received;
}

function analyzeInstant(ctx: Context, instant: RoundsInstant, t: number): InstantAnalysis {
  const received = receivedByNode(ctx, instant, t);
  const tallies = new Map(ctx.functions.map((f) => [f, emptyTally()]));
  const tally = (fn: string) => tallies.get(fn) as Tally;
  for (const fn of ctx.functions) tally(fn).refused = sumValues(instant.refused[fn]);
  for (const node of ctx.walk) {
    const deployed = ctx.deployments.get(node.id) as Map<string, FunctionGroup>;
    for (const [fn, amount] of received.get(node.id) as Map<string, number>) {
      tally(fn).offered += amount;
      if (!deployed.has(fn)) tally(fn).missingFunction += amount;
    }
  }

  const outcomes = new Map<string, NodeInstant>();
  for (const node of ctx.walk) {
    const recv = received.get(node.id) as Map<string, number>;
    const rates: ReceivedRate[] = [...(ctx.deployments.get(node.id) ?? [])].map(([name, group]) => ({
      name,
      group,
      rate: recv.get(name) ?? 0,
    }));
    const result = shedNode({
      model: ctx.options.model,
      type: node.type,
      max: ctx.options.thresholds[node.type],
      received: rates,
      byPower: ctx.byPower,
    });
    for (const f of rates) {
      tally(f.name).shed += result.shed[f.name] ?? 0;
      tally(f.name).served += result.served[f.name] ?? 0;
    }
    outcomes.set(node.id, {
      id: node.id,
      received: sumValues(Object.fromEntries(recv)),
      served: sumValues(result.served),
      overloadedBefore: result.overloadedBefore,
      powerAfter: result.powerAfter ?? Number.NaN,
    });
  }

  const total = emptyTally();
  const functions: Record<string, FunctionInstant> = {};
  for (const fn of ctx.functions) {
    const f = tally(fn);
    f.offered += f.refused;
    addTo(total, f);
    functions[fn] = { ...f, success: f.offered > 0 ? (f.offered - rejected(f)) / f.offered : 1.0 };
  }
  let userLoad = 0;
  for (const node of ctx.instance.nodes)
    for (const group of Object.values(node.load[t] ?? {}))
      for (const f of group?.functions ?? []) userLoad += f.rate;
  // The framework's power figures: a sequential sum in its node order, a max starting from 0.
  let powerSum = 0;
  let maxPower = 0;
  for (const node of ctx.walk) {
    const power = (outcomes.get(node.id) as NodeInstant).powerAfter;
    powerSum += power;
    if (power > maxPower) maxPower = power;
  }
  const nodes = ctx.instance.nodes.map((n) => outcomes.get(n.id) as NodeInstant);
  return {
    functions,
    total,
    userLoad,
    nodes,
    overloadedNodes: nodes.filter((n) => n.overloadedBefore).length,
    meanPower: powerSum / nodes.length,
    maxPower: Number.isNaN(powerSum) ? Number.NaN : maxPower,
  };
}

/** The run's instants analysed one by one (see the module comment). */
export function analyzeRun(run: RoundsRun, instance: SimInstance, options: AnalyzeOptions): RunAnalysis {
  const short = instance.nodes.find((n) => n.load.length < run.instants.length);
  if (short !== undefined)
    throw new ConfigError('rounds run', [
      {
        field: 'instants',
        message: `the run has ${run.instants.length} instants but ${short.id} of the instance has load for ${short.load.length}`,
      },
    ]);
  const functions = instanceFunctions(instance, options.groups, run);
  const ctx: Context = {
    instance,
    options,
    functions,
    byPower: shedsByPower(run.strategy),
    deployments: new Map(instance.nodes.map((n) => [n.id, deployment(n)])),
    walk: [...instance.nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
  return {
    strategy: run.strategy,
    compat: run.compat,
    functions,
    instants: run.instants.map((instant, t) => analyzeInstant(ctx, instant, t)),
  };
}
