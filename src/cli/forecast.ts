import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { loadConfigFile } from '../config/read-file.js';
import { ConfigError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { GroupListSchema, GroupModelSchema } from '../dataset/groups.js';
import { nodeTypeCode } from '../dataset/node-types.js';
import type { FeatureVariant } from '../forecast/features.js';
import { Forecaster, MODEL_TYPES, type ModelType } from '../forecast/forecaster.js';
import {
  addToGroupList,
  assignGroup,
  fitGroups,
  type GroupModel,
  readProfileCsv,
} from '../forecast/profiles.js';
import type { ClassificationScores, RegressionScores } from '../forecast/scores.js';
import { startForecasterService } from '../forecast/service.js';
import {
  crossValidate,
  type DataFile,
  type Evaluation,
  prepareData,
  trainAndEvaluate,
  writeModels,
} from '../forecast/train.js';
import { type GlobalOptions, intOption } from './options.js';
import { formatTable } from './table.js';

/** `FILE:TYPE`, TYPE heavy, mid, light or a capacity number. */
function dataFile(value: string, previous: DataFile[] = []): DataFile[] {
  const at = value.lastIndexOf(':');
  if (at <= 0) throw new InvalidArgumentError(`--data ${value}: give FILE:NODE_TYPE, e.g. results.csv:heavy`);
  try {
    return [...previous, { path: value.slice(0, at), nodeType: nodeTypeCode(value.slice(at + 1)) }];
  } catch (err) {
    throw new InvalidArgumentError(`--data ${value}: ${(err as Error).message}`);
  }
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n < 1))
    throw new InvalidArgumentError(`--test-fraction must be between 0 and 1, got "${value}"`);
  return n;
}

/** A data or profile file's problem is bad input: exit 2 naming the file. */
function asInput<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(file, [{ field: '', message: (err as Error).message.replace(`${file}: `, '') }]);
  }
}

/** The profile CSVs named: files, or every .csv of a directory. */
function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) =>
    asInput(p, () => statSync(p)).isDirectory()
      ? readdirSync(p)
          .filter((f) => f.endsWith('.csv'))
          .sort()
          .map((f) => join(p, f))
      : [p],
  );
}

interface DataFlags {
  data: DataFile[];
  groups: string;
  variant: FeatureVariant;
  testFraction: number;
  seed: number;
}

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

