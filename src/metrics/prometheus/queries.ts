import { z } from 'zod';

/**
 * The PromQL the sampler's Prometheus source runs (queries/*.yml); see queries/openfaas.yml.
 * node_power and function_power must give microwatts (Scaphandre's *_microwatts, unscaled).
 */
export const PrometheusQueriesSchema = z
  .object({
    node_cpu: z
      .string()
      .min(1)
      .describe("PromQL: the node's CPU in percent of one core (a 4-core node goes to 400), over {window}."),
    node_cores: z
      .string()
      .min(1)
      .describe("PromQL: the node's CPU cores (its capacity is cores × 100 percent)."),
    node_ram: z.string().min(1).describe("PromQL: the node's RAM in use, in bytes."),
    node_ram_pct: z.string().min(1).describe("PromQL: the node's RAM in use, in percent of its total RAM."),
    node_power: z
      .string()
      .min(1)
      .describe(
        "PromQL: the node's power in microwatts (Scaphandre's unit, unscaled); run only with scaphandre_enabled.",
      ),
    function_cpu: z
      .string()
      .min(1)
      .describe(
        'PromQL: the CPU of function {function}, all replicas, in percent of one core, over {window}.',
      ),
    function_ram: z
      .string()
      .min(1)
      .describe('PromQL: the memory of function {function}, all replicas, in bytes.'),
    function_power: z
      .string()
      .min(1)
      .describe(
        "PromQL: the power of the function's processes, those matching {pid_regex}, in microwatts; run only with scaphandre_enabled for a function in function_pid_regexes.",
      ),
    function_replicas: z.string().min(1).describe('PromQL: the replicas of function {function}.'),
  })
  .strict();

export type PrometheusQueries = z.infer<typeof PrometheusQueriesSchema>;

/** The query profiles shipped with dfaas, by name. */
export const SHIPPED_QUERIES = {
  openfaas: new URL('../../../queries/openfaas.yml', import.meta.url).pathname,
  embedded: new URL('../../../queries/embedded.yml', import.meta.url).pathname,
} as const;

/** Fills {window}, {function} and {pid_regex} into a query. */
export function fillQuery(
  query: string,
  values: { window: string; function?: string; pidRegex?: string },
): string {
  return query
    .replaceAll('{window}', values.window)
    .replaceAll('{function}', values.function ?? '')
    .replaceAll('{pid_regex}', values.pidRegex ?? '^$');
}
