import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { readInputFile } from '../core/files.js';
import { FunctionNameSchema } from './function-deployment.js';
import { parseConfigText, validateConfig } from './read-file.js';
import { positiveDuration as duration } from './units.js';

/**
 * The sampler's configuration (`dfaas sample --config FILE`): which functions, which rates and
 * combinations, how long, and the rules for cooldown and overload. Defaults and meanings follow
 * the DFaaS sampling plugin (rates 0..200 step 10, combinations 1..2, duration 30s, 3 iterations,
 * cooldown 180/5/15, overload 80/90/0.95/0.90/15).
 */

const SampledFunctionSchema = z
  .object({
    name: FunctionNameSchema,
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'an HTTP method')
      .default('POST'),
    body: z.string().default(''),
    headers: z.record(z.string(), z.string()).default({}),
    /** Rates above this are left out for this function. */
    max_rate: z.number().min(0).optional(),
  })
  .strict();

const RateStrategySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('linear') }).strict(),
  z
    .object({
      type: z.literal('exponential'),
      base: z.number().gt(1),
      min_power: z.number().int().min(0),
      max_power: z.number().int().min(0),
    })
    .strict()
    .refine((s) => s.max_power >= s.min_power, { message: 'must be >= min_power', path: ['max_power'] }),
  z
    .object({ type: z.literal('random'), count: z.number().int().min(1), seed: z.number().int().default(1) })
    .strict(),
  z.object({ type: z.literal('custom'), values: z.array(z.number().min(0)).min(1) }).strict(),
]);

const RatesSchema = z
  .object({
    min_rate: z.number().min(0).default(0),
    max_rate: z.number().min(0).default(200),
    step: z.number().gt(0, 'must be > 0').default(10),
    strategy: RateStrategySchema.default({ type: 'linear' }),
  })
  .strict()
  .refine((r) => r.max_rate >= r.min_rate, { message: 'must be >= min_rate', path: ['max_rate'] });

const CombinationsSchema = z
  .object({
    min_functions: z.number().int().min(1).default(1),
    max_functions: z.number().int().min(1).default(2),
    /** true (default): max_functions is excluded, as in the legacy range(min, max). */
    exclusive: z.boolean().default(true),
  })
  .strict()
  .refine((c) => (c.exclusive ? c.min_functions < c.max_functions : c.min_functions <= c.max_functions), {
    message: 'must be above min_functions (or equal, with exclusive: false)',
    path: ['max_functions'],
  });

/**
 * The reference's Grafana block (grafana.enabled/url/api_key/org_id, with its defaults). Read by
 * the sampler's Grafana client; absent from the parsed configuration when the file has none.
 */
export const GrafanaSettingsSchema = z
  .object({
    enabled: z.boolean().default(false),
    url: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
    api_key: z.string().min(1).optional(),
    org_id: z.number().int().min(1).default(1),
  })
  .strict();
export type GrafanaSettings = z.output<typeof GrafanaSettingsSchema>;

/** `{host.address}` in a URL: the address of the target host (see resolveHostTemplates). */
export const HOST_ADDRESS_PLACEHOLDER = '{host.address}';

