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
    lang: z.string().optional(),
    handler: z.string().optional(),
    image: z.string().min(1).optional(),
    fprocess: z.string().min(1).optional(),
    namespace: z.string().optional(),
    environment: scalarMap.optional(),
    environment_file: z.array(z.string()).optional(),
    secrets: z.array(z.string()).optional(),
    constraints: z.array(z.string()).optional(),
    labels: scalarMap.optional(),
    annotations: scalarMap.optional(),
    limits: FunctionResourcesSchema.optional(),
    requests: FunctionResourcesSchema.optional(),
    readonly_root_filesystem: z.boolean().optional(),
    build_args: scalarMap.optional(),
    build_options: z.array(z.string()).optional(),
    build_secrets: scalarMap.optional(),
    platforms: z.string().optional(),
    skip_build: z.boolean().optional(),
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
    version: scalarString.optional(),
    provider: z
      .object({
        name: z.string(),
        gateway: z.string().optional(),
        network: z.string().optional(),
      })
      .strict()
      .optional(),
    functions: z.record(FunctionNameSchema, StackFunctionSchema),
    configuration: z
      .object({
        templates: z.array(z.object({ name: z.string(), source: z.string().optional() }).strict()).optional(),
        copy: z.array(z.string()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type Stack = z.infer<typeof StackSchema>;

/** A faas-cli environment_file: a YAML file with an `environment` map. */
export const EnvironmentFileSchema = z.object({ environment: scalarMap }).strict();
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
