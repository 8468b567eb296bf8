import { z } from 'zod';
import { parseDurationMs } from './units.js';

/**
 * Scenarios of the open-model load generator, in k6's vocabulary (executors
 * constant-arrival-rate and ramping-arrival-rate), one per target, each with its request.
 */

const duration = z
  .string()
  .refine((v) => parseDurationMs(v) !== undefined, 'not a duration (e.g. 30s, 1m, 500ms)')
  .transform((v) => parseDurationMs(v) as number);

const rate = z.number().min(0);

export const LoadRequestSchema = z
  .object({
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'an HTTP method')
      .default('POST'),
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }),
    body: z.string().default(''),
    headers: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const common = {
  timeUnit: duration.default(1000),
  preAllocatedVUs: z.number().int().min(0).optional(),
  maxVUs: z.number().int().min(1).optional(),
  request: LoadRequestSchema,
};

export const ConstantArrivalRateSchema = z
  .object({ executor: z.literal('constant-arrival-rate'), rate, duration, ...common })
  .strict();

export const RampingArrivalRateSchema = z
  .object({
    executor: z.literal('ramping-arrival-rate'),
    startRate: rate.default(0),
    stages: z.array(z.object({ target: rate, duration }).strict()).min(1),
    ...common,
  })
  .strict();

export const ScenarioSchema = z.discriminatedUnion('executor', [
  ConstantArrivalRateSchema,
  RampingArrivalRateSchema,
]);

/** A scenario name becomes part of metric names (latency_<name>): k6's identifier rules. */
const ScenarioNameSchema = z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ only');

export const LoadScenariosSchema = z
  .object({ scenarios: z.record(ScenarioNameSchema, ScenarioSchema) })
  .strict()
  .refine((v) => Object.keys(v.scenarios).length > 0, {
    message: 'at least one scenario',
    path: ['scenarios'],
  });

export type LoadRequest = z.output<typeof LoadRequestSchema>;
export type Scenario = z.output<typeof ScenarioSchema>;
export type LoadScenarios = z.output<typeof LoadScenariosSchema>;