/** An http(s) URL, or one with `{host.address}` in place of its host (the reference's template). */
const urlOrTemplate = z.string().refine(
  (v) => {
    try {
      const u = new URL(v.replaceAll(HOST_ADDRESS_PLACEHOLDER, 'host.invalid'));
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: `an http(s) URL (the host may be ${HOST_ADDRESS_PLACEHOLDER})` },
);

const pct = z.number().min(0).max(100);
const fraction = z.number().min(0).max(1);

export const SamplerConfigSchema = z
  .object({
    functions: z.array(SampledFunctionSchema).min(1, 'give at least one function'),
    rates: RatesSchema.default({ min_rate: 0, max_rate: 200, step: 10, strategy: { type: 'linear' } }),
    combinations: CombinationsSchema.default({ min_functions: 1, max_functions: 2, exclusive: true }),
    duration: duration.default(30_000),
    iterations: z.number().int().min(1).default(3),
    /**
     * A plan with more configurations is refused before anything runs (exit 2, with its count):
     * 10,000 configurations of 30 s in 3 iterations is more than ten days of load.
     */
    max_configurations: z.number().int().min(1).default(10_000),
    cooldown: z
      .object({
        max_wait_seconds: z.number().min(0).default(180),
        sleep_step_seconds: z.number().gt(0).default(5),
        idle_threshold_pct: pct.default(15),
      })
      .strict()
      .default({ max_wait_seconds: 180, sleep_step_seconds: 5, idle_threshold_pct: 15 }),
    overload: z
      .object({
        cpu_overload_pct_of_capacity: pct.default(80),
        ram_overload_pct: pct.default(90),
        success_rate_node_min: fraction.default(0.95),
        success_rate_function_min: fraction.default(0.9),
        replicas_overload_threshold: z.number().int().min(1).default(15),
      })
      .strict()
      .default({
        cpu_overload_pct_of_capacity: 80,
        ram_overload_pct: 90,
        success_rate_node_min: 0.95,
        success_rate_function_min: 0.9,
        replicas_overload_threshold: 15,
      }),
    gateway_url: z.url({ protocol: /^https?$/ }).optional(),
    /** May hold `{host.address}`: the host of gateway_url, else 127.0.0.1 (resolved on loading). */
    prometheus_url: urlOrTemplate.optional(),
    grafana: GrafanaSettingsSchema.optional(),
    metrics: z
      .object({
        /** `local` is the old name of `embedded`, still read (with a deprecation warning). */
        source: z.enum(['embedded', 'prometheus', 'local']).optional(),
      })
      .strict()
      .default({}),
    queries_path: z.string().optional(),
    /**
     * Restore the functions before each run (scale to zero and back, on OpenFaaS through the
     * gateway API), so node RAM does not carry the heap of earlier runs. Left out: on for a new
     * sweep, and off for one resumed from a run.json that recorded no restore (a dataset is not
     * measured half one way and half the other). Left out of the parsed configuration when not
     * given, so the default run id (a hash of it) of an older configuration does not change.
     */
    restore_functions: z.boolean().optional(),
    /** Basic auth for the gateway's /system API (restoring on OpenFaaS): one line `username:password`. */
    gateway_auth_file: z.string().min(1).optional(),
    /**
     * Frontier refinement after the grid: bisect between each overloaded configuration and its
     * largest non-overloaded neighbours down to `rate_step` requests/s (src/sampler/frontier.ts).
     */
    frontier: z
      .object({ rate_step: z.number().gt(0, 'must be > 0') })
      .strict()
      .optional(),
    scaphandre_enabled: z.boolean().default(false),
    function_pid_regexes: z.record(z.string(), z.string()).default({}),
    output_dir: z.string().optional(),
    run_id: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
      .optional(),
    /**
     * What sends the load: the built-in open-model generator, or k6 (on k6_host over SSH when
     * given, else the local k6_binary). Default: k6 when k6_host is given, else builtin.
     */
    load_driver: z.enum(['builtin', 'k6']).optional(),
    k6_binary: z.string().min(1).default('k6'),
    k6_host: z.string().min(1).optional(),
    k6_user: z.string().min(1).optional(),
    /** Private key file (relative to the configuration file, or ~/…); without it, the SSH agent. */
    k6_ssh_key: z.string().min(1).optional(),
    k6_port: z.number().int().min(1).max(65_535).default(22),
    /** Pins the k6 host's key: its fingerprint as `ssh-keygen -lf` prints it. */
    k6_host_fingerprint: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh-keygen -lf prints it')
      .optional(),
    /** Remote directory of the scripts and summaries; each run gets a subdirectory named by run id. */
    k6_workspace_root: z.string().min(1).default('dfaas-k6'),
    k6_outputs: z.array(z.string().min(1)).default([]),
    k6_tags: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a k6 tag name'), z.string()).default({}),
    /**
     * Start the embedded gateway with this stack (a path relative to the configuration file)
     * when no gateway_url is given; on `port` (default: any free one) for a Prometheus to scrape.
     */
    platform: z
      .object({ stack: z.string().min(1), port: z.number().int().min(0).max(65_535).default(0) })
      .strict()
      .optional(),
    // The reference's keys that dfaas accepts, records (run.json) and does not act on (see
    // REFERENCE_ONLY_KEYS): the runner's common keys, and the plugin's own.
    timeout_buffer: z.number().int().min(0).optional(),
    max_retries: z.number().int().min(0).optional(),
    tags: z.array(z.string()).optional(),
    config_path: z.string().min(1).optional(),
    deploy_functions: z.boolean().optional(),
    k6_log_stream: z.boolean().optional(),
    openfaas_port: z.number().int().min(1).max(65_535).optional(),
    prometheus_port: z.number().int().min(1).max(65_535).optional(),
    loki: z
      .object({
        enabled: z.boolean().optional(),
        endpoint: z.string().optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.functions.forEach((f, i) => {
      if (seen.has(f.name))
        ctx.addIssue({
          code: 'custom',
          path: ['functions', i, 'name'],
          message: `duplicate function ${f.name}`,
        });
      seen.add(f.name);
    });
    const most = c.combinations.exclusive ? c.combinations.max_functions - 1 : c.combinations.max_functions;
    if (c.combinations.min_functions > c.functions.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['combinations', 'min_functions'],
        message: `there are only ${c.functions.length} functions`,
      });
    } else if (most > c.functions.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['combinations', 'max_functions'],
        message: `combinations of ${most} functions need ${most} functions; there are ${c.functions.length}`,
      });
    }
    if (c.metrics.source === 'prometheus' && !c.prometheus_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus_url'],
        message: 'metrics.source prometheus needs prometheus_url',
      });
    }
    if (c.load_driver === 'builtin') {
      for (const field of ['k6_host', 'k6_user', 'k6_ssh_key', 'k6_host_fingerprint'] as const) {
        if (c[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `${field} needs load_driver k6` });
      }
    }
    if (c.k6_host && !c.k6_user) {
      ctx.addIssue({ code: 'custom', path: ['k6_user'], message: 'k6_host needs k6_user' });
    }
    if (c.gateway_auth_file && !c.gateway_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['gateway_auth_file'],
        message: 'gateway_auth_file needs gateway_url',
      });
    }
    if (c.gateway_url && c.platform) {
      ctx.addIssue({ code: 'custom', path: ['platform'], message: 'give gateway_url or platform, not both' });
    }
    // Neither platform nor gateway_url: the embedded platform with the built-in functions of the
    // same names (the command line checks the names: src/cli/sample-run.ts).
    if (c.gateway_url && (c.metrics.source === 'embedded' || c.metrics.source === 'local')) {
      ctx.addIssue({
        code: 'custom',
        path: ['metrics', 'source'],
        message: 'the embedded source reads the embedded gateway: with gateway_url use prometheus',
      });
    }
    if (c.gateway_url && !c.prometheus_url) {
      ctx.addIssue({
        code: 'custom',
        path: ['prometheus_url'],
        message: 'gateway_url needs prometheus_url for the metrics',
      });
    }
  });

