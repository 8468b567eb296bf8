/** `dfaas sim …` at work: instance, run (with progress), analyze, experiment. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileStamp, RESULTS_ROOT } from '../core/files.js';
import type { ModelType } from '../forecast/model.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { printResult } from './output.js';
import { createProgress } from './progress.js';

type Topology = 'framework' | 'scale-free' | 'geometric';

export interface SimInstanceFlags {
  nodes: number;
  edgeProb: number;
  overloaded: number;
  seed: number;
  topology: Topology;
  instants: number;
  trace?: string;
  out?: string;
}

interface ModelFlags {
  strategies?: string;
  compat?: 'framework';
  models?: string;
  modelType: ModelType;
  thresholds: string;
}

export interface SimRunFlags extends ModelFlags {
  instance: string;
  engine: 'rounds' | 'events';
  instantSeconds: number;
  periodMs: number;
  gossipDelayMs: number;
  seed?: number;
  tables?: boolean;
  out?: string;
}

export interface SimAnalyzeFlags {
  instance?: string;
  compat?: 'framework';
  models?: string;
  modelType: ModelType;
  thresholds: string;
}

export interface SimExperimentFlags extends ModelFlags {
  nodes: number;
  edgeProb: number;
  overloaded: number[];
  replications: number;
  seed: number;
  topology: Topology;
  out?: string;
}

const SIM_RESULTS = join(RESULTS_ROOT, 'sim');
/** Above this many node-instants a run writes no forwarding tables unless --tables asks. */
const TABLES_LIMIT = 2_000;

const pct = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2));

export async function runInstanceCommand(flags: SimInstanceFlags, ctx: CliContext): Promise<void> {
  const { generateInstance } = await import('../sim/instances/generator.js');
  const { writeInstance } = await import('../sim/instances/instance.js');
  let instance = generateInstance({
    nodes: flags.nodes,
    overloadedPercent: flags.overloaded,
    seed: flags.seed,
    instants: flags.instants,
    ...(flags.topology === 'framework'
      ? { edgeProb: flags.edgeProb }
      : { topology: { kind: flags.topology } }),
  });
  if (flags.trace !== undefined) {
    const { traceLoad } = await import('../sim/instances/trace-load.js');
    const { readInputFile } = await import('../core/files.js');
    instance = traceLoad(readInputFile(flags.trace), instance, { source: flags.trace });
  }
  const out =
    flags.out ??
    join(SIM_RESULTS, `instance-n${flags.nodes}-p${flags.edgeProb}-o${flags.overloaded}-s${flags.seed}.json`);
  writeInstance(out, instance);
  const links = instance.nodes.reduce((s, n) => s + n.neighbours.length, 0) / 2;
  const types = { HEAVY: 0, MID: 0, LIGHT: 0 };
  for (const n of instance.nodes) types[n.type]++;
  const instants = instance.nodes[0]?.load.length ?? 0;
  printResult(
    ctx,
    { out, nodes: instance.nodes.length, links, instants, types, seed: instance.seed },
    () =>
      `${instance.nodes.length} nodes (${types.HEAVY} heavy, ${types.MID} mid, ${types.LIGHT} light), ${links} links, ${instants} instants, seed ${instance.seed}\ninstance: ${out}\n`,
  );
}

async function modelAndThresholds(flags: { models?: string; modelType: ModelType; thresholds: string }) {
  const { chooseModel, chooseThresholds } = await import('../sim/model/choose.js');
  return {
    model: chooseModel(flags.models, flags.modelType),
    thresholds: chooseThresholds(flags.thresholds),
  };
}

async function strategiesOf(flags: ModelFlags): Promise<string[]> {
  const { checkStrategies, DEFAULT_STRATEGIES } = await import('../sim/run.js');
  const compat = flags.compat ?? 'fixed';
  const names =
    flags.strategies !== undefined
      ? flags.strategies
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : [...DEFAULT_STRATEGIES[compat]];
  return checkStrategies(names, compat);
}

