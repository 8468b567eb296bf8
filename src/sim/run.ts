import { join } from 'node:path';
import { ConfigError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { STRATEGY_NAMES, type StrategyName, type StrategyParams } from '../offload/strategies/index.js';
import { strategyLabel, writeIndexComparison } from './analysis/csv.js';
import { computeIndexes, type Indexes } from './analysis/indexes.js';
import { analyzeRun, instanceFunctions, type RunAnalysis } from './analysis/success.js';
import { frameworkRound } from './compat/framework-round.js';
import { FRAMEWORK_STRATEGY_NAMES, type FrameworkStrategyName } from './compat/framework-strategies.js';
import { runEvents } from './engines/events/engine.js';
import type { EventsResult } from './engines/events/result.js';
import type { EventsOptionsInput } from './engines/events/scenario.js';
import { writeForwardingTables } from './engines/forwarding-tables.js';
import { runRounds } from './engines/rounds.js';
import type { CompatMode, RoundsRun } from './engines/rounds-result.js';
import { type SimInstance, writeInstance } from './instances/instance.js';
import type { NodeModel, Thresholds } from './model/node-model.js';

/**
 * One simulation run: every strategy on one instance with one engine, and what it writes in its
 * folder:
 * - `instance.json`, the instance it ran (so the folder replays and `dfaas sim analyze` reads it);
 * - rounds: `reports/<strategy>/minute_<t>/<function>.csv`, the framework's forwarding tables (when
 *   `tables`), `index_comparison.csv` (the framework's seven indexes per strategy) and
 *   `analysis.json` (per strategy, instant and function: offered, served, rejected by cause);
 * - events: `events.json` (per strategy: totals, success, forwarded share, latency percentiles,
 *   per-node counts over time);
 * - `summary.json`: what the command prints with --json.
 */

export type SimEngine = 'rounds' | 'events';

/** The strategies a run takes by default: the framework's four, as dfaas has them (fixed) or as
 * the framework wrote them (`--compat framework`). */
export const DEFAULT_STRATEGIES: Record<CompatMode, readonly string[]> = {
  fixed: ['all-local', 'equal', 'node-margin', 'power-saving'],
  framework: FRAMEWORK_STRATEGY_NAMES,
};

export interface SimRunOptions {
  instance: SimInstance;
  engine: SimEngine;
  /** Validated by checkStrategies. */
  strategies: readonly string[];
  compat: CompatMode;
  model: NodeModel;
  thresholds: Thresholds;
  out: string;
  /** Write the forwarding tables (rounds). */
  tables: boolean;
  /** Every strategy's parameters (node configuration `agent` fields). */
  params?: StrategyParams;
  /** The events engine's options (its strategy is set per run). */
  events?: Omit<EventsOptionsInput, 'strategy'>;
  onProgress?: (progress: SimProgress) => void;
}

export interface SimProgress {
  strategy: string;
  /** 0-based index of the strategy, of `strategies`. */
  index: number;
  strategies: number;
  /** Of this strategy's run, 0–1. */
  fraction: number;
}

export interface StrategyOutcome {
  /** As the output files name it (the framework's `<name>_strategy` in framework mode). */
  strategy: string;
  /** rounds: the seven indexes; also the run-wide tallies. */
  indexes?: Indexes;
  offered?: number;
  served?: number;
  rejected?: number;
  /** events: success and forwarded share, latency. */
  successRate: number;
  forwardedShare: number;
  latency?: EventsResult['latency'];
  modelCalls: number;
}

export interface SimRunSummary {
  engine: SimEngine;
  compat: CompatMode;
  model: string;
  nodes: number;
  instants: number;
  seed: number;
  out: string;
  strategies: StrategyOutcome[];
}

/** The names given, checked for the mode: a ConfigError (exit 2) names an unknown one. */
export function checkStrategies(
  names: readonly string[],
  compat: CompatMode,
  flag = '--strategies',
): string[] {
  const known: readonly string[] = compat === 'framework' ? FRAMEWORK_STRATEGY_NAMES : STRATEGY_NAMES;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0 || names.length === 0)
    throw new ConfigError('command line', [
      {
        field: flag,
        message: `${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'names no strategy'}; ${compat === 'framework' ? 'with --compat framework ' : ''}one or more of ${known.join(', ')}`,
      },
    ]);
  return [...new Set(names)];
}

