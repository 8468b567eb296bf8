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
      .optional(),
    cpu: z
      .string()
      .refine((v) => v === '' || parseCpuCores(v) !== undefined, 'not a CPU quantity (e.g. 0.5, 500m)')
      .optional(),
  })
  .strict();

/** A function name as OpenFaaS accepts it: a DNS-1123 label. */
export const FunctionNameSchema = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lower-case letters, digits and "-" (a DNS-1123 label)')
  .max(63);

export const FunctionDeploymentSchema = z
  .object({
    service: FunctionNameSchema,
    image: z.string().min(1),
    namespace: z.string().optional(),
    envProcess: z.string().optional(),
    constraints: z.array(z.string()).optional(),
    envVars: stringMap.optional(),
    secrets: z.array(z.string()).optional(),
    labels: stringMap.nullable().optional(),
    annotations: stringMap.nullable().optional(),
    limits: FunctionResourcesSchema.nullable().optional(),
    requests: FunctionResourcesSchema.nullable().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    /** Deprecated in OpenFaaS and ignored, accepted so faas-cli bodies validate. */
    registryAuth: z.string().optional(),
    /** Deprecated in OpenFaaS and ignored, accepted so faas-cli bodies validate. */
    network: z.string().optional(),
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
