import { isAbsolute } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { z } from 'zod';
import { CONFIG_SCHEMAS } from '../../src/cli/schemas.js';
import { LoadScenariosSchema } from '../../src/config/load-scenarios.js';
import { loadConfigFile } from '../../src/config/read-file.js';
import { loadSamplerConfig, SamplerConfigSchema } from '../../src/config/sampler.js';
import { StackSchema, stackToDeployments } from '../../src/config/stack.js';
import { ConfigError } from '../../src/core/errors.js';
import { NodeConfigSchema } from '../../src/node/config.js';
import { loadStackForEmbedded } from '../../src/platform/embedded/stack.js';
import { BUILTIN_FUNCTIONS } from '../../src/platform/functions/builtins.js';
import { expectBadInput, functionName, runs, scratchDir } from '../helpers/property.js';

/**
 * Configuration files (src/config/read-file.ts and the loaders over it): whatever a file holds,
 * loading it gives a valid configuration or a ConfigError (DFAAS_ERR_BAD_INPUT, exit 2) naming
 * the file, never another exception. There is no configuration writer, so the round trip is
 * through the formats users write: a valid configuration written as YAML or JSON by a standard
 * writer loads as the same configuration as the value validated in memory.
 */

const scratch = scratchDir('config-property');
afterAll(() => scratch.remove());

interface Loader {
  name: string;
  load(file: string): unknown;
  /** The stack loader also reads the environment_file files a stack names; their errors name them. */
  readsOtherFiles?: boolean;
}

/** Every public way dfaas reads a configuration file. */
const LOADERS: Loader[] = [
  // Every schema `dfaas schema NAME` knows, read as the commands read them.
  ...Object.entries(CONFIG_SCHEMAS).map(([name, { schema }]) => ({
    name,
    load: (file: string) => loadConfigFile(schema, file),
  })),
  { name: 'sampler, with common/plugins sections', load: (file) => loadSamplerConfig(file) },
  {
    name: 'stack, checked for the embedded platform',
    load: (file) => loadStackForEmbedded(file),
    readsOtherFiles: true,
  },
];

function expectLoadedOrConfigError(loader: Loader, file: string): void {
  try {
    loader.load(file);
  } catch (err) {
    if (!(err instanceof ConfigError))
      throw new Error(
        `${loader.name} threw ${(err as Error)?.name}, not a ConfigError: ${(err as Error)?.message}`,
        {
          cause: err,
        },
      );
    if (!(loader.readsOtherFiles && isAbsolute(err.source))) expect(err.source).toBe(file);
    expectBadInput(err, 'DFAAS_ERR_BAD_INPUT', `${err.source}: `);
    expect(err.issues.length).toBeGreaterThan(0);
  }
}

/** Pieces of YAML and JSON syntax and of dfaas's keys, to build texts near configurations. */
const TOKENS = [
  'functions:',
  'platform:',
  'stack: stack.yml',
  'gateway_url: http://127.0.0.1:8080',
  'prometheus_url: http://127.0.0.1:9090',
  'rates:',
  'combinations:',
  'common:',
  'plugins:',
  'dfaas:',
  'agent:',
  'proxy:',
  'scenarios:',
  'environment_file:',
  'lang: builtin',
  'handler: echo',
  'name: figlet',
  'node_id: n',
  'listen: [/ip4/127.0.0.1/tcp/0]',
  'strategy: recalc',
  'period: 5s',
  'duration: 10s',
  'HIGH_USAGE: [a]',
  '- ',
  '- name: echo',
  ': ',
  '? ',
  '{',
  '}',
  '[',
  ']',
  ',',
  '"',
  "'",
  '#',
  '&a ',
  '*a',
  '!!str ',
  '!!binary ',
  '!!set ',
  '!!omap ',
  '!!timestamp ',
  '!custom ',
  '---',
  '...',
  '%YAML 1.2',
  '%TAG ! tag:x,2000:',
  '|',
  '>-',
  '<<: ',
  '~',
  'null',
  'true',
  '0x1F',
  '1e400',
  '-.inf',
  '.nan',
  '\t',
  '\u00a0',
  '\ufeff',
];
const yamlish = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 4 })),
      fc.constantFrom('', ' ', '\n', '\n  ', '\n    ', '\r\n'),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.map(([token, sep]) => token + sep).join(''));

/** Block-style YAML, mostly well formed: a mapping or a list of `key: value` lines with dfaas's keys and YAML's features. */
const KEYS = [
  'functions',
  'platform',
  'stack',
  'name',
  'rates',
  'agent',
  'strategy',
  'scenarios',
  'common',
  'plugins',
  'dfaas',
];
const VALUES = [
  '',
  'figlet',
  '10',
  '-1',
  '1.5',
  'true',
  'null',
  '~',
  '[a, b]',
  '{a: 1}',
  '"q"',
  '&a v',
  '*a',
  '&b [1]',
  '*b',
  '!!str 1',
  '!!int x',
  '!!binary aGk=',
  '10s',
];
const blockYaml = fc
  .tuple(
    fc.constantFrom('', '- '),
    fc.uniqueArray(
      fc.tuple(
        fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 3 })),
        fc.oneof(fc.constantFrom(...VALUES), fc.string({ maxLength: 5 })),
      ),
      { maxLength: 8, selector: ([key]) => key },
    ),
  )
  .map(([dash, lines]) => lines.map(([key, value]) => `${dash}${key}: ${value}`).join('\n'));

