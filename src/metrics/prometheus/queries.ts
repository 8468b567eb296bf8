import { z } from 'zod';

/**
 * The PromQL the sampler's Prometheus source runs (queries/*.yml); see queries/openfaas.yml.
 * node_power and function_power must give microwatts (Scaphandre's *_microwatts, unscaled).
 */
export const PrometheusQueriesSchema = z
  .object({
    node_cpu: z.string().min(1),
    node_cores: z.string().min(1),
    node_ram: z.string().min(1),
    node_ram_pct: z.string().min(1),
    node_power: z.string().min(1),
    function_cpu: z.string().min(1),
    function_ram: z.string().min(1),
    function_power: z.string().min(1),
    function_replicas: z.string().min(1),
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
