/**
 * `dfaas forecast …` at work. Bad data files, profiles and models are the forecast layer's
 * ForecastInputError (exit 2, naming the file); this module only reads flags and prints.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadConfigFile } from '../config/read-file.js';
import { ConfigError } from '../core/errors.js';
import { writeFileAtomic } from '../core/files.js';
import { GroupListSchema } from '../dataset/groups.js';
import { nodeTypeCode } from '../dataset/node-types.js';
import { readProfileCsv } from '../dataset/profiles.js';
import {
  EVALUATED_MODELS,
  type Evaluation,
  evaluatedModels,
  heldOutText,
  writeEvaluation,
} from '../forecast/evaluation.js';
import { writeEvaluationReport } from '../forecast/evaluation-report.js';
import { Forecaster } from '../forecast/forecaster.js';
import { readFeatureCsv } from '../forecast/inputs.js';
import { EVALUATION_FILE, MODEL_TYPES, type ModelType } from '../forecast/model.js';
import { addToGroupList, assignGroup, fitGroups, GroupModelSchema } from '../forecast/profiles.js';
import type { ClassificationScores, RegressionScores } from '../forecast/scores.js';
import { startForecasterService } from '../forecast/service.js';
import {
  crossValidate,
  type DataFile,
  prepareData,
  trainAndEvaluate,
  trainingDataWarnings,
  writeModels,
} from '../forecast/train.js';
import { badFlag } from './errors.js';
import type { CliContext } from './io.js';
import { checkListenHosts } from './listen-host.js';
import { printResult, type Table } from './output.js';
import { createProgress } from './progress.js';

/** `--data FILE:TYPE` as given: TYPE (heavy, mid, light or a capacity number) is checked when the command runs. */
export interface DataArgument {
  path: string;
  nodeType: string;
}

export interface DataFlags {
  data: DataArgument[];
  groups: string;
  variant: 'groups' | 'functions';
  testFraction: number;
  seed: number;
}

export interface ProfileFlags {
  profiles: string[];
  out: string;
  k: number | 'auto';
  seed: number;
}

export interface ServeFlags {
  models: string;
  port: number;
  host: string;
  model: string;
}

export interface PredictFlags {
  models: string;
  data: string;
  model: string;
}

/** The profile CSVs named: files, or every .csv of a directory. */
function profileFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    let directory: boolean;
    try {
      directory = statSync(p).isDirectory();
    } catch (err) {
      throw new ConfigError(p, [{ field: '', message: `cannot read: ${(err as Error).message}` }]);
    }
    return directory
      ? readdirSync(p)
          .filter((f) => f.endsWith('.csv'))
          .sort()
          .map((f) => join(p, f))
      : [p];
  });
}

function dataFiles(flags: DataFlags): DataFile[] {
  return flags.data.map(({ path, nodeType }) => {
    try {
      return { path, nodeType: nodeTypeCode(nodeType) };
    } catch (err) {
      throw badFlag('--data', `${path}:${nodeType}: ${(err as Error).message}`);
    }
  });
}