/** Valid configurations' values: any text a YAML or JSON file can hold. */
const text = fc
  .string({ unit: 'grapheme', maxLength: 20 })
  // A configuration holding U+FFFD is refused as "not a text file" (parseConfigText takes it for an
  // undecodable byte): by design, so valid configurations here do not hold it.
  .filter((s) => !s.includes('\uFFFD'));
const nonEmptyText = text.filter((s) => s.length > 0);
const port = fc.integer({ min: 0, max: 65_535 });
const duration = fc.constantFrom('10s', '1m30s', '500ms', '2h', '30', '1.5s');
const multiaddr = fc
  .tuple(fc.ipV4(), fc.integer({ min: 0, max: 65_535 }))
  .map(([ip, p]) => `/ip4/${ip}/tcp/${p}`);

const samplerConfig = fc.uniqueArray(functionName(), { minLength: 1, maxLength: 4 }).chain((names) =>
  fc.record(
    {
      functions: fc.tuple(
        ...names.map((name) =>
          fc.record(
            {
              name: fc.constant(name),
              method: fc.constantFrom('GET', 'POST', 'put'),
              body: text,
              headers: fc.dictionary(nonEmptyText, text, { maxKeys: 3, noNullPrototype: true }),
              max_rate: fc.nat({ max: 500 }),
            },
            { requiredKeys: ['name'] },
          ),
        ),
      ),
      rates: fc
        .tuple(fc.nat({ max: 100 }), fc.nat({ max: 100 }), fc.integer({ min: 1, max: 50 }))
        .map(([min, span, step]) => ({ min_rate: min, max_rate: min + span, step })),
      combinations: fc.constantFrom(
        { min_functions: 1, max_functions: names.length + 1 },
        { min_functions: 1, max_functions: names.length, exclusive: false },
      ),
      duration,
      iterations: fc.integer({ min: 1, max: 5 }),
      platform: fc.record({ stack: nonEmptyText, port }, { requiredKeys: ['stack'] }),
      metrics: fc.constantFrom({}, { source: 'embedded' }),
      run_id: fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/),
      output_dir: text,
      k6_tags: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_.-]{1,8}$/), text, {
        maxKeys: 3,
        noNullPrototype: true,
      }),
    },
    { requiredKeys: ['functions', 'platform'] },
  ),
);

const nodeConfig = fc.record(
  {
    node_id: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,12}$/),
    identity_file: nonEmptyText,
    listen: fc.array(multiaddr, { minLength: 1, maxLength: 3 }),
    bootstrap: fc.array(multiaddr, { maxLength: 3 }),
    mdns: fc.boolean(),
    dht: fc.boolean(),
    agent_port: port,
    proxy: fc.record(
      {
        driver: fc.constantFrom('auto', 'embedded', 'haproxy'),
        host: fc.constantFrom('127.0.0.1', 'localhost'),
        port,
      },
      { requiredKeys: [] },
    ),
    platform: fc.oneof(
      fc.record({ stack: nonEmptyText, gateway_port: port }, { requiredKeys: [] }),
      fc.record({ gateway_url: fc.constantFrom('http://127.0.0.1:8080', 'https://gw.example:31112/') }),
    ),
    agent: fc.record(
      {
        strategy: fc.constantFrom('all-local', 'static', 'recalc', 'latency-aware'),
        period: duration,
        node_type: fc.oneof(fc.constantFrom('heavy', 'mid', 'light'), fc.nat({ max: 5 })),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

/** Environment values as stack files write them: scalars, which OpenFaaS turns into strings. */
const scalar = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
);
const stack = fc.record({
  version: fc.constantFrom('1.0', 1),
  provider: fc.constant({ name: 'openfaas', gateway: 'http://127.0.0.1:8080' }),
  functions: fc.dictionary(
    functionName(),
    fc.record(
      {
        lang: fc.constant('builtin'),
        handler: fc.constantFrom(...BUILTIN_FUNCTIONS.keys()),
        // Upper-case names: never the embedded platform's own settings (exec_timeout, mode, …).
        environment: fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), scalar, {
          maxKeys: 3,
          noNullPrototype: true,
        }),
        labels: fc.record({ 'com.openfaas.scale.min': fc.integer({ min: 0, max: 3 }) }),
        annotations: fc.dictionary(fc.stringMatching(/^[a-z.]{1,10}$/), scalar, {
          maxKeys: 2,
          noNullPrototype: true,
        }),
      },
      { requiredKeys: ['lang', 'handler'] },
    ),
    { minKeys: 1, maxKeys: 3, noNullPrototype: true },
  ),
});