/** One strategy's rounds, in the mode's engine. */
export async function roundsOf(
  instance: SimInstance,
  strategy: string,
  options: Pick<SimRunOptions, 'compat' | 'model' | 'thresholds' | 'params'> & {
    onInstant?: (t: number, T: number) => void;
  },
): Promise<RoundsRun> {
  if (options.compat === 'fixed')
    return runRounds(instance, {
      strategy: strategy as StrategyName,
      model: options.model,
      thresholds: options.thresholds,
      ...(options.params ? { params: options.params } : {}),
      ...(options.onInstant ? { onInstant: options.onInstant } : {}),
    });
  const calls = { count: 0 };
  const T = instance.nodes[0]?.load.length ?? 0;
  const instants = Array.from({ length: T }, (_, t) => {
    const instant = frameworkRound(
      instance,
      t,
      strategy as FrameworkStrategyName,
      options.model,
      options.thresholds,
      calls,
    );
    options.onInstant?.(t, T);
    return instant;
  });
  return { strategy, compat: 'framework', instants, modelCalls: calls.count };
}

/** The rounds run's analysis and indexes (the framework's analyzer). */
export function analyzeRounds(
  run: RoundsRun,
  instance: SimInstance,
  model: NodeModel,
  thresholds: Thresholds,
): { analysis: RunAnalysis; indexes: Indexes } {
  const analysis = analyzeRun(run, instance, { model, thresholds });
  return { analysis, indexes: computeIndexes(analysis) };
}

function roundsOutcome(
  label: string,
  run: RoundsRun,
  analysis: RunAnalysis,
  indexes: Indexes,
): StrategyOutcome {
  let offered = 0;
  let served = 0;
  let forwarded = 0;
  for (const instant of analysis.instants) {
    offered += instant.total.offered;
    served += instant.total.served;
  }
  for (const instant of run.instants)
    for (const matrix of Object.values(instant.forwarding))
      for (const [from, row] of Object.entries(matrix))
        for (const [to, n] of Object.entries(row)) if (to !== from) forwarded += n;
  return {
    strategy: label,
    indexes,
    offered,
    served,
    rejected: offered - served,
    successRate: offered > 0 ? served / offered : 1,
    // Of what was offered: the rounds engine does not know which forwarded requests were served.
    forwardedShare: offered > 0 ? forwarded / offered : 0,
    modelCalls: run.modelCalls,
  };
}

export async function runSimulation(options: SimRunOptions): Promise<SimRunSummary> {
  const { instance, out } = options;
  const count = options.strategies.length;
  writeInstance(join(out, 'instance.json'), instance);
  const outcomes: StrategyOutcome[] = [];
  const progress = (strategy: string, index: number, fraction: number) =>
    options.onProgress?.({ strategy, index, strategies: count, fraction });

  if (options.engine === 'rounds') {
    const rows: { strategy: string; indexes: Indexes }[] = [];
    const analyses: Record<string, RunAnalysis> = {};
    const functions = instanceFunctions(instance);
    const ids = instance.nodes.map((n) => n.id);
    for (const [index, strategy] of options.strategies.entries()) {
      const run = await roundsOf(instance, strategy, {
        ...options,
        onInstant: (t, T) => progress(strategy, index, (t + 1) / T),
      });
      const label = strategyLabel(run);
      const { analysis, indexes } = analyzeRounds(run, instance, options.model, options.thresholds);
      if (options.tables) writeForwardingTables(join(out, 'reports'), label, run.instants, functions, ids);
      rows.push({ strategy: label, indexes });
      analyses[label] = analysis;
      outcomes.push(roundsOutcome(label, run, analysis, indexes));
    }
    writeIndexComparison(join(out, 'index_comparison.csv'), rows);
    writeFileAtomic(join(out, 'analysis.json'), `${JSON.stringify(analyses)}\n`);
  } else {
    if (options.compat === 'framework')
      throw new ConfigError('command line', [
        {
          field: '--compat',
          message: 'the framework has no events engine: --compat framework runs with --engine rounds',
        },
      ]);
    const results: Record<string, EventsResult> = {};
    for (const [index, strategy] of options.strategies.entries()) {
      const result = await runEvents(
        instance,
        {
          ...options.events,
          strategy: strategy as StrategyName,
          ...(options.params ? { strategyParams: options.params } : {}),
        },
        options.model,
        options.thresholds,
        (p) => progress(strategy, index, p.simulatedMs / p.durationMs),
      );
      results[strategy] = result;
      outcomes.push({
        strategy,
        successRate: result.successRate,
        forwardedShare: result.forwardedShare,
        latency: result.latency,
        offered: result.totals.offered,
        served: result.totals.servedLocally + result.totals.servedByPeers,
        rejected: result.totals.offered - result.totals.servedLocally - result.totals.servedByPeers,
        modelCalls: result.agent.modelCalls,
      });
    }
    writeFileAtomic(join(out, 'events.json'), `${JSON.stringify(results)}\n`);
  }

  const summary: SimRunSummary = {
    engine: options.engine,
    compat: options.compat,
    model: options.model.name,
    nodes: instance.nodes.length,
    instants: instance.nodes[0]?.load.length ?? 0,
    seed: instance.seed,
    out,
    strategies: outcomes,
  };
  writeFileAtomic(join(out, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
