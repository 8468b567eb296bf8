import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { experimentRows, writeExperimentMeanResults, writeExperimentResults } from './analysis/csv.js';
import { type ExperimentRow, type ReplicationGroup, summarizeReplications } from './analysis/replications.js';
import type { CompatMode } from './engines/rounds-result.js';
import { generateInstance } from './instances/generator.js';
import type { TopologyKind } from './instances/topologies.js';
import type { NodeModel, Thresholds } from './model/node-model.js';
import { runSimulation } from './run.js';

/**
 * The simulation framework's controller (simulation_controller.py), seeded: for each replication r
 * (seed + r) and each overload percentage, one instance, every strategy run on it with the `rounds`
 * engine, and the indexes gathered into `experiment_results.csv` (a row per seed, percentage and
 * strategy) and `experiment_mean_results.csv` (the means by percentage and strategy, "N of
 * experiments" beside them), with the framework's columns; `experiment.json` adds the standard
 * deviations and 95 % confidence intervals of the means. Each run keeps its folder under
 * `runs/s<seed>-o<pct>/` (instance.json, index_comparison.csv, analysis.json).
 *
 * Where it differs: the framework draws each experiment's seed at random (and refuses a seed with
 * more than one experiment); here replication r uses seed + r, so an experiment replays exactly.
 */

export interface ExperimentOptions {
  nodes: number;
  edgeProb: number;
  overloaded: readonly number[];
  replications: number;
  seed: number;
  topology: TopologyKind;
  strategies: readonly string[];
  compat: CompatMode;
  model: NodeModel;
  thresholds: Thresholds;
  out: string;
  onProgress?: (progress: ExperimentProgress) => void;
}

export interface ExperimentProgress {
  /** Runs done, of runs (replications × percentages). */
  done: number;
  runs: number;
  seed: number;
  percentage: number;
}

export interface ExperimentSummary {
  out: string;
  runs: number;
  rows: ExperimentRow[];
  groups: ReplicationGroup[];
}

export async function runExperiment(options: ExperimentOptions): Promise<ExperimentSummary> {
  const rows: ExperimentRow[] = [];
  const runs = options.replications * options.overloaded.length;
  let done = 0;
  for (let r = 0; r < options.replications; r++) {
    const seed = options.seed + r;
    for (const percentage of options.overloaded) {
      const instance = generateInstance({
        nodes: options.nodes,
        overloadedPercent: percentage,
        seed,
        ...(options.topology === 'framework'
          ? { edgeProb: options.edgeProb }
          : { topology: { kind: options.topology } }),
      });
      const summary = await runSimulation({
        instance,
        engine: 'rounds',
        strategies: options.strategies,
        compat: options.compat,
        model: options.model,
        thresholds: options.thresholds,
        out: join(options.out, 'runs', `s${seed}-o${percentage}`),
        tables: false,
      });
      // As the framework's controller does: the run's index_comparison rows, read back as pandas reads them.
      const comparison = summary.strategies.flatMap((o) =>
        o.indexes ? [{ strategy: o.strategy, indexes: o.indexes }] : [],
      );
      rows.push(...experimentRows(seed, percentage, comparison));
      done++;
      options.onProgress?.({ done, runs, seed, percentage });
    }
  }
  const groups = summarizeReplications(rows);
  writeExperimentResults(join(options.out, 'experiment_results.csv'), rows);
  writeExperimentMeanResults(join(options.out, 'experiment_mean_results.csv'), groups);
  const summary: ExperimentSummary = { out: options.out, runs, rows, groups };
  writeFileAtomic(join(options.out, 'experiment.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