const loadScenarios = fc.record({
  scenarios: fc.dictionary(
    fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/),
    fc.record({
      executor: fc.constant('constant-arrival-rate'),
      rate: fc.nat({ max: 1000 }),
      duration,
      request: fc.record(
        {
          url: fc.constantFrom('http://127.0.0.1:8080/function/echo', 'https://x.example/a?b=c'),
          body: text,
        },
        { requiredKeys: ['url'] },
      ),
    }),
    { minKeys: 1, maxKeys: 3, noNullPrototype: true },
  ),
});

/** The ways a user writes a configuration: YAML, or JSON (which dfaas reads as YAML 1.2). */
const FORMATS: [string, (value: unknown) => string][] = [
  ['yaml', (value) => stringify(value)],
  ['json', (value) => JSON.stringify(value)],
  ['json', (value) => `${JSON.stringify(value, null, 2)}\n`],
];
const format = fc.constantFrom(...FORMATS);

function roundTrip<S extends z.ZodType>(
  value: fc.Arbitrary<unknown>,
  schema: S,
  load: (file: string) => unknown,
  expected: (parsed: z.output<S>) => unknown = (parsed) => parsed,
) {
  return fc.property(value, format, (v, [ext, write]) => {
    const file = scratch.write(`config.${ext}`, write(v));
    expect(load(file)).toEqual(expected(schema.parse(v)));
  });
}

describe('configuration files, property-based', () => {
  it('any text loads as a configuration or is refused with a ConfigError naming the file, by every loader', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary' }),
      yamlish,
      blockYaml,
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.jsonValue().map((v) => stringify(v)),
    );
    fc.assert(
      fc.property(anyText, (content) => {
        const file = scratch.write('config.yaml', content);
        for (const loader of LOADERS) expectLoadedOrConfigError(loader, file);
      }),
      runs(200),
    );
  });

  it('a file of any bytes (not UTF-8, NULs) is loaded or refused with a ConfigError naming it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
        const file = scratch.write('config.yaml', bytes);
        for (const loader of LOADERS) expectLoadedOrConfigError(loader, file);
      }),
      runs(100),
    );
  });

  it('a valid configuration with one field replaced by any value is loaded or refused with a ConfigError', () => {
    const mutated = fc
      .tuple(
        fc.oneof(samplerConfig, nodeConfig, stack, loadScenarios),
        fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
        fc.jsonValue(),
        format,
      )
      .map(([config, path, value, [, write]]) => write(replaceAt(config, path, value)));
    fc.assert(
      fc.property(mutated, (content) => {
        const file = scratch.write('config.yaml', content);
        for (const loader of LOADERS) expectLoadedOrConfigError(loader, file);
      }),
      runs(100),
    );
  });

  it('a sampler configuration written as YAML or JSON loads as the same configuration, plain or in sections', () => {
    fc.assert(roundTrip(samplerConfig, SamplerConfigSchema, loadSamplerConfig), runs(100));
    // The DFaaS plugin's layout: the same keys split between common and plugins.dfaas.
    const layered = fc.tuple(samplerConfig, fc.nat()).map(([config, split]) => {
      const entries = Object.entries(config);
      const at = split % (entries.length + 1);
      return {
        config,
        file: {
          common: Object.fromEntries(entries.slice(0, at)),
          plugins: { dfaas: Object.fromEntries(entries.slice(at)) },
        },
      };
    });
    fc.assert(
      fc.property(layered, format, ({ config, file }, [ext, write]) => {
        const path = scratch.write(`sampler.${ext}`, write(file));
        expect(loadSamplerConfig(path)).toEqual(SamplerConfigSchema.parse(config));
      }),
      runs(50),
    );
  });

  it('a node configuration, a load-scenarios file and a stack written as YAML or JSON load as the same', () => {
    fc.assert(
      roundTrip(nodeConfig, NodeConfigSchema, (f) => loadConfigFile(NodeConfigSchema, f)),
      runs(100),
    );
    fc.assert(
      roundTrip(loadScenarios, LoadScenariosSchema, (f) => loadConfigFile(LoadScenariosSchema, f)),
      runs(50),
    );
    fc.assert(
      roundTrip(stack, StackSchema, loadStackForEmbedded, (parsed) =>
        stackToDeployments(parsed, scratch.dir),
      ),
      runs(100),
    );
  });
});

/** `value` with the node at `path` (indexes into the keys met on the way) replaced by `replacement`. */
function replaceAt(value: unknown, path: number[], replacement: unknown): unknown {
  const [step, ...rest] = path;
  if (step === undefined || value === null || typeof value !== 'object') return replacement;
  const entries = Object.entries(value);
  if (entries.length === 0) return replacement;
  const at = step % entries.length;
  const out = entries.map(([k, v], i) => [k, i === at ? replaceAt(v, rest, replacement) : v] as const);
  return Array.isArray(value) ? out.map(([, v]) => v) : Object.fromEntries(out);
}
