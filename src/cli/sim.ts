/** `dfaas sim …`: its flags; the simulator loads when a command runs (sim-run.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { CliContext } from './io.js';
import { intOption, parseDecimal } from './options.js';
import type { SimAnalyzeFlags, SimExperimentFlags, SimInstanceFlags, SimRunFlags } from './sim-run.js';

function numberIn(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = parseDecimal(value);
    if (!(n >= min && n <= max))
      throw new InvalidArgumentError(`${flag} must be a number in [${min}, ${max}], got "${value}"`);
    return n;
  };
}

/** `30,60,90` → [30, 60, 90], each a percentage. */
function percentages(value: string): number[] {
  const parsed = value.split(',').map((s) => parseDecimal(s.trim()));
  if (parsed.length === 0 || parsed.some((n) => !(n >= 0 && n <= 100)))
    throw new InvalidArgumentError(
      `--overloaded takes percentages in [0, 100], comma-separated, got "${value}"`,
    );
  return parsed;
}

const STRATEGIES_HELP =
  'comma-separated strategies: dfaas’s (all-local, static, recalc, node-margin, latency-aware, equal, power-saving; default all-local,equal,node-margin,power-saving) or, with --compat framework, the framework’s (base, equal, node_margin, power_saving; default all four)';

/** What run and experiment share: the strategies, the model of a node, the framework's defects. */
function withModelOptions(command: Command): Command {
  return command
    .option('--strategies <names>', STRATEGIES_HELP)
    .addOption(
      new Option(
        '--compat <mode>',
        'framework: the simulation framework’s own strategies and defects (int() truncation, phantom forwards, Equal’s forwards to nodes without the function, PowerSaving’s relief count), to compare with its published curves',
      ).choices(['framework']),
    )
    .option(
      '--models <dir>',
      'the node model: `dfaas forecast train` output (default: the built-in framework-analytic model)',
    )
    .addOption(
      new Option('--model-type <type>', 'which prediction of the models (the framework’s -m)')
        .choices(['regression', 'quantile005', 'quantile095'])
        .default('regression'),
    )
    .option(
      '--thresholds <set|file>',
      'when a node is overloaded: framework (its MAX_RESOURCES_USAGE), testbed (the DFaaS test bed’s agents) or a YAML/JSON file {HEAVY|MID|LIGHT: {cpu_usage_node, ram_usage_node, power_usage_node}}',
      'framework',
    );
}

function withEventsOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        '--engine <engine>',
        'rounds: the framework’s model (one strategy round per instant, steady state); events: discrete events (arrivals, function slots, agent periods, gossip and link delays)',
      )
        .choices(['rounds', 'events'])
        .default('rounds'),
    )
    .option(
      '--instant-seconds <s>',
      'events: how long an instant lasts',
      numberIn('--instant-seconds', 0.001, 86_400),
      60,
    )
    .option(
      '--period-ms <ms>',
      'events: the agents’ period (the live agent’s default: 5000)',
      intOption('--period-ms', 1),
      5000,
    )
    .option(
      '--gossip-delay-ms <ms>',
      'events: a message’s delay on top of the link',
      numberIn('--gossip-delay-ms', 0, 3_600_000),
      50,
    )
    .option(
      '--seed <n>',
      'events: the seed of the arrivals (default: the instance’s)',
      intOption('--seed', 0, 2 ** 32 - 1),
    );
}

