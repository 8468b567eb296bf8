import { z } from 'zod';
import { loadConfigFile } from '../../config/read-file.js';
import type { ModelType } from '../../forecast/model.js';
import { frameworkAnalyticModel } from './analytic.js';
import { forecasterModel } from './forecaster-model.js';
import { type NodeModel, THRESHOLD_SETS, type ThresholdSetName, type Thresholds } from './node-model.js';

/**
 * The node model and thresholds a simulation runs with, from what the user names: `--models DIR`
 * (`forecast train` output; default the built-in framework-analytic model) and `--thresholds`
 * (`framework`, `testbed`, or a YAML/JSON file of the same shape).
 */

const usage = z.strictObject({
  cpu_usage_node: z.number().positive().optional().describe('CPU, % of one core'),
  ram_usage_node: z.number().positive().optional().describe('RAM, bytes'),
  power_usage_node: z.number().positive().optional().describe('power, µW'),
});

/** A thresholds file: the most each node type may use before it counts as overloaded. */
export const ThresholdsFileSchema = z.strictObject({ HEAVY: usage, MID: usage, LIGHT: usage });

export function chooseThresholds(nameOrFile: string): Thresholds {
  if (Object.hasOwn(THRESHOLD_SETS, nameOrFile)) return THRESHOLD_SETS[nameOrFile as ThresholdSetName];
  return loadConfigFile(ThresholdsFileSchema, nameOrFile);
}

export function chooseModel(modelsDir: string | undefined, type: ModelType = 'regression'): NodeModel {
  return modelsDir === undefined ? frameworkAnalyticModel : forecasterModel(modelsDir, type);
}
