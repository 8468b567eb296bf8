import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LoadScenariosSchema } from '../../src/config/load-scenarios.js';
import { loadConfigFile } from '../../src/config/read-file.js';
import { loadSamplerConfig } from '../../src/config/sampler.js';
import { planSweep } from '../../src/sampler/plan.js';

/** The example files the README and the guides name work as printed: each one validates. */
describe('examples/', () => {
  it('holds the sampler configurations and scenario files the docs name, each valid', () => {
    const files = readdirSync('examples');
    expect(files).toEqual(
      expect.arrayContaining(['sample.yaml', 'sample-openfaas.yaml', 'demo-sample.yaml', 'scenarios.yaml']),
    );
    for (const sample of files.filter((f) => /^(demo-)?sample.*\.yaml$/.test(f))) {
      const config = loadSamplerConfig(join('examples', sample));
      expect(planSweep(config).length, sample).toBeGreaterThan(0);
    }
    const openfaas = loadSamplerConfig('examples/sample-openfaas.yaml');
    expect(openfaas).toMatchObject({ gateway_url: expect.any(String), prometheus_url: expect.any(String) });
    expect(openfaas.platform).toBeUndefined();
    const scenarios = loadConfigFile(LoadScenariosSchema, 'examples/scenarios.yaml');
    expect(Object.keys(scenarios.scenarios)).toEqual(['figlet', 'echo']);
  });
});