export function registerSim(program: Command, context: () => CliContext): void {
  const run = () => import('./sim-run.js');
  const sim = program
    .command('sim')
    .description(
      'simulate DFaaS networks too large to run, with the live agent’s strategies: instances, runs, indexes, experiments',
    );

  sim
    .command('instance')
    .description(
      'generate an instance (the simulation framework’s instance.json): nodes, links, load per instant',
    )
    .option('-n, --nodes <n>', 'nodes', intOption('--nodes', 1), 10)
    .option(
      '-p, --edge-prob <p>',
      'framework topology: probability of each extra link',
      numberIn('--edge-prob', 0, 1),
      0.1,
    )
    .option(
      '-o, --overloaded <pct>',
      'most nodes overloaded, % of the nodes',
      numberIn('--overloaded', 0, 100),
      60,
    )
    .option('-s, --seed <n>', 'the instance’s seed', intOption('--seed', 0, 2 ** 32 - 1), 1)
    .addOption(
      new Option(
        '--topology <kind>',
        'framework (a spanning tree plus links with probability p), scale-free or geometric (with link latencies)',
      )
        .choices(['framework', 'scale-free', 'geometric'])
        .default('framework'),
    )
    .option(
      '--instants <n>',
      'instants (the framework has 7; a longer run stretches its triangle)',
      intOption('--instants', 1),
      7,
    )
    .option(
      '--trace <file>',
      'take the load from a CSV trace (instant,node,function,rate) instead of the triangle',
    )
    .option('--out <file>', 'where to write it (default results/sim/instance-n<N>-p<P>-o<PCT>-s<SEED>.json)')
    .action(async (flags: SimInstanceFlags) => (await run()).runInstanceCommand(flags, context()));

  const simRun = sim
    .command('run')
    .description(
      'run strategies on an instance; writes the forwarding tables, index_comparison.csv, summary.json and report.html',
    )
    .requiredOption('--instance <file>', 'an instance.json (the framework’s or ours)');
  withEventsOptions(withModelOptions(simRun))
    .option('--tables', 'write the framework’s forwarding tables (default: when nodes × instants ≤ 2,000)')
    .option('--no-tables', 'do not write them')
    .option('--out <dir>', 'the run’s folder (default results/sim/run-TIMESTAMP)')
    .action(async (flags: SimRunFlags) => (await run()).runSimCommand(flags, context()));

  sim
    .command('analyze')
    .description(
      'recompute the indexes of a run folder from its forwarding tables (ours or the framework’s reports/), or the means and confidence intervals of an experiment folder',
    )
    .argument('<dir>', 'a `sim run` or `sim experiment` folder, or the framework’s simulation_output/reports')
    .option('--instance <file>', 'the instance of a run (default: <dir>/instance.json)')
    .addOption(
      new Option('--compat <mode>', 'the run used the framework’s strategies').choices(['framework']),
    )
    .option('--models <dir>', 'the node model the run used (default: framework-analytic)')
    .addOption(
      new Option('--model-type <type>', 'which prediction of the models')
        .choices(['regression', 'quantile005', 'quantile095'])
        .default('regression'),
    )
    .option('--thresholds <set|file>', 'framework, testbed or a file', 'framework')
    .action(async (dir: string, flags: SimAnalyzeFlags) =>
      (await run()).runAnalyzeCommand(dir, flags, context()),
    );

  const experiment = sim
    .command('experiment')
    .description(
      'the framework’s controller: for each replication and overload percentage an instance, every strategy on it; experiment_results.csv, means with 95% confidence intervals, a report',
    )
    .option('-n, --nodes <n>', 'nodes', intOption('--nodes', 1), 10)
    .option('-p, --edge-prob <p>', 'probability of each extra link', numberIn('--edge-prob', 0, 1), 0.1)
    .option('--overloaded <pcts>', 'overload percentages, comma-separated', percentages, [30, 60, 90])
    .option(
      '--replications <n>',
      'instances per percentage (the framework’s --expnum)',
      intOption('--replications', 1),
      1,
    )
    .option(
      '-s, --seed <n>',
      'seed of the first replication (replication r uses seed + r)',
      intOption('--seed', 0, 2 ** 32 - 1),
      1,
    )
    .addOption(
      new Option('--topology <kind>', 'framework, scale-free or geometric')
        .choices(['framework', 'scale-free', 'geometric'])
        .default('framework'),
    );
  withModelOptions(experiment)
    .option('--out <dir>', 'the experiment’s folder (default results/sim/experiment-TIMESTAMP)')
    .action(async (flags: SimExperimentFlags) => (await run()).runExperimentCommand(flags, context()));
}
