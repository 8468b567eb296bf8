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
    name: FunctionNameSchema.describe(
      "The function's name on the gateway; with neither platform nor gateway_url, the dfaas built-in of that name.",
    ),
    method: z
      .string()
      .regex(/^[A-Za-z]+$/, 'an HTTP method')
      .default('POST')
      .describe('HTTP method of its requests. Default: POST (GET in the reference).'),
    body: z.string().default('').describe('Body of each request. Default: empty.'),
    headers: z.record(z.string(), z.string()).default({}).describe('HTTP headers of each request, by name.'),
    max_rate: z
      .number()
      .min(0)
      .optional()
      .describe('Rates above this, in requests/s, are left out for this function. Default: none left out.'),
  })
  .strict();

const RateStrategySchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('linear').describe('Rates from min_rate to max_rate in steps of step requests/s.'),
    })
    .strict(),
  z
    .object({
      type: z
        .literal('exponential')
        .describe('Rates base^min_power .. base^max_power, those within min_rate..max_rate.'),
      base: z.number().gt(1).describe('The base of the powers, above 1.'),
      min_power: z.number().int().min(0).describe('The smallest power, a whole number.'),
      max_power: z.number().int().min(0).describe('The largest power, a whole number, at least min_power.'),
    })
    .strict()
    .refine((s) => s.max_power >= s.min_power, { message: 'must be >= min_power', path: ['max_power'] }),
  z
    .object({
      type: z.literal('random').describe('Draws count distinct whole rates within min_rate..max_rate.'),
      count: z
        .number()
        .int()
        .min(1)
        .describe('How many rates to draw (all the whole rates of the range, if fewer).'),
      seed: z
        .number()
        .int()
        .default(1)
        .describe('Seed of the draw: the same seed draws the same rates. Default: 1.'),
    })
    .strict(),
  z
    .object({
      type: z.literal('custom').describe('The rates listed in values, those within min_rate..max_rate.'),
      values: z.array(z.number().min(0)).min(1).describe('The rates, in requests/s.'),
    })
    .strict(),
]);

const RatesSchema = z
  .object({
    min_rate: z.number().min(0).default(0).describe('The lowest rate, in requests/s. Default: 0.'),
    max_rate: z.number().min(0).default(200).describe('The highest rate, in requests/s. Default: 200.'),
    step: z
      .number()
      .gt(0, 'must be > 0')
      .default(10)
      .describe('The step between rates of the linear strategy, in requests/s. Default: 10.'),
    strategy: RateStrategySchema.default({ type: 'linear' }).describe(
      'How the rates between min_rate and max_rate are chosen. Default: linear.',
    ),
  })
  .strict()
  .refine((r) => r.max_rate >= r.min_rate, { message: 'must be >= min_rate', path: ['max_rate'] });

