import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import {
  type FunctionDeployment,
  FunctionNameSchema,
  FunctionResourcesSchema,
} from './function-deployment.js';
import { loadConfigFile } from './read-file.js';

/**
 * The OpenFaaS stack file (faas-cli's stack.yml). Build-only keys (build_args, build_options,
 * build_secrets, platforms, skip_build, configuration) are accepted so existing stacks load, and
 * ignored by the embedded platform, which builds nothing.
 *
 * How a function runs on the embedded platform is chosen by `lang` and `handler`, or `fprocess`:
 *   lang: builtin     handler: figlet         a dfaas built-in handler (see README)
 *   lang: node|node*|typescript   handler: ./fn/hello.ts   a JS/TS module exporting a handler
 *   fprocess: "wc -c"                          any executable, as the of-watchdog runs it
 *                                              (environment.mode: serializing (default) or http)
 */

/** Stack files write environment values as YAML scalars; OpenFaaS turns them into strings. */
const scalarString = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));
const scalarMap = z.record(z.string(), scalarString);

export const StackFunctionSchema = z
  .object({
    lang: z
      .string()
      .optional()
      .describe(
        'The template: builtin (handler names a dfaas built-in); a name starting with node, typescript, ts, js or javascript (handler is a module); any other needs fprocess.',
      ),
    handler: z
      .string()
      .optional()
      .describe(
        "With lang builtin, the built-in's name (figlet, echo, ...); with a module lang, the module's path, relative to the stack file.",
      ),
    image: z
      .string()
      .min(1)
      .optional()
      .describe('Container image. Default: dfaas/HANDLER:latest for lang builtin, else NAME:latest.'),
    fprocess: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A command, run through /bin/sh -c: one process per request (body on stdin, response on stdout), or with environment mode: http a long-lived server on $PORT.',
      ),
    namespace: z.string().optional().describe('Namespace of the function. Default: openfaas-fn.'),
    environment: scalarMap
      .optional()
      .describe(
        'Environment variables (scalars become strings); exec_timeout, read_timeout, write_timeout (durations such as "10s"), max_inflight and mode are read by the platform.',
      ),
    environment_file: z
      .array(z.string())
      .optional()
      .describe(
        'YAML files with an environment map, relative to the stack file; environment wins over them.',
      ),
    secrets: z
      .array(z.string())
      .optional()
      .describe('Names of OpenFaaS secrets to mount; recorded, not used by the embedded platform.'),
    constraints: z
      .array(z.string())
      .optional()
      .describe('Placement constraints for the orchestrator; recorded, not used by the embedded platform.'),
    labels: scalarMap
      .optional()
      .describe(
        'Labels, e.g. com.openfaas.scale.min/max for scaling, dfaas.maxrate (requests/s) for a DFaaS node.',
      ),
    annotations: scalarMap
      .optional()
      .describe(
        'Annotations, e.g. com.openfaas.health.http.path (the readiness path of an http-mode fprocess).',
      ),
    limits: FunctionResourcesSchema.optional().describe(
      'Resource limits of each replica: memory is enforced; cpu where cgroups v2 allows, else advisory.',
    ),
    requests: FunctionResourcesSchema.optional().describe(
      'Resource requests (for scheduling); recorded, not used by the embedded platform.',
    ),
    readonly_root_filesystem: z
      .boolean()
      .optional()
      .describe(
        "Whether the function's root filesystem is read-only; recorded, not used by the embedded platform.",
      ),
    build_args: scalarMap
      .optional()
      .describe('faas-cli build option; accepted and ignored (dfaas builds nothing).'),
    build_options: z
      .array(z.string())
      .optional()
      .describe('faas-cli build option; accepted and ignored (dfaas builds nothing).'),
    build_secrets: scalarMap
      .optional()
      .describe('faas-cli build option; accepted and ignored (dfaas builds nothing).'),
    platforms: z
      .string()
      .optional()
      .describe('faas-cli build option; accepted and ignored (dfaas builds nothing).'),
    skip_build: z
      .boolean()
      .optional()
      .describe('faas-cli build option; accepted and ignored (dfaas builds nothing).'),
  })
  .strict()
  .superRefine((fn, ctx) => {
    if (fn.lang === 'builtin' && !fn.handler) {
      ctx.addIssue({ code: 'custom', path: ['handler'], message: 'lang builtin needs the handler name' });
    }
    if (!fn.image && !fn.fprocess && !fn.handler) {
      ctx.addIssue({ code: 'custom', path: ['image'], message: 'give image, handler or fprocess' });
    }
  });

