import { z } from 'zod';
import { ConfigError, type ConfigIssue, issuesFromZod } from '../../../core/errors.js';
import { DEFAULT_STRATEGY, STRATEGY_NAMES, type StrategyParams } from '../../../offload/strategies/index.js';
import { deploymentOf } from '../../instances/deployment.js';
import type { SimInstance } from '../../instances/instance.js';
import { ARRIVAL_PROCESSES } from './arrivals.js';
import { linkKey } from './links.js';
import { SERVICE_DISTRIBUTIONS } from './stations.js';

/**
 * The options of an `events` run, each with its default. Times are simulated: nothing waits.
 */

const ms = z.number().finite().min(0);
const positive = z.number().finite().positive();

/** What may be set per function (by name), on every node that deploys it. */
export const FunctionOptionsSchema = z.strictObject({
  maxRate: z
    .number()
    .finite()
    .min(0)
    .optional()
    .describe(
      "The function's dfaas.maxrate, req/s (static, recalc). Default: the highest rate of its group alone that the node model lets the node's type take (soloCapacity).",
    ),
  slots: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('Executions at once on a node (max_inflight). Default: ceil(maxRate × service seconds).'),
  serviceMs: positive.optional().describe('Mean service time, ms. Default: the run-wide serviceMs.'),
  service: z.enum(SERVICE_DISTRIBUTIONS).optional().describe('Default: the run-wide service.'),
});

export const EventsOptionsSchema = z.strictObject({
  strategy: z.enum(STRATEGY_NAMES).default(DEFAULT_STRATEGY).describe('The strategy every node runs.'),
  strategyParams: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("The strategy's parameters (the node configuration's agent fields)."),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .describe("Seed of every random stream. Default: the instance's seed."),
  instantSeconds: positive.default(60).describe("Length of an instant (the framework's minute), s."),
  periodMs: positive.default(5000).describe("The agents' period, ms (the live agent's default, 5 s)."),
  gossipDelayMs: ms
    .default(50)
    .describe("Time for a published message to reach a linked neighbour, besides the link's latency, ms."),
  linkLatencyMs: z
    .record(z.string(), ms)
    .default({})
    .describe(
      "One-way latency of a link, ms, by 'node_a|node_b' (either order). Default: the instance's link_latency_ms, else defaultLinkLatencyMs.",
    ),
  defaultLinkLatencyMs: ms.default(1).describe('One-way latency of a link given no latency, ms.'),
  arrivals: z.enum(ARRIVAL_PROCESSES).default('poisson').describe('How user requests arrive at a rate.'),
  serviceMs: positive.default(100).describe('Mean service time of a function, ms.'),
  service: z.enum(SERVICE_DISTRIBUTIONS).default('exponential').describe('Distribution of service times.'),
  functions: z.record(z.string(), FunctionOptionsSchema).default({}).describe('Per function, by name.'),
  slowdown: z
    .boolean()
    .default(true)
    .describe(
      "Slow a node's service times down by its model: × max(1, predicted cpu / cpu threshold) at the rates it ran over its last period. Off for functions whose limit is their concurrency, not the CPU (one that sleeps).",
    ),
  coldStartMs: ms
    .default(0)
    .describe("Added to a function's first request on a node (and after idling), ms."),
  idleTimeoutMs: positive
    .optional()
    .describe('A function without requests for this long is cold again, ms. Default: never.'),
  warmupMs: ms.default(0).describe('Requests arriving before this time are simulated but not counted, ms.'),
  windowSeconds: positive
    .optional()
    .describe('Length of the per-node count windows, s. Default: instantSeconds.'),
});

/** The options as a caller gives them (every field optional). */
export type EventsOptionsInput = z.input<typeof EventsOptionsSchema>;
/** The options with the defaults filled in. */
export type EventsOptions = z.output<typeof EventsOptionsSchema> & { strategyParams: StrategyParams };

/**
 * Validates the options against the instance and fills in the defaults; bad input is a ConfigError
 * naming the field (a link that is not one, a function no node deploys, a warm-up past the end).
 */
export function parseEventsOptions(input: EventsOptionsInput, instance: SimInstance): EventsOptions {
  const parsed = EventsOptionsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError('events options', issuesFromZod(parsed.error));
  const options = parsed.data as EventsOptions;
  const issues: ConfigIssue[] = [];
  const links = new Set(instance.nodes.flatMap((n) => n.neighbours.map((m) => linkKey(n.id, m))));
  for (const key of Object.keys(options.linkLatencyMs)) {
    const [a, b, ...rest] = key.split('|');
    if (a === undefined || b === undefined || rest.length > 0 || !links.has(linkKey(a, b)))
      issues.push({ field: `linkLatencyMs.${key}`, message: "not a link of the instance ('node_a|node_b')" });
  }
  const deployed = new Set(instance.nodes.flatMap((n) => deploymentOf(n).map((f) => f.name)));
  for (const name of Object.keys(options.functions))
    if (!deployed.has(name)) issues.push({ field: `functions.${name}`, message: 'no node deploys it' });
  const durationMs = (instance.nodes[0]?.load.length ?? 0) * options.instantSeconds * 1000;
  if (options.warmupMs >= durationMs)
    issues.push({ field: 'warmupMs', message: `must be below the simulated time, ${durationMs} ms` });
  if (issues.length > 0) throw new ConfigError('events options', issues);
  return options;
}
