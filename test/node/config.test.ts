import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { jsonSchemaOf } from '../../src/cli/schemas.js';
import { loadConfigFile } from '../../src/config/read-file.js';
import { NodeConfigSchema } from '../../src/node/config.js';

describe('node configuration', () => {
  it('reads the example with its defaults filled in', () => {
    const config = loadConfigFile(NodeConfigSchema, 'examples/node.yaml');
    expect(config).toMatchObject({
      node_id: 'node-a',
      proxy: { driver: 'auto', host: '127.0.0.1', port: 8001 },
      agent: { strategy: 'recalc', period: 5000, static_local_share: 0.6, node_type: 0 },
    });
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv); // gateway_url and forecaster_url are "uri"
    expect(
      ajv.compile(jsonSchemaOf('node') as object)(parse(readFileSync('examples/node.yaml', 'utf8'))),
    ).toBe(true);
  });

  it('names each bad field', () => {
    const result = NodeConfigSchema.safeParse({
      listen: ['127.0.0.1:4001'],
      proxy: { driver: 'nginx' },
      agent: { strategy: 'node-margin', period: '0s', node_type: 'huge', static_local_share: 2 },
      platform: { gateway_url: 'http://of:8080', stack: 'stack.yml' },
      extra: 1,
    });
    const fields = result.error?.issues.map((i) => i.path.join('.')).sort();
    expect(fields).toEqual(
      expect.arrayContaining([
        'listen.0',
        'proxy.driver',
        'agent.period',
        'agent.node_type',
        'agent.static_local_share',
        'platform.stack',
      ]),
    );
    expect(result.error?.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('requires a forecaster, a group list and a threshold for the predicting strategies, also under latency-aware', () => {
    for (const agent of [
      { strategy: 'node-margin' },
      { strategy: 'power-saving' },
      { strategy: 'equal' },
      { strategy: 'latency-aware', latency_base: 'node-margin' },
    ]) {
      const issues = NodeConfigSchema.safeParse({ agent }).error?.issues ?? [];
      const thresholds =
        agent.strategy === 'power-saving' ? 'agent.thresholds.power_usage_node' : 'agent.thresholds';
      expect(issues.map((i) => i.path.join('.'))).toEqual([
        'agent.forecaster_url',
        'agent.group_list',
        thresholds,
      ]);
      const who = agent.strategy === 'latency-aware' ? 'latency-aware over node-margin' : agent.strategy;
      expect(issues[0]?.message).toBe(`${who} needs forecaster_url or forecaster_models`);
    }
    // power-saving with a cpu threshold alone still lacks its power threshold.
    const cpuOnly = NodeConfigSchema.safeParse({
      agent: {
        strategy: 'power-saving',
        forecaster_models: 'm',
        group_list: 'g.json',
        thresholds: { cpu_usage_node: 150 },
      },
    });
    expect(cpuOnly.error?.issues.map((i) => i.message)).toEqual([
      'power-saving needs the power threshold, e.g. power_usage_node: 2200000 (µW)',
    ]);
    expect(
      NodeConfigSchema.safeParse({
        agent: {
          strategy: 'node-margin',
          forecaster_models: 'models',
          group_list: 'g.json',
          thresholds: { cpu_usage_node: 150 },
        },
      }).success,
    ).toBe(true);
  });
});