const CombinationsSchema = z
  .object({
    min_functions: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('The fewest functions loaded together. Default: 1.'),
    max_functions: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('The most functions loaded together, itself excluded unless exclusive is false. Default: 2.'),
    exclusive: z
      .boolean()
      .default(true)
      .describe('Whether max_functions is excluded, as in the legacy range(min, max). Default: true.'),
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
    enabled: z
      .boolean()
      .default(false)
      .describe(
        'Provision a Prometheus data source and the sweep dashboard, and mark each load window with an annotation. Default: false.',
      ),
    url: z
      .url({ protocol: /^https?$/ })
      .default('http://localhost:3000')
      .describe("Grafana's http(s) URL. Default: http://localhost:3000."),
    api_key: z.string().min(1).optional().describe('Grafana API key, sent as a Bearer token.'),
    org_id: z
      .number()
      .int()
      .min(1)
      .default(1)
      .describe('Grafana organisation id, sent as X-Grafana-Org-Id. Default: 1.'),
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
const REFERENCE_ONLY = "The reference's key: accepted and recorded in run.json, not used by dfaas.";

export const SamplerConfigSchema = z
  .object({
    functions: z
      .array(SampledFunctionSchema)
      .min(1, 'give at least one function')
      .describe('The functions to sweep, each with its request.'),
    rates: RatesSchema.default({
      min_rate: 0,
      max_rate: 200,
      step: 10,
      strategy: { type: 'linear' },
    }).describe('The rates each function is swept over, in requests/s. Default: 0 to 200, step 10.'),
    combinations: CombinationsSchema.default({
      min_functions: 1,
      max_functions: 2,
      exclusive: true,
    }).describe(
      'How many functions are loaded together. Default: 1 up to 2 excluded (single functions only).',
    ),
    duration: duration
      .default(30_000)
      .describe('The load window of each configuration, a duration such as "30s" or "1m30s". Default: 30s.'),
    iterations: z
      .number()
      .int()
      .min(1)
      .default(3)
      .describe('How many times each configuration runs. Default: 3.'),
    // 10,000 configurations of 30 s in 3 iterations is more than ten days of load.
    max_configurations: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe('A plan with more configurations is refused before anything runs (exit 2). Default: 10000.'),
    cooldown: z
      .object({
        max_wait_seconds: z
          .number()
          .min(0)
          .default(180)
          .describe(
            'The longest wait before a run, in seconds; past it the configuration is skipped (skipped.csv). Default: 180.',
          ),
        sleep_step_seconds: z.number().gt(0).default(5).describe('Seconds between checks. Default: 5.'),
        idle_threshold_pct: pct
          .default(15)
          .describe(
            'Cooled down when CPU is at most this many points above idle CPU (one core = 100), and RAM and power at most this percent above idle. Default: 15.',
          ),
      })
      .strict()
      .default({ max_wait_seconds: 180, sleep_step_seconds: 5, idle_threshold_pct: 15 })
      .describe(
        'The wait before each run until the node is back near its idle baseline and every function at its idle replicas.',
      ),
    overload: z
      .object({
        cpu_overload_pct_of_capacity: pct
          .default(80)
          .describe(
            'The node is overloaded above this CPU, in percent of its capacity (all its cores). Default: 80.',
          ),
        ram_overload_pct: pct
          .default(90)
          .describe(
            'The node is overloaded above this RAM in use, in percent of its total RAM. Default: 90.',
          ),
        success_rate_node_min: fraction
          .default(0.95)
          .describe(
            "The node is overloaded when its functions' mean success rate is below this, a fraction 0-1. Default: 0.95.",
          ),
        success_rate_function_min: fraction
          .default(0.9)
          .describe(
            'A function is overloaded when its success rate is below this, a fraction 0-1. Default: 0.9.',
          ),
        replicas_overload_threshold: z
          .number()
          .int()
          .min(1)
          .default(15)
          .describe('A function is overloaded when its replicas reach this count. Default: 15.'),
      })
      .strict()
      .default({
        cpu_overload_pct_of_capacity: 80,
        ram_overload_pct: 90,
        success_rate_node_min: 0.95,
        success_rate_function_min: 0.9,
        replicas_overload_threshold: 15,
      })
      .describe(
        'When a function, or the node, counts as overloaded; any overloaded function overloads the node.',
      ),
    /**
     * What an idle node looks like (src/sampler/baseline.ts): the idle baseline's mean CPU at most
     * `max_cpu_pct_of_capacity` and its samples within `max_cpu_spread_pct_of_capacity` of each
     * other, both in percent of the node's capacity (all its cores). A busier baseline is measured
     * all the same, with a warning and `baseline.busy` in run.json. Left out of the parsed
     * configuration when not given (defaults 5 and 5), like restore_functions.
     */
    idle_baseline: z
      .object({
        max_cpu_pct_of_capacity: pct
          .default(5)
          .describe(
            "The idle baseline's mean CPU at most, in percent of the node's capacity (all its cores). Default: 5.",
          ),
        max_cpu_spread_pct_of_capacity: pct
          .default(5)
          .describe(
            "The idle baseline's samples at most this far apart, in percent of the node's capacity (all its cores). Default: 5.",
          ),
      })
      .strict()
      .optional()
      .describe(
        'What an idle node looks like; a busier idle baseline is measured all the same, with a warning.',
      ),
    gateway_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'A gateway already serving the functions (e.g. OpenFaaS), its http(s) URL; needs prometheus_url. With neither this nor platform: the embedded platform with the built-ins.',
      ),
    prometheus_url: urlOrTemplate
      .optional()
      .describe(
        "Prometheus's http(s) URL, needed with gateway_url or metrics.source prometheus; {host.address} in it becomes the host of gateway_url, else 127.0.0.1.",
      ),
    grafana: GrafanaSettingsSchema.optional().describe(
      "A Grafana to provision and annotate during the sweep (the reference's block). Default: none.",
    ),
    metrics: z
      .object({
        source: z
          .enum(['embedded', 'prometheus', 'local'])
          .optional()
          .describe(
            "embedded: the embedded platform's own /proc figures; prometheus: the PromQL of queries_path. local is the old name of embedded (read with a warning). Default: prometheus with gateway_url, else embedded.",
          ),
      })
      .strict()
      .default({})
      .describe("Where the node's figures come from."),
    queries_path: z
      .string()
      .optional()
      .describe(
        "The prometheus source's PromQL file (dfaas schema prometheus-queries), relative to the configuration file. Default: the shipped queries/embedded.yml with platform, else queries/openfaas.yml.",
      ),
    /**
     * Left out: on for a new sweep, and off for one resumed from a run.json that recorded no
     * restore (a dataset is not measured half one way and half the other). Left out of the parsed
     * configuration when not given, so the default run id (a hash of it) of an older
     * configuration does not change.
     */
    restore_functions: z
      .boolean()
      .optional()
      .describe(
        "Scale the functions to zero and back before each run (on OpenFaaS through the gateway API), so node RAM does not carry earlier runs' heap. Default: on for a new sweep; off for one resumed from a run.json that recorded no restore.",
      ),
    gateway_auth_file: z
      .string()
      .min(1)
      .optional()
      .describe(
        "A file with one line username:password, relative to the configuration file: basic auth for the gateway's /system API (restoring functions on OpenFaaS); needs gateway_url.",
      ),
    /** The bisection: src/sampler/frontier.ts. */
    frontier: z
      .object({
        rate_step: z
          .number()
          .gt(0, 'must be > 0')
          .describe("Bisect until the rates of a segment's ends are at most this far apart, in requests/s."),
      })
      .strict()
      .optional()
      .describe(
        'Frontier refinement after the grid: bisect between each overloaded configuration and its largest non-overloaded neighbours. Default: off.',
      ),
    scaphandre_enabled: z
      .boolean()
      .default(false)
      .describe(
        "Measure power with Scaphandre (the prometheus source's node_power and function_power). Default: false.",
      ),
    function_pid_regexes: z
      .record(z.string(), z.string())
      .default({})
      .describe(
        "Per function, a regex of its processes' command lines ({pid_regex} in function_power), for Scaphandre's per-process power.",
      ),
    output_dir: z
      .string()
      .optional()
      .describe(
        'Where the results go, relative to the current directory; --output-dir wins. Default: ./results/RUN_ID (./dfaas-results/RUN_ID where an earlier dfaas left that sweep).',
      ),
    run_id: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, ".", "_" and "-" only')
      .optional()
      .describe(
        "The run's name, in output_dir and the k6 workspace. Default: the file's name and a hash of the effective configuration, so rerunning resumes.",
      ),
    load_driver: z
      .enum(['builtin', 'k6'])
      .optional()
      .describe(
        'What sends the load: builtin (the open-model generator, in-process) or k6 (on k6_host over SSH when given, else k6_binary on this machine). Default: k6 when k6_host is given, else builtin.',
      ),
    k6_binary: z
      .string()
      .min(1)
      .default('k6')
      .describe(
        'The k6 executable on this machine, a path or a name on PATH (load_driver k6 without k6_host). Default: k6.',
      ),
    k6_host: z
      .string()
      .min(1)
      .optional()
      .describe('A host to run k6 on, over SSH; implies load_driver k6 and needs k6_user.'),
    k6_user: z.string().min(1).optional().describe('The SSH user on k6_host.'),
    k6_ssh_key: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A private key file for SSH to k6_host, relative to the configuration file, or ~/…. Default: the SSH agent ($SSH_AUTH_SOCK).',
      ),
    k6_port: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .default(22)
      .describe('The SSH port of k6_host. Default: 22.'),
    k6_host_fingerprint: z
      .string()
      .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'a SHA256 fingerprint as ssh-keygen -lf prints it')
      .optional()
      .describe(
        "Pins k6_host's key: its fingerprint as ssh-keygen -lf prints it (SHA256:…); any other key is refused. Default: any key, its fingerprint logged.",
      ),
    k6_workspace_root: z
      .string()
      .min(1)
      .default('dfaas-k6')
      .describe(
        'The directory on k6_host (relative to the remote home) of the scripts and summaries; each run gets a subdirectory named by its run id. Default: dfaas-k6.',
      ),
    k6_outputs: z
      .array(z.string().min(1))
      .default([])
      .describe('k6 outputs, each passed as --out (e.g. json=raw.json).'),
    k6_tags: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a k6 tag name'), z.string())
      .default({})
      .describe("Tags of k6's metrics, by name, each passed as --tag NAME=VALUE."),
    platform: z
      .object({
        stack: z
          .string()
          .min(1)
          .describe(
            'The stack file of the functions (dfaas schema stack), relative to the configuration file.',
          ),
        port: z
          .number()
          .int()
          .min(0)
          .max(65_535)
          .default(0)
          .describe(
            "The embedded gateway's port, e.g. for a Prometheus to scrape; 0: any free port. Default: 0.",
          ),
      })
      .strict()
      .optional()
      .describe('Start the embedded gateway on this machine with this stack (instead of gateway_url).'),
    // The reference's keys that dfaas accepts, records (run.json) and does not act on (see
    // REFERENCE_ONLY_KEYS): the runner's common keys, and the plugin's own.
    timeout_buffer: z.number().int().min(0).optional().describe(REFERENCE_ONLY),
    max_retries: z.number().int().min(0).optional().describe(REFERENCE_ONLY),
    tags: z.array(z.string()).optional().describe(REFERENCE_ONLY),
    config_path: z.string().min(1).optional().describe(REFERENCE_ONLY),
    deploy_functions: z
      .boolean()
      .optional()
      .describe(`${REFERENCE_ONLY} dfaas deploys only on the embedded platform (platform.stack).`),
    k6_log_stream: z.boolean().optional().describe(REFERENCE_ONLY),
    openfaas_port: z.number().int().min(1).max(65_535).optional().describe(REFERENCE_ONLY),
    prometheus_port: z.number().int().min(1).max(65_535).optional().describe(REFERENCE_ONLY),
    loki: z
      .object({
        enabled: z.boolean().optional().describe(REFERENCE_ONLY),
        endpoint: z.string().optional().describe(REFERENCE_ONLY),
        labels: z.record(z.string(), z.string()).optional().describe(REFERENCE_ONLY),
      })
      .strict()
      .optional()
      .describe(REFERENCE_ONLY),
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