export async function runSimCommand(flags: SimRunFlags, ctx: CliContext): Promise<void> {
  const { readInstance } = await import('../sim/instances/instance.js');
  const { runSimulation } = await import('../sim/run.js');
  const { writeSimReport } = await import('../sim/report/run-report.js');
  const { outcomeTable } = await import('../sim/report/outcome-table.js');
  const instance = readInstance(flags.instance);
  const strategies = await strategiesOf(flags);
  const { model, thresholds } = await modelAndThresholds(flags);
  const compat = flags.compat ?? 'fixed';
  if (compat === 'framework' && flags.engine === 'events')
    throw badFlag(
      '--compat',
      'the framework has no events engine: --compat framework runs with --engine rounds',
    );
  const instants = instance.nodes[0]?.load.length ?? 0;
  const out = flags.out ?? join(SIM_RESULTS, `run-${fileStamp()}`);
  const progress = createProgress(ctx, 'sim.run');
  let lastTenth = -1;
  const summary = await runSimulation({
    instance,
    engine: flags.engine,
    strategies,
    compat,
    model,
    thresholds,
    out,
    tables: flags.tables ?? instance.nodes.length * instants <= TABLES_LIMIT,
    events: {
      instantSeconds: flags.instantSeconds,
      periodMs: flags.periodMs,
      gossipDelayMs: flags.gossipDelayMs,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    },
    onProgress: (p) => {
      // A line per tenth of each strategy's run: a run of many instants would print thousands.
      const tenth = Math.floor(10 * p.fraction);
      if (tenth === lastTenth && p.fraction < 1) return;
      lastTenth = p.fraction < 1 ? tenth : -1;
      progress.update(`${p.strategy} (${p.index + 1}/${p.strategies}): ${Math.floor(100 * p.fraction)}%`, {
        strategy: p.strategy,
        index: p.index,
        strategies: p.strategies,
        fraction: p.fraction,
      });
    },
  });
  progress.done();
  const report = await writeSimReport(out);
  printResult(ctx, { ...summary, report }, () => [
    `${summary.engine} · ${summary.nodes} nodes · ${summary.instants} instants · model ${summary.model}${compat === 'framework' ? ' · the framework’s strategies and defects' : ''}\n`,
    outcomeTable(summary.engine, summary.strategies),
    `results: ${out}\nreport:  ${report}\n`,
  ]);
}

/** The strategy folders of a reports folder. */
function strategyDirs(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && existsSync(join(dir, name, 'minute_0')))
    .sort();
}

export async function runAnalyzeCommand(dir: string, flags: SimAnalyzeFlags, ctx: CliContext): Promise<void> {
  if (!existsSync(dir)) throw badFlag('<dir>', `${dir} does not exist`);
  if (existsSync(join(dir, 'experiment_results.csv'))) return analyzeExperiment(dir, ctx);
  const { readInstance } = await import('../sim/instances/instance.js');
  const { readForwardingTables } = await import('../sim/engines/forwarding-tables.js');
  const { analyzeRounds } = await import('../sim/run.js');
  const { instanceFunctions } = await import('../sim/analysis/success.js');
  const { writeIndexComparison } = await import('../sim/analysis/csv.js');
  const { outcomeTable } = await import('../sim/report/outcome-table.js');
  const instanceFile = flags.instance ?? join(dir, 'instance.json');
  if (!existsSync(instanceFile))
    throw badFlag('--instance', `${instanceFile} does not exist: name the run’s instance.json`);
  const instance = readInstance(instanceFile);
  const reports = existsSync(join(dir, 'reports')) ? join(dir, 'reports') : dir;
  const labels = strategyDirs(reports);
  if (labels.length === 0)
    throw badFlag('<dir>', `${reports} has no <strategy>/minute_0/ folders of forwarding tables`);
  const { model, thresholds } = await modelAndThresholds(flags);
  const instants = instance.nodes[0]?.load.length ?? 0;
  const functions = instanceFunctions(instance);
  const rows = labels.map((label) => {
    // The framework names its strategies <name>_strategy; dfaas's runs name them as dfaas does.
    const framework = flags.compat === 'framework' || label.endsWith('_strategy');
    const run = {
      strategy: framework ? label.replace(/_strategy$/, '') : label,
      compat: framework ? ('framework' as const) : ('fixed' as const),
      instants: readForwardingTables(reports, label, instants, functions),
      modelCalls: 0,
    };
    return { strategy: label, indexes: analyzeRounds(run, instance, model, thresholds).indexes };
  });
  const out = join(dir, 'index_comparison.csv');
  writeIndexComparison(out, rows);
  printResult(ctx, { out, strategies: rows }, () => [
    outcomeTable(
      'rounds',
      rows.map((r) => ({
        strategy: r.strategy,
        indexes: r.indexes,
        successRate: 0,
        // The tables alone do not say which forwarded requests were served.
        forwardedShare: Number.NaN,
        modelCalls: 0,
      })),
    ),
    `indexes: ${out}\n`,
  ]);
}

