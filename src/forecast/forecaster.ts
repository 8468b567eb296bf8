/**
 * The trained models, in-process: what the forecaster service serves, and what the node agent
 * and the simulator call directly. Loads the TARGET.json files `dfaas forecast train` wrote
 * (the format and prediction are model.ts's).
 */
import { z } from 'zod';
import { ForecastInputError, ModelFileError } from './errors.js';
import {
  answerModel,
  answersType,
  loadModels,
  type ModelFile,
  type ModelType,
  NODE_TARGETS,
  type NodeTarget,
  predictModel,
} from './model.js';

/** Per node target its prediction; null where no model of it exists (power without power data). */
export type NodeUsage = Record<NodeTarget, number | null>;

export class Forecaster {
  /** Feature names every model takes, in order. */
  readonly features: string[];
  private readonly input: z.ZodType<Record<string, number>>;

  /** A ModelFileError when there is no model or the models take different features. */
  constructor(private readonly models: Map<string, ModelFile>) {
    const first = [...models.values()][0];
    if (!first) throw new ModelFileError('no models');
    for (const m of models.values()) {
      if (m.features.join(',') !== first.features.join(',')) {
        throw new ModelFileError(
          `${m.target} takes ${m.features.join(', ')}, not ${first.features.join(', ')} as the others`,
        );
      }
    }
    this.features = first.features;
    // Extra fields are ignored, as the reference forecaster (pydantic) does. Rates are finite and
    // not negative; node_type is 0, 1, 2 (heavy, mid, light) or a capacity number, never negative.
    this.input = z.object(
      Object.fromEntries(this.features.map((f) => [f, z.number().min(0)])),
    ) as unknown as z.ZodType<Record<string, number>>;
  }

  /** Loads every model file of `dir`; a ModelFileError names a file that is not one. */
  static load(dir: string): Forecaster {
    return new Forecaster(loadModels(dir));
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
    return predictModel(this.model(target), x, type);
  }

  /** One target's answer, as the service gives it: `{TARGET: v}`, or the class and its probability (answerModel). */
  answer(target: string, x: number[], type: ModelType = 'regression'): Record<string, number> {
    return answerModel(this.model(target), x, type);
  }

  /**
   * Every target's answer for a feature vector, in one object: the targets that have a `type`
   * model (the quantiles exist for the node targets alone) and the overload class.
   */
  answerAll(x: number[], type: ModelType = 'regression'): Record<string, number> {
    const answers = this.targets
      .map((t) => this.model(t))
      .filter((m) => answersType(m, type))
      .map((m) => answerModel(m, x, type));
    return Object.assign({}, ...answers);
  }

  private model(target: string): ModelFile {
    const model = this.models.get(target);
    if (!model) throw new ForecastInputError(`no model of ${target}; there are ${this.targets.join(', ')}`);
    return model;
  }

  /** The node's CPU, RAM and power for one request body. */
  nodeUsage(body: unknown, type: ModelType = 'regression'): NodeUsage {
    const x = this.vector(body);
    const usage = {} as NodeUsage;
    for (const t of NODE_TARGETS) usage[t] = this.has(t) ? this.predict(t, x, type) : null;
    return usage;
  }
}