function prepared(flags: DataFlags, ctx: CliContext) {
  const { logger } = ctx;
  const files = dataFiles(flags);
  const groups = loadConfigFile(GroupListSchema, flags.groups);
  const data = prepareData(files, groups);
  const progress = createProgress(ctx, 'training progress');
  logger.info('dataset', {
    rows: data.rows.length,
    functions: data.functions,
    droppedRows: data.dropped,
    outliersReplaced: data.replaced,
  });
  for (const warning of trainingDataWarnings(data)) logger.warn(warning);
  const options = (baselines: boolean) => ({
    variant: flags.variant,
    groups,
    files,
    testFraction: flags.testFraction,
    seed: flags.seed,
    baselines,
    onTarget: (target: string, i: number, n: number) =>
      progress.update(`training ${target} (${i + 1}/${n})`, { target, done: i, total: n }),
  });
  return { data, options, progress };
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

/** `--model` checked against the model types (the flag's parser cannot load them: names.ts). */
function modelType(value: string): ModelType {
  if (!(MODEL_TYPES as readonly string[]).includes(value))
    throw badFlag('--model', `unknown model "${value}" (one of ${MODEL_TYPES.join(', ')})`);
  return value as ModelType;
}

/** The evaluation as tables: per target, our trees beside the linear and random-forest baselines. */
function evaluationTables(evaluation: Evaluation): (string | Table)[] {
  const regression: string[][] = [];
  const classification: string[][] = [];
  for (const [target, e] of Object.entries(evaluation.targets)) {
    for (const model of evaluatedModels(e)) {
      const name = EVALUATED_MODELS[model];
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
    `${heldOutText(evaluation)}\n`,
    `features: ${evaluation.features.join(', ')}\n\n`,
    { header: ['target', 'model', 'R²', 'MAE', 'MAPE %', 'q05–q95 %'], rows: regression },
    '\n',
    { header: ['target', 'model', 'accuracy', 'precision', 'recall', 'F1'], rows: classification },
  ];
}

export function runProfile(flags: ProfileFlags, ctx: CliContext): void {
  const files = profileFiles(flags.profiles);
  const profiles = Object.fromEntries(files.map((f) => [basename(f, '.csv'), readProfileCsv(f)]));
  const { model, groups } = fitGroups(profiles, { k: flags.k, seed: flags.seed });
  writeFileAtomic(join(flags.out, 'group_list.json'), `${JSON.stringify(groups)}\n`);
  writeFileAtomic(join(flags.out, 'group_model.json'), `${JSON.stringify(model)}\n`);
  printResult(ctx, { groups, model }, () => [
    {
      header: ['group', 'functions'],
      rows: Object.entries(groups).map(([g, names]) => [g, names.join(', ')]),
    },
    `\n${model.components} principal components keep ${fmt(model.explainedVariance.slice(0, model.components).reduce((a, b) => a + b, 0) * 100, 1)}% of the variance\n` +
      `wrote ${resolve(flags.out, 'group_list.json')} and group_model.json\n`,
  ]);
}

export function runAssign(flags: { profile: string; model: string; groups: string }, ctx: CliContext): void {
  const model = loadConfigFile(GroupModelSchema, flags.model);
  const groups = loadConfigFile(GroupListSchema, flags.groups);
  const rows = readProfileCsv(flags.profile);
  const name = rows[0]?.name ?? basename(flags.profile, '.csv');
  const { group, distances } = assignGroup(model, rows);
  const updated = addToGroupList(groups, name, group);
  writeFileAtomic(flags.groups, `${JSON.stringify(updated)}\n`);
  printResult(
    ctx,
    { function: name, group, distances },
    () => `${name} → ${group}\nupdated ${resolve(flags.groups)}\n`,
  );
}

export async function runTrain(flags: DataFlags & { out: string }, ctx: CliContext): Promise<void> {
  const { data, options, progress } = prepared(flags, ctx);
  const { models, evaluation } = trainAndEvaluate(data, options(false));
  progress.done();
  const written = writeModels(flags.out, models, evaluation);
  const report = await writeEvaluationReport(join(flags.out, EVALUATION_FILE), evaluation);
  printResult(ctx, { models: written, evaluation, report }, () => [
    ...evaluationTables(evaluation),
    `\nwrote ${written.length} models, ${EVALUATION_FILE} and ${basename(report)} to ${resolve(flags.out)}\n`,
  ]);
}

/** With --out FILE, the evaluation's JSON there and its report beside it (FILE.html). */
export async function runEvaluate(
  flags: DataFlags & { out?: string; folds?: number },
  ctx: CliContext,
): Promise<void> {
  const { data, options, progress } = prepared(flags, ctx);
  const evaluation = flags.folds
    ? crossValidate(data, { ...options(true), folds: flags.folds })
    : trainAndEvaluate(data, options(true)).evaluation;
  progress.done();
  let written = '';
  if (flags.out) {
    writeEvaluation(flags.out, evaluation);
    const report = await writeEvaluationReport(flags.out, evaluation);
    written = `\nwrote ${resolve(flags.out)} and ${basename(report)}\n`;
  }
  printResult(ctx, evaluation, () => [...evaluationTables(evaluation), written]);
}

export function runPredict(flags: PredictFlags, ctx: CliContext): void {
  const type = modelType(flags.model);
  const forecaster = Forecaster.load(flags.models);
  const predictions = readFeatureCsv(flags.data, forecaster).map(({ line, input, x }) => ({
    line,
    input,
    prediction: forecaster.answerAll(x, type),
  }));
  printResult(ctx, predictions, () => {
    const targets = Object.keys(predictions[0]?.prediction ?? {});
    // A class is 0 or 1; anything else is a figure.
    const cell = (v: number) => (Number.isInteger(v) ? String(v) : fmt(v));
    return {
      header: ['line', ...targets],
      rows: predictions.map((p) => [
        String(p.line),
        ...targets.map((t) => cell(p.prediction[t] ?? Number.NaN)),
      ]),
    };
  });
}

export async function runServe(flags: ServeFlags, ctx: CliContext): Promise<void> {
  const defaultModel = modelType(flags.model);
  await checkListenHosts('command line', { '--host': flags.host });
  const forecaster = Forecaster.load(flags.models);
  const service = await startForecasterService({
    forecaster,
    port: flags.port,
    host: flags.host,
    defaultModel,
    logger: ctx.logger,
  });
  ctx.logger.info(`forecaster on ${service.url}`, {
    targets: forecaster.targets,
    features: forecaster.features,
  });
  printResult(ctx, { url: service.url, targets: forecaster.targets }, () => `${service.url}\n`);
  await ctx.untilSignal();
  await service.close();
}