async function analyzeExperiment(dir: string, ctx: CliContext): Promise<void> {
  const { readExperimentResults, writeExperimentMeanResults } = await import('../sim/analysis/csv.js');
  const { summarizeReplications } = await import('../sim/analysis/replications.js');
  const rows = readExperimentResults(join(dir, 'experiment_results.csv'));
  const groups = summarizeReplications(rows);
  const out = join(dir, 'experiment_mean_results.csv');
  writeExperimentMeanResults(out, groups);
  printResult(ctx, { out, groups }, () => [experimentTable(groups), `means: ${out}\n`]);
}

type Groups = Awaited<ReturnType<typeof import('../sim/analysis/replications.js')['summarizeReplications']>>;

function experimentTable(groups: Groups) {
  const ci = (s: { mean: number; halfWidth: number | undefined }) =>
    s.halfWidth === undefined ? pct(s.mean) : `${pct(s.mean)} ± ${pct(s.halfWidth)}`;
  return {
    header: ['overloaded %', 'strategy', 'n', 'mean success %', 'stress mean %', 'mean power µW', 'rejected'],
    rows: groups.map((g) => [
      String(g.percentage),
      g.strategy,
      String(g.rows),
      ci(g.indexes['Mean success rate']),
      ci(g.indexes['Mean success rate (stress period)']),
      ci(g.indexes['Mean node power consumption']),
      ci(g.indexes['Tot. rejected requests']),
    ]),
  };
}

export async function runExperimentCommand(flags: SimExperimentFlags, ctx: CliContext): Promise<void> {
  const { runExperiment } = await import('../sim/experiment.js');
  const { writeExperimentReport } = await import('../sim/report/experiment-report.js');
  const strategies = await strategiesOf(flags);
  const { model, thresholds } = await modelAndThresholds(flags);
  const out = flags.out ?? join(SIM_RESULTS, `experiment-${fileStamp()}`);
  const progress = createProgress(ctx, 'sim.experiment');
  const summary = await runExperiment({
    nodes: flags.nodes,
    edgeProb: flags.edgeProb,
    overloaded: flags.overloaded,
    replications: flags.replications,
    seed: flags.seed,
    topology: flags.topology,
    strategies,
    compat: flags.compat ?? 'fixed',
    model,
    thresholds,
    out,
    onProgress: (p) =>
      progress.update(`run ${p.done}/${p.runs} (seed ${p.seed}, ${p.percentage}% overloaded)`, { ...p }),
  });
  progress.done();
  const report = await writeExperimentReport(out);
  printResult(ctx, { out, report, runs: summary.runs, groups: summary.groups }, () => [
    experimentTable(summary.groups),
    `results: ${join(out, 'experiment_results.csv')}\nmeans:   ${join(out, 'experiment_mean_results.csv')}\nreport:  ${report}\n`,
  ]);
}