function prepared(flags: DataFlags, logger: GlobalOptions['logger']) {
  const groups = loadConfigFile(GroupListSchema, flags.groups);
  const data = asInput(flags.data.map((d) => d.path).join(', '), () => prepareData(flags.data, groups));
  logger.info('dataset', {
    rows: data.rows.length,
    functions: data.functions,
    droppedRows: data.dropped,
    outliersReplaced: data.replaced,
  });
  const options = (baselines: boolean) => ({
    variant: flags.variant,
    groups,
    files: flags.data,
    testFraction: flags.testFraction,
    seed: flags.seed,
    baselines,
    onTarget: (target: string, i: number, n: number) => logger.info(`training ${target} (${i + 1}/${n})`),
  });
  return { data, options };
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** The evaluation as a table: per target, our trees beside the linear and random-forest baselines. */
export function evaluationTable(evaluation: Evaluation): string {
  const regression: string[][] = [];
  const classification: string[][] = [];
  for (const [target, e] of Object.entries(evaluation.targets)) {
    for (const model of ['gbt', 'linear', 'forest'] as const) {
      if (!e[model]) continue;
      const name = model === 'gbt' ? 'boosted trees' : model === 'linear' ? 'linear' : 'random forest';
      if (e.task === 'regression') {
        const s = e[model] as RegressionScores;
        const coverage =
          model === 'gbt' && e.intervalCoverage !== undefined ? fmt(e.intervalCoverage * 100, 0) : '';
        regression.push([target, name, fmt(s.r2), fmt(s.mae, 1), fmt(s.mape, 1), coverage]);
      } else {
        const s = e[model] as ClassificationScores;
        classification.push([target, name, fmt(s.accuracy), fmt(s.precision), fmt(s.recall), fmt(s.f1)]);
      }
    }
  }
  return [
    evaluation.folds
      ? `${evaluation.folds}-fold cross-validation: each of the ${evaluation.configurations.test} configurations (${evaluation.rows.test} rows) held out once, by models trained on about ${evaluation.configurations.train}`
      : `held out: ${evaluation.configurations.test} configurations (${evaluation.rows.test} rows); trained on ${evaluation.configurations.train} (${evaluation.rows.train} rows)`,
    `features: ${evaluation.features.join(', ')}`,
    '',
    formatTable(['target', 'model', 'R²', 'MAE', 'MAPE %', 'q05–q95 %'], regression).trimEnd(),
    '',
    formatTable(['target', 'model', 'accuracy', 'precision', 'recall', 'F1'], classification).trimEnd(),
    '',
  ].join('\n');
}

export function registerForecast(program: Command, globals: () => GlobalOptions): void {
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
    .option('--k <k>', 'number of groups, or "auto" (best silhouette)', '3')
    .option('--seed <n>', 'k-means seed', intOption('--seed', 0), 1)
    .action((flags: { profiles: string[]; out: string; k: string; seed: number }) => {
      const { json } = globals();
      const k = flags.k === 'auto' ? 'auto' : intOption('--k', 2, 20)(flags.k);
      const files = profileFiles(flags.profiles);
      const profiles = Object.fromEntries(
        files.map((f) => [basename(f, '.csv'), asInput(f, () => readProfileCsv(f))]),
      );
      const { model, groups } = asInput(files.join(', '), () => fitGroups(profiles, { k, seed: flags.seed }));
      writeFileAtomic(join(flags.out, 'group_list.json'), `${JSON.stringify(groups)}\n`);
      writeFileAtomic(join(flags.out, 'group_model.json'), `${JSON.stringify(model)}\n`);
      if (json) return void process.stdout.write(`${JSON.stringify({ groups, model })}\n`);
      process.stdout.write(
        formatTable(
          ['group', 'functions'],
          Object.entries(groups).map(([g, names]) => [g, names.join(', ')]),
        ),
      );
      process.stdout.write(
        `\n${model.components} principal components keep ${fmt(model.explainedVariance.slice(0, model.components).reduce((a, b) => a + b, 0) * 100, 1)}% of the variance\n` +
          `wrote ${resolve(flags.out, 'group_list.json')} and group_model.json\n`,
      );
    });

  forecast
    .command('assign')
    .description(
      'put a new function into an existing group from its profile alone, and update group_list.json',
    )
    .requiredOption('--profile <file>', "the new function's profiles/NAME.csv")
    .requiredOption('--model <file>', 'group_model.json of `dfaas forecast profile`')
    .requiredOption('--groups <file>', 'group_list.json to update')
    .action((flags: { profile: string; model: string; groups: string }) => {
      const { json } = globals();
      const model = loadConfigFile(GroupModelSchema, flags.model) as GroupModel;
      const groups = loadConfigFile(GroupListSchema, flags.groups);
      const rows = asInput(flags.profile, () => readProfileCsv(flags.profile));
      const name = rows[0]?.name ?? basename(flags.profile, '.csv');
      const { group, distances } = asInput(flags.profile, () => assignGroup(model, rows));
      const updated = addToGroupList(groups, name, group);
      writeFileAtomic(flags.groups, `${JSON.stringify(updated)}\n`);
      if (json) return void process.stdout.write(`${JSON.stringify({ function: name, group, distances })}\n`);
      process.stdout.write(`${name} → ${group}\nupdated ${resolve(flags.groups)}\n`);
    });

  dataOptions(
    forecast
      .command('train')
      .description(
        'train the node-usage models (boosted trees: regression, 0.05/0.95 quantiles, overload class)',
      ),
  )
    .requiredOption('--out <dir>', 'where TARGET.json and evaluation.json go')
    .action((flags: DataFlags & { out: string }) => {
      const { json, logger } = globals();
      const { data, options } = prepared(flags, logger);
      const { models, evaluation } = trainAndEvaluate(data, options(false));
      const written = writeModels(flags.out, models, evaluation);
      if (json) return void process.stdout.write(`${JSON.stringify({ models: written, evaluation })}\n`);
      process.stdout.write(evaluationTable(evaluation));
      process.stdout.write(`\nwrote ${written.length} models and evaluation.json to ${resolve(flags.out)}\n`);
    });

  dataOptions(
    forecast
      .command('evaluate')
      .description('score the models on held-out configurations beside linear and random-forest baselines'),
  )
    .option('--out <file>', 'also save the figures as JSON here')
    .option(
      '--folds <k>',
      'k-fold cross-validation by configuration instead of one split',
      intOption('--folds', 2, 100),
    )
    .action((flags: DataFlags & { out?: string; folds?: number }) => {
      const { json, logger } = globals();
      const { data, options } = prepared(flags, logger);
      const evaluation = flags.folds
        ? crossValidate(data, { ...options(true), folds: flags.folds })
        : trainAndEvaluate(data, options(true)).evaluation;
      if (flags.out) writeFileAtomic(flags.out, `${JSON.stringify(evaluation, null, 2)}\n`);
      process.stdout.write(json ? `${JSON.stringify(evaluation)}\n` : evaluationTable(evaluation));
    });

  forecast
    .command('serve')
    .description('serve the models over HTTP, compatible with the DFaaS forecaster')
    .requiredOption('--models <dir>', 'models of `dfaas forecast train`')
    .option('--port <port>', 'port', intOption('--port', 0, 65_535), 8080)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .addOption(
      new Option('--model <type>', 'model answering when a request does not say (?model=)')
        .choices([...MODEL_TYPES])
        .default('regression'),
    )
    .action(async (flags: { models: string; port: number; host: string; model: ModelType }) => {
      const { logger } = globals();
      const forecaster = asInput(flags.models, () => Forecaster.load(flags.models));
      const service = await startForecasterService({
        forecaster,
        port: flags.port,
        host: flags.host,
        defaultModel: flags.model,
        logger,
      });
      logger.info(`forecaster on ${service.url}`, {
        targets: forecaster.targets,
        features: forecaster.features,
      });
      process.stdout.write(`${service.url}\n`);
      await new Promise<void>((done) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
      });
      await service.close();
    });
}
