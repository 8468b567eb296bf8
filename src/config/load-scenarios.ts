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
      .default('POST')
      .describe('HTTP method. Default: POST.'),
    url: z
      .url({ protocol: /^https?$/, error: 'an http:// or https:// URL' })
      .describe('The http:// or https:// URL each request goes to.'),
    body: z.string().default('').describe('Body of each request. Default: empty.'),
    headers: z.record(z.string(), z.string()).default({}).describe('HTTP headers of each request, by name.'),
  })
  .strict();

const common = {
  timeUnit: duration
    .default(1000)
    .describe(
      'The period the rates are counted over, a duration such as "1s" or "1m". Default: 1s (rates in requests/s).',
    ),
  preAllocatedVUs: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      "k6's pre-allocated VUs: the requests in flight at most when maxVUs is not given (the larger of the two otherwise).",
    ),
  maxVUs: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe(
      'Requests in flight at most; an arrival that finds them all busy is dropped and counted (dropped_iterations). Default: preAllocatedVUs, else the peak rate per second.',
    ),
  request: LoadRequestSchema.describe('The HTTP request each arrival sends.'),
};

export const ConstantArrivalRateSchema = z
  .object({
    executor: z.literal('constant-arrival-rate').describe('A constant rate of arrivals for a duration.'),
    rate: rate.describe(
      'Arrivals (requests started) per timeUnit, whether earlier ones have answered or not.',
    ),
    duration: duration.describe('How long the scenario runs, a duration such as "30s", "1m30s" or "500ms".'),
    ...common,
  })
  .strict();

export const RampingArrivalRateSchema = z
  .object({
    executor: z
      .literal('ramping-arrival-rate')
      .describe("A rate of arrivals moving linearly from startRate to each stage's target."),
    startRate: rate.default(0).describe('Arrivals per timeUnit at the start. Default: 0.'),
    stages: z
      .array(
        z
          .object({
            target: rate.describe('Arrivals per timeUnit at the end of the stage.'),
            duration: duration.describe('How long the stage lasts, a duration such as "20s".'),
          })
          .strict(),
      )
      .min(1)
      .describe(
        'The stages, in order; within each the rate moves linearly from the previous target (startRate for the first) to its own.',
      ),
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
  .object({
    scenarios: z
      .record(ScenarioNameSchema, ScenarioSchema)
      .describe(
        'The scenarios, run together, by name (letters, digits and _; it names the metrics latency_NAME, ...).',
      ),
  })
  .strict()
  .refine((v) => Object.keys(v.scenarios).length > 0, {
    message: 'at least one scenario',
    path: ['scenarios'],
  });

export type LoadRequest = z.output<typeof LoadRequestSchema>;
export type Scenario = z.output<typeof ScenarioSchema>;
export type LoadScenarios = z.output<typeof LoadScenariosSchema>;
