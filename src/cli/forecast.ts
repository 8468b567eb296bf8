/**
 * `dfaas forecast profile|assign|train|evaluate|predict|serve`: their flags; the models and the ML
 * libraries load when a command runs (forecast-run.ts). Values that need them (node types,
 * model types) are checked there.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { DataArgument, DataFlags, PredictFlags, ProfileFlags, ServeFlags } from './forecast-run.js';
import type { CliContext } from './io.js';
import { MODEL_TYPES_FOR_HELP } from './names.js';
import { intOption, parseDecimal } from './options.js';

function dataFile(value: string, previous: DataArgument[] = []): DataArgument[] {
  const at = value.lastIndexOf(':');
  if (at <= 0) throw new InvalidArgumentError(`--data ${value}: give FILE:NODE_TYPE, e.g. results.csv:heavy`);
  return [...previous, { path: value.slice(0, at), nodeType: value.slice(at + 1) }];
}

function groupCount(value: string): number | 'auto' {
  return value === 'auto' ? 'auto' : intOption('--k', 2, 20)(value);
}

function fraction(value: string): number {
  const n = parseDecimal(value);
  if (!(n > 0 && n < 1))
    throw new InvalidArgumentError(`--test-fraction must be between 0 and 1, got "${value}"`);
  return n;
}

const MODELS_HELP =
  'the --out folder of `dfaas forecast train` (group_list.json, group_model.json and evaluation*.json there are skipped)';

const dataOptions = (cmd: Command) =>
  cmd
    .requiredOption(
      '--data <file:type...>',
      'sampler results.csv and its node type (heavy, mid, light, or a number)',
      dataFile,
    )
    .requiredOption('--groups <file>', 'group_list.json (from `dfaas forecast profile`)')
    .addOption(
      new Option('--variant <variant>', 'features: per-group rates, or one rate per function')
        .choices(['groups', 'functions'])
        .default('groups'),
    )
    .option('--test-fraction <f>', 'share of configurations held out for evaluation', fraction, 0.2)
    .option('--seed <n>', 'seed of the split and of the models', intOption('--seed', 0), 1);

export function registerForecast(program: Command, context: () => CliContext): void {
  const run = () => import('./forecast-run.js');
  const forecast = program
    .command('forecast')
    .description('function profiles, node-usage models and the forecaster service');

  forecast
    .command('profile')
    .description('group functions by their profiles (PCA + k-means): group_list.json and group_model.json')
    .requiredOption(
      '--profiles <path...>',
      'profiles/NAME.csv files of `dfaas sample --profile`, or their folder',
    )
    .requiredOption('--out <dir>', 'where group_list.json and group_model.json go')
    .option('--k <k>', 'number of groups, or "auto" (best silhouette)', groupCount, 3)
    .option('--seed <n>', 'k-means seed', intOption('--seed', 0), 1)
    .action(async (flags: ProfileFlags) => (await run()).runProfile(flags, context()));

  forecast
    .command('assign')
    .description(
      'put a new function into an existing group from its profile alone, and update group_list.json',
    )
    .requiredOption('--profile <file>', "the new function's profiles/NAME.csv")
    .requiredOption('--model <file>', 'group_model.json of `dfaas forecast profile`')
    .requiredOption('--groups <file>', 'group_list.json to update')
    .action(async (flags: { profile: string; model: string; groups: string }) =>
      (await run()).runAssign(flags, context()),
    );

  dataOptions(
    forecast
      .command('train')
      .description(
        'train the node-usage models (boosted trees: regression, 0.05/0.95 quantiles, overload class)',
      ),
  )
    .requiredOption('--out <dir>', 'where TARGET.json, evaluation.json and its report evaluation.html go')
    .action(async (flags: DataFlags & { out: string }) => (await run()).runTrain(flags, context()));

  dataOptions(
    forecast
      .command('evaluate')
      .description('score the models on held-out configurations beside linear and random-forest baselines'),
  )
    .option(
      '--out <file>',
      'also save the figures as JSON here, and their report with the plots beside it (FILE.json → FILE.html)',
    )
    .option(
      '--folds <k>',
      'k-fold cross-validation by configuration instead of one split',
      intOption('--folds', 2, 100),
    )
    .action(async (flags: DataFlags & { out?: string; folds?: number }) =>
      (await run()).runEvaluate(flags, context()),
    );

  forecast
    .command('predict')
    .description('predict every trained target for each input of a CSV, as the service would answer')
    .requiredOption('--models <dir>', MODELS_HELP)
    .requiredOption(
      '--data <csv>',
      "a header naming the models' features (e.g. rate_group_HIGH_USAGE, …, node_type; other columns are ignored), then one input per line",
    )
    .option(
      '--model <type>',
      `which model of each target answers: ${MODEL_TYPES_FOR_HELP.join(', ')} (the quantiles: the node targets and the overload class alone)`,
      MODEL_TYPES_FOR_HELP[0],
    )
    .action(async (flags: PredictFlags) => (await run()).runPredict(flags, context()));

  forecast
    .command('serve')
    .description('serve every trained target over HTTP, compatible with the DFaaS forecaster')
    .requiredOption('--models <dir>', MODELS_HELP)
    .option('--port <port>', 'port', intOption('--port', 0, 65_535), 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option(
      '--model <type>',
      `model answering when a request does not say (?model=): ${MODEL_TYPES_FOR_HELP.join(', ')}`,
      MODEL_TYPES_FOR_HELP[0],
    )
    .action(async (flags: ServeFlags) => (await run()).runServe(flags, context()));
}