export type SamplerConfig = z.output<typeof SamplerConfigSchema>;
export type SampledFunction = SamplerConfig['functions'][number];
export type RateSettings = SamplerConfig['rates'];

/**
 * A sampler file may be the configuration itself, or hold a `common` section and a
 * `plugins.dfaas` section (the DFaaS plugin's layout). Precedence: common < plugins.dfaas <
 * overrides (the command line). Sections merge one level deep (a nested block such as
 * `overload` is merged key by key).
 */
export function mergeSamplerSources(
  file: unknown,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const doc = (file ?? {}) as Record<string, unknown>;
  const layered = 'common' in doc || 'plugins' in doc;
  const common = layered ? ((doc.common ?? {}) as Record<string, unknown>) : doc;
  const plugin = layered ? (((doc.plugins ?? {}) as Record<string, unknown>).dfaas ?? {}) : {};
  const out: Record<string, unknown> = {};
  for (const layer of [common, plugin as Record<string, unknown>, overrides]) {
    for (const [key, value] of Object.entries(layer)) {
      const prev = out[key];
      out[key] =
        isPlainObject(prev) && isPlainObject(value)
          ? { ...prev, ...(value as Record<string, unknown>) }
          : value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Keys of the reference's configuration (the lb_plugins `dfaas` plugin) that dfaas accepts and
 * records but does not act on: the runner's `common` keys and a few of the plugin's own.
 */
export const REFERENCE_ONLY_KEYS = [
  'config_path',
  'timeout_buffer',
  'max_retries',
  'tags',
  'deploy_functions',
  'k6_log_stream',
  'openfaas_port',
  'prometheus_port',
  'loki',
] as const;

/** A sampler configuration as loaded, with what the file held that dfaas does not act on. */
export interface LoadedSamplerConfig {
  config: SamplerConfig;
  /** Keys accepted and not used (REFERENCE_ONLY_KEYS given, other plugins' sections), each once. */
  unused: string[];
}

/**
 * Reads a sampler file (plain, or with `common` / `plugins.dfaas` sections), applies the
 * command line's overrides, and validates the result; errors name the file and the field.
 */
export function loadSamplerConfig(file: string, overrides: Record<string, unknown> = {}): SamplerConfig {
  return loadSamplerConfigWithNotes(file, overrides).config;
}

/** loadSamplerConfig, also saying which keys were accepted and not used (for one log line each). */
export function loadSamplerConfigWithNotes(
  file: string,
  overrides: Record<string, unknown> = {},
): LoadedSamplerConfig {
  const doc = parseConfigText(readInputFile(file), file);
  if (doc !== null && doc !== undefined && !isPlainObject(doc)) {
    // Validated here, before the layers are merged (merging a string or a list makes no sense).
    return { config: validateConfig(SamplerConfigSchema, doc, file), unused: [] };
  }
  const unused: string[] = [];
  if (isPlainObject(doc) && ('common' in doc || 'plugins' in doc)) {
    const stray = Object.keys(doc).filter((k) => k !== 'common' && k !== 'plugins');
    if (stray.length > 0) {
      throw new ConfigError(
        file,
        stray.map((k) => ({
          field: k,
          message: 'unknown key (a file with common/plugins sections holds only those)',
        })),
      );
    }
    const sectionIssues = unknownSectionKeys(doc);
    if (sectionIssues.length > 0) throw new ConfigError(file, sectionIssues);
    // Other plugins' sections of a benchmark file (plugins.fio, ...): not dfaas's to read.
    if (isPlainObject(doc.plugins))
      for (const name of Object.keys(doc.plugins)) if (name !== 'dfaas') unused.push(`plugins.${name}`);
  }
  const config = resolveHostTemplates(
    validateConfig(SamplerConfigSchema, mergeSamplerSources(doc, overrides), file),
  );
  for (const key of REFERENCE_ONLY_KEYS) if (config[key] !== undefined) unused.push(key);
  return { config, unused };
}

/**
 * Unknown keys of the `common` and `plugins.dfaas` sections, named in their section (the merged
 * configuration would name them without it).
 */
function unknownSectionKeys(doc: Record<string, unknown>): { field: string; message: string }[] {
  const known = new Set(Object.keys(SamplerConfigSchema.shape));
  const sections: [string, unknown][] = [
    ['common', doc.common],
    ['plugins.dfaas', isPlainObject(doc.plugins) ? doc.plugins.dfaas : undefined],
  ];
  const issues: { field: string; message: string }[] = [];
  for (const [name, section] of sections) {
    if (section === undefined || section === null) continue;
    if (!isPlainObject(section)) {
      issues.push({ field: name, message: 'expected a mapping of keys' });
      continue;
    }
    for (const key of Object.keys(section))
      if (!known.has(key)) issues.push({ field: `${name}.${key}`, message: 'unknown key' });
  }
  return issues;
}

/**
 * Replaces `{host.address}` in prometheus_url (the reference's template for a multi-host
 * setup) with the target host: the host of gateway_url when there is one, else 127.0.0.1 (the
 * embedded platform runs on this machine).
 */
export function resolveHostTemplates(config: SamplerConfig): SamplerConfig {
  if (!config.prometheus_url?.includes(HOST_ADDRESS_PLACEHOLDER)) return config;
  const host = config.gateway_url ? new URL(config.gateway_url).hostname : '127.0.0.1';
  return { ...config, prometheus_url: config.prometheus_url.replaceAll(HOST_ADDRESS_PLACEHOLDER, host) };
}