export const StackSchema = z
  .object({
    version: scalarString
      .optional()
      .describe("The stack file format's version (faas-cli writes 1.0); not used by dfaas."),
    provider: z
      .object({
        name: z.string().describe('The provider, openfaas; not used by dfaas.'),
        gateway: z
          .string()
          .optional()
          .describe(
            'The gateway faas-cli deploys to; not used by dfaas (dfaas gateway --port chooses its own).',
          ),
        network: z.string().optional().describe('Deprecated in faas-cli; not used by dfaas.'),
      })
      .strict()
      .optional()
      .describe("faas-cli's provider block; accepted, not used by dfaas."),
    functions: z
      .record(FunctionNameSchema, StackFunctionSchema)
      .describe('The functions by name (lower-case letters, digits and "-": a DNS-1123 label).'),
    configuration: z
      .object({
        templates: z
          .array(
            z
              .object({
                name: z.string().describe("The template's name."),
                source: z.string().optional().describe('Where faas-cli fetches the template from.'),
              })
              .strict(),
          )
          .optional()
          .describe('Templates faas-cli pulls before a build; accepted and ignored.'),
        copy: z
          .array(z.string())
          .optional()
          .describe('Paths faas-cli copies into each build; accepted and ignored.'),
      })
      .strict()
      .optional()
      .describe('faas-cli build configuration; accepted and ignored (dfaas builds nothing).'),
  })
  .strict();

export type Stack = z.infer<typeof StackSchema>;

/** A faas-cli environment_file: a YAML file with an `environment` map. */
export const EnvironmentFileSchema = z
  .object({
    environment: scalarMap.describe(
      "Environment variables of the functions that list this file (scalars become strings); a function's own environment wins.",
    ),
  })
  .strict();
export type StackFunction = z.infer<typeof StackFunctionSchema>;

/** Annotation that tells the embedded platform which handler to run: builtin:NAME or a module path. */
export const HANDLER_ANNOTATION = 'dfaas.handler';

/** `lang` values the embedded platform runs as a JS/TS module handler. */
export const MODULE_LANGS = /^(node|typescript|ts|js|javascript)/;

/**
 * Turns each stack function into the FunctionDeployment that faas-cli would send, plus the
 * dfaas.handler annotation for built-in and module handlers. Handler paths and environment_file
 * are resolved against the stack's folder; `environment` wins over environment_file, as in faas-cli.
 */
export function stackToDeployments(stack: Stack, stackDir: string): FunctionDeployment[] {
  return Object.entries(stack.functions).map(([name, fn]) => {
    const environment: Record<string, string> = {};
    for (const envFile of fn.environment_file ?? []) {
      Object.assign(
        environment,
        loadConfigFile(EnvironmentFileSchema, resolve(stackDir, envFile)).environment,
      );
    }
    Object.assign(environment, fn.environment);
    const annotations: Record<string, string> = { ...fn.annotations };
    if (fn.lang === 'builtin' && fn.handler) {
      annotations[HANDLER_ANNOTATION] = `builtin:${fn.handler}`;
    } else if (fn.handler && fn.lang && MODULE_LANGS.test(fn.lang)) {
      annotations[HANDLER_ANNOTATION] = isAbsolute(fn.handler) ? fn.handler : resolve(stackDir, fn.handler);
    }
    const deployment: FunctionDeployment = {
      service: name,
      // Only built-ins get a dfaas/ image by default: for any other lang, a function named like a
      // built-in (echo) must not silently become that built-in.
      image: fn.image ?? (fn.lang === 'builtin' ? `dfaas/${fn.handler}:latest` : `${name}:latest`),
      envVars: environment,
      labels: fn.labels ?? {},
      annotations,
    };
    if (fn.fprocess) deployment.envProcess = fn.fprocess;
    if (fn.namespace) deployment.namespace = fn.namespace;
    if (fn.secrets) deployment.secrets = fn.secrets;
    if (fn.constraints) deployment.constraints = fn.constraints;
    if (fn.limits) deployment.limits = fn.limits;
    if (fn.requests) deployment.requests = fn.requests;
    if (fn.readonly_root_filesystem !== undefined)
      deployment.readOnlyRootFilesystem = fn.readonly_root_filesystem;
    return deployment;
  });
}
