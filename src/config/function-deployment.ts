import { z } from 'zod';
import { parseCpuCores, parseMemoryBytes } from './units.js';

/**
 * The OpenFaaS FunctionDeployment and FunctionStatus types, as in the gateway's OpenAPI spec
 * (test/fixtures/openfaas/openfaas-gateway.openapi.yml). The gateway validates POST/PUT bodies with
 * these schemas; unknown keys are rejected so a typo (`envVar` for `envVars`) is not ignored.
 */

const stringMap = z.record(z.string(), z.string());

export const FunctionResourcesSchema = z
  .object({
    memory: z
      .string()
      // faas-cli sends "" for a limit the stack does not set.
      .refine(
        (v) => v === '' || parseMemoryBytes(v) !== undefined,
        'not a memory quantity (e.g. 128Mi, 256M, 1Gi)',
      )
      .optional()
      .describe(
        'Memory as a Kubernetes quantity in bytes: "128Mi" (binary), "256M" (decimal), "1Gi"; "" means unset.',
      ),
    cpu: z
      .string()
      .refine((v) => v === '' || parseCpuCores(v) !== undefined, 'not a CPU quantity (e.g. 0.5, 500m)')
      .optional()
      .describe('CPU as a Kubernetes quantity in cores: "0.5", or "500m" (millicores); "" means unset.'),
  })
  .strict();

/** A function name as OpenFaaS accepts it: a DNS-1123 label. */
export const FunctionNameSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lower-case letters, digits and "-" (a DNS-1123 label)')
  .max(63);

export const FunctionDeploymentSchema = z
  .object({
    service: FunctionNameSchema.describe(
      'The function\'s name: lower-case letters, digits and "-", at most 63 characters (a DNS-1123 label).',
    ),
    image: z
      .string()
      .min(1)
      .describe(
        'Container image. The embedded platform runs no containers: it runs envProcess, else the dfaas.handler annotation, else a built-in for an image named dfaas/NAME[:tag].',
      ),
    namespace: z.string().optional().describe('Namespace of the function. Default: openfaas-fn.'),
    envProcess: z
      .string()
      .optional()
      .describe("The command the watchdog runs (the stack's fprocess), through /bin/sh -c."),
    constraints: z
      .array(z.string())
      .optional()
      .describe('Placement constraints for the orchestrator; recorded, not used by the embedded platform.'),
    envVars: stringMap
      .optional()
      .describe(
        'Environment variables of the function; exec_timeout, read_timeout, write_timeout, max_inflight and mode are read by the platform.',
      ),
    secrets: z
      .array(z.string())
      .optional()
      .describe('Names of OpenFaaS secrets to mount; recorded, not used by the embedded platform.'),
    labels: stringMap
      .nullable()
      .optional()
      .describe(
        'Labels, e.g. com.openfaas.scale.min/max for scaling, dfaas.maxrate (requests/s) for a DFaaS node.',
      ),
    annotations: stringMap
      .nullable()
      .optional()
      .describe(
        'Annotations, e.g. dfaas.handler (builtin:NAME or a module path), com.openfaas.health.http.path.',
      ),
    limits: FunctionResourcesSchema.nullable()
      .optional()
      .describe(
        'Resource limits of each replica: memory is enforced; cpu where cgroups v2 allows, else advisory.',
      ),
    requests: FunctionResourcesSchema.nullable()
      .optional()
      .describe('Resource requests (for scheduling); recorded, not used by the embedded platform.'),
    readOnlyRootFilesystem: z
      .boolean()
      .optional()
      .describe(
        "Whether the function's root filesystem is read-only; recorded, not used by the embedded platform.",
      ),
    registryAuth: z
      .string()
      .optional()
      .describe("Deprecated in OpenFaaS and ignored; accepted so that faas-cli's bodies validate."),
    network: z
      .string()
      .optional()
      .describe("Deprecated in OpenFaaS and ignored; accepted so that faas-cli's bodies validate."),
  })
  .strict();

export type FunctionResources = z.infer<typeof FunctionResourcesSchema>;
export type FunctionDeployment = z.infer<typeof FunctionDeploymentSchema>;

// Not strict, unlike FunctionDeployment: the spec allows more properties in these small
// bodies and clients send some (namespace); they carry nothing a typo could lose.
export const ScaleServiceRequestSchema = z.object({
  serviceName: z.string().optional(),
  namespace: z.string().optional(),
  replicas: z.number().int().min(0),
});

export const DeleteFunctionRequestSchema = z.object({ functionName: z.string().min(1) });

export interface FunctionUsage {
  /** CPU in use, in millicores (1000 = one core busy), over the last sampling interval. */
  cpu: number;
  /** Resident memory of all the function's replica processes, in bytes. */
  totalMemoryBytes: number;
}

export interface FunctionStatus {
  name: string;
  image: string;
  namespace?: string;
  envProcess?: string;
  envVars?: Record<string, string>;
  constraints?: string[];
  secrets?: string[];
  labels?: Record<string, string> | null;
  annotations?: Record<string, string> | null;
  limits?: FunctionResources | null;
  requests?: FunctionResources | null;
  readOnlyRootFilesystem?: boolean;
  invocationCount?: number;
  /** Desired replicas. */
  replicas?: number;
  /** Replicas ready to serve. */
  availableReplicas?: number;
  createdAt?: string;
  usage?: FunctionUsage | null;
}

export interface GatewayInfo {
  provider: { provider: string; orchestration: string; version: { sha: string; release: string } | null };
  version: { sha: string; release: string; commit_message?: string } | null;
  arch: string;
}
