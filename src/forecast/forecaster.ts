/**
 * The trained models, in-process: what the forecaster service serves, and what the node agent
 * and the simulator call directly. Loads the TARGET.json files `dfaas forecast train` wrote.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { NODE_METRICS, type NodeMetric } from '../dataset/node-metrics.js';
import { predictGbt } from './gbt.js';
import type { ModelFile, RegressionModels } from './train.js';

/** Which of a target's models answers: the regression, or its 0.05 or 0.95 quantile. */
export const MODEL_TYPES = ['regression', 'quantile005', 'quantile095'] as const;
export type ModelType = (typeof MODEL_TYPES)[number];

/** The node figures the DFaaS forecaster serves. */
export const NODE_TARGETS = NODE_METRICS;
export type NodeTarget = NodeMetric;

/** Per node target its prediction; null where no model of it exists (power without power data). */
export type NodeUsage = Record<NodeTarget, number | null>;

export class ForecastInputError extends Error {}

/**
 * A regression target's prediction by the chosen model. The quantiles are rearranged around the
 * regression (the 0.05 one at most, the 0.95 one at least the regression's value): separately
 * fitted quantile models can cross, and a band that misses the expected value is no band
 * (Chernozhukov, Fernández-Val and Galichon, "Quantile and probability curves without crossing", 2010).
 */
export function predictRegression(
  models: RegressionModels,
  type: ModelType,
  x: number[],
  target = 'target',
): number {
  const expected = predictGbt(models.regression, x);
  if (type === 'regression') return expected;
  const quantile = models[type];
  if (!quantile)
    throw new ForecastInputError(`${target} has no ${type} model (only the node targets have quantiles)`);
  const value = predictGbt(quantile, x);
  return type === 'quantile005' ? Math.min(value, expected) : Math.max(value, expected);
}

export class Forecaster {
  /** Feature names every model takes, in order. */
  readonly features: string[];
  private readonly input: z.ZodType<Record<string, number>>;

  constructor(private readonly models: Map<string, ModelFile>) {
    const first = [...models.values()][0];
    if (!first) throw new Error('no models');
    for (const m of models.values()) {
      if (m.features.join(',') !== first.features.join(',')) {
        throw new Error(
          `${m.target} takes ${m.features.join(', ')}, not ${first.features.join(', ')} as the others`,
        );
      }
    }
    this.features = first.features;
    // Extra fields are ignored, as the reference forecaster (pydantic) does.
    this.input = z.object(
      Object.fromEntries(this.features.map((f) => [f, f === 'node_type' ? z.number() : z.number().min(0)])),
    ) as unknown as z.ZodType<Record<string, number>>;
  }

  /** Loads every model file of `dir`; an Error names a file that is not one. */
  static load(dir: string): Forecaster {
    const models = new Map<string, ModelFile>();
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'evaluation.json')) {
      const path = join(dir, name);
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ModelFile>;
      if (parsed.format !== 'dfaas-forecast-model' || parsed.version !== 1 || !parsed.target) {
        throw new Error(`${path}: not a dfaas forecast model (format dfaas-forecast-model, version 1)`);
      }
      models.set(parsed.target, parsed as ModelFile);
    }
    if (models.size === 0) throw new Error(`${dir}: no model files (TARGET.json); run dfaas forecast train`);
    return new Forecaster(models);
  }

  get targets(): string[] {
    return [...this.models.keys()].sort();
  }

  has(target: string): boolean {
    return this.models.has(target);
  }

  /** The feature vector of a request body; a ForecastInputError says what is wrong with it. */
  vector(body: unknown): number[] {
    const parsed = this.input.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      throw new ForecastInputError(
        `${field}: ${issue?.message ?? 'invalid'} (expected an object with ${this.features.join(', ')})`,
      );
    }
    return this.features.map((f) => parsed.data[f] as number);
  }

  /** One target's prediction for a feature vector; overloaded_node gives the probability. */
  predict(target: string, x: number[], type: ModelType = 'regression'): number {
    const model = this.models.get(target);
    if (!model) throw new ForecastInputError(`no model of ${target}; there are ${this.targets.join(', ')}`);
    if ('classifier' in model.models) return predictGbt(model.models.classifier, x);
    return predictRegression(model.models as RegressionModels, type, x, target);
  }

  /** The node's CPU, RAM and power for one request body. */
  nodeUsage(body: unknown, type: ModelType = 'regression'): NodeUsage {
    const x = this.vector(body);
    const usage = {} as NodeUsage;
    for (const t of NODE_TARGETS) usage[t] = this.has(t) ? this.predict(t, x, type) : null;
    return usage;
  }
}
