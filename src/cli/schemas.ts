/**
 * Every configuration file dfaas reads, by the name `dfaas schema NAME` takes, with its zod
 * schema. Loaded only when `dfaas schema` runs (it imports schemas from every layer).
 */
import type { z } from 'zod';
import { FunctionDeploymentSchema } from '../config/function-deployment.js';
import { toJsonSchema } from '../config/json-schema.js';
import { LoadScenariosSchema } from '../config/load-scenarios.js';
import { SamplerConfigSchema } from '../config/sampler.js';
import { EnvironmentFileSchema, StackSchema } from '../config/stack.js';
import { GroupListSchema } from '../dataset/groups.js';
import { PrometheusQueriesSchema } from '../metrics/prometheus/queries.js';
import { NodeConfigSchema } from '../node/config.js';

/** Every configuration file dfaas reads, by the name `dfaas schema NAME` takes. */
export const CONFIG_SCHEMAS: Record<string, { description: string; schema: z.ZodType }> = {
  stack: { description: 'OpenFaaS stack.yml, as `dfaas gateway --stack` reads it', schema: StackSchema },
  'environment-file': {
    description: "a stack's environment_file: YAML with an environment map",
    schema: EnvironmentFileSchema,
  },
  'load-scenarios': {
    description: 'scenarios of `dfaas load --scenarios` (k6 arrival-rate executors)',
    schema: LoadScenariosSchema,
  },
  sampler: {
    description: 'the sampler configuration of `dfaas sample --config` (without common/plugins sections)',
    schema: SamplerConfigSchema,
  },
  'prometheus-queries': {
    description: "the sampler's PromQL file (queries_path; see queries/*.yml)",
    schema: PrometheusQueriesSchema,
  },
  'group-list': {
    description: 'group_list.json of `dfaas forecast` (function names by group)',
    schema: GroupListSchema,
  },
  node: {
    description: 'a DFaaS node of `dfaas node up --config` (identity, peers, proxy, platform, agent)',
    schema: NodeConfigSchema,
  },
  'function-deployment': {
    description: 'OpenFaaS FunctionDeployment, the body of POST/PUT /system/functions',
    schema: FunctionDeploymentSchema,
  },
};

/** The JSON Schema of the configuration called `name`; undefined for an unknown name. */
export function jsonSchemaOf(name: string): Record<string, unknown> | undefined {
  const entry = CONFIG_SCHEMAS[name];
  return entry && toJsonSchema(name, entry.description, entry.schema);
}
