import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSamplerConfig, loadSamplerConfigWithNotes } from '../../src/config/sampler.js';
import { configError } from '../helpers/config-error.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-sampler-'));
let n = 0;
function file(text: string): string {
  const path = join(dir, `c${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

function fieldsOf(text: string): string[] {
  return configError(() => loadSamplerConfig(file(text))).issues.map((i) => i.field);
}

const fns = 'platform: { stack: stack.yml }\nfunctions:\n  - name: figlet\n  - name: env\n';

describe('sampler configuration', () => {
  it('loads the example with the documented defaults', () => {
    const c = loadSamplerConfig('examples/sample.yaml');
    expect(c.functions.map((f) => f.name)).toEqual(['figlet', 'shasum']);
    expect(c.duration).toBe(10_000);
    expect(c.overload).toEqual({
      cpu_overload_pct_of_capacity: 80,
      ram_overload_pct: 90,
      success_rate_node_min: 0.95,
      success_rate_function_min: 0.9,
      replicas_overload_threshold: 15,
    });
    const defaults = loadSamplerConfig(file(fns));
    // Left out of the parsed configuration, so the default run id of an older file is unchanged.
    expect(defaults).not.toHaveProperty('restore_functions');
    expect(defaults).not.toHaveProperty('frontier');
    expect(defaults.rates).toEqual({ min_rate: 0, max_rate: 200, step: 10, strategy: { type: 'linear' } });
    expect(defaults.combinations).toEqual({ min_functions: 1, max_functions: 2, exclusive: true });
    expect([defaults.duration, defaults.iterations]).toEqual([30_000, 3]);
    expect(defaults.cooldown).toEqual({
      max_wait_seconds: 180,
      sleep_step_seconds: 5,
      idle_threshold_pct: 15,
    });
  });

  it('layers common < plugins.dfaas < command line', () => {
    const path = file(
      `common:\n  ${fns.replace(/\n/g, '\n  ')}duration: 5s\n  overload: { ram_overload_pct: 50 }\nplugins:\n  dfaas:\n    duration: 7s\n    iterations: 2\n    overload: { cpu_overload_pct_of_capacity: 70 }\n`,
    );
    const c = loadSamplerConfig(path, { iterations: 4 });
    expect([c.duration, c.iterations]).toEqual([7000, 4]);
    expect(c.overload).toMatchObject({ ram_overload_pct: 50, cpu_overload_pct_of_capacity: 70 });
  });

  it('names the field of each impossible value', () => {
    const cases: [string, string][] = [
      ['functions: []\n', 'functions'],
      [`${fns}gateway_url: http://127.0.0.1:8080\nprometheus_url: http://p:9090\n`, 'platform'],
      [`${fns}prometheus_url: "http://{host.address}:x"\n`, 'prometheus_url'],
      [`${fns}prometheus_url: "ftp://{host.address}:21"\n`, 'prometheus_url'],
      [`${fns}grafana: { enabled: yes please }\n`, 'grafana.enabled'],
      [`${fns}grafana: { org_id: 0 }\n`, 'grafana.org_id'],
      [`${fns}grafana: { dashboard: x }\n`, 'grafana.dashboard'],
      [`${fns}deploy_functions: sometimes\n`, 'deploy_functions'],
      [`${fns}timeout_buffer: -1\n`, 'timeout_buffer'],
      [
        `common:\n  timeout_bufer: 10\nplugins:\n  dfaas:\n    ${fns.replace(/\n/g, '\n    ')}\n`,
        'common.timeout_bufer',
      ],
      [`plugins:\n  dfaas:\n    ${fns.replace(/\n/g, '\n    ')}\n    gateway: x\n`, 'plugins.dfaas.gateway'],
      ['functions:\n  - name: a\ngateway_url: http://127.0.0.1:8080\n', 'prometheus_url'],
      [`${fns}  - name: figlet\n`, 'functions[2].name'],
      ['platform: { stack: s.yml }\nfunctions:\n  - name: Bad_Name\n', 'functions[0].name'],
      [`${fns}rates: { min_rate: 50, max_rate: 10 }\n`, 'rates.max_rate'],
      [`${fns}rates: { step: 0 }\n`, 'rates.step'],
      [`${fns}rates: { strategy: { type: zigzag } }\n`, 'rates.strategy.type'],
      [
        `${fns}rates: { strategy: { type: exponential, base: 2, min_power: 3, max_power: 1 } }\n`,
        'rates.strategy.max_power',
      ],
      [`${fns}combinations: { min_functions: 2, max_functions: 2 }\n`, 'combinations.max_functions'],
      [`${fns}combinations: { min_functions: 1, max_functions: 4 }\n`, 'combinations.max_functions'],
      [`${fns}duration: forever\n`, 'duration'],
      [`${fns}iterations: 0\n`, 'iterations'],
      [`${fns}cooldown: { idle_threshold_pct: 150 }\n`, 'cooldown.idle_threshold_pct'],
      [`${fns}overload: { success_rate_node_min: 2 }\n`, 'overload.success_rate_node_min'],
      [`${fns}metrics: { source: prometheus }\n`, 'prometheus_url'],
      [`${fns}gateway_url: not a url\n`, 'gateway_url'],
      [`${fns}run_id: "a/b"\n`, 'run_id'],
      [`${fns}k6_port: 70000\n`, 'k6_port'],
      [`${fns}k6_host: lab-k6\n`, 'k6_user'],
      [`${fns}load_driver: builtin\nk6_host: lab-k6\nk6_user: me\n`, 'k6_host'],
      [`${fns}load_driver: vegeta\n`, 'load_driver'],
      [`${fns}k6_host_fingerprint: MD5:aa\n`, 'k6_host_fingerprint'],
      [`${fns}k6_tags: { "bad tag": x }\n`, 'k6_tags.bad tag'],
      [`${fns}ratez: {}\n`, 'ratez'],
      [`${fns}frontier: { rate_step: 0 }\n`, 'frontier.rate_step'],
      [`${fns}frontier: {}\n`, 'frontier.rate_step'],
      [`${fns}restore_functions: sometimes\n`, 'restore_functions'],
      [`${fns}gateway_auth_file: auth.txt\n`, 'gateway_auth_file'],
      [`common:\n  ${fns.replace(/\n/g, '\n  ')}\nextra: 1\n`, 'extra'],
    ];
    for (const [text, field] of cases) expect(fieldsOf(text), text).toContain(field);
  });

  it('accepts a file naming neither platform nor gateway_url (the embedded built-ins)', () => {
    const c = loadSamplerConfig(file('functions:\n  - name: figlet\n'));
    expect([c.platform, c.gateway_url]).toEqual([undefined, undefined]);
  });

  it("accepts the reference's keys, recording them, and lists those dfaas does not act on once each", () => {
    const { config, unused } = loadSamplerConfigWithNotes(
      file(
        [
          'common: { timeout_buffer: 10, max_retries: 0, tags: [lab] }',
          'plugins:',
          '  fio: { size: 1G }',
          '  dfaas:',
          '    config_path: elsewhere.yml',
          '    deploy_functions: true',
          '    scaphandre_enabled: true',
          '    function_pid_regexes: { figlet: ".*figlet.*" }',
          '    grafana: { enabled: true, url: "http://10.0.0.10:3000", api_key: k }',
          '    platform: { stack: stack.yml }',
          '    functions: [{ name: figlet }]',
          '',
        ].join('\n'),
      ),
    );
    expect(config).toMatchObject({
      timeout_buffer: 10,
      max_retries: 0,
      tags: ['lab'],
      deploy_functions: true,
    });
    expect(config.grafana).toEqual({ enabled: true, url: 'http://10.0.0.10:3000', api_key: 'k', org_id: 1 });
    expect(config.function_pid_regexes).toEqual({ figlet: '.*figlet.*' });
    expect(unused.sort()).toEqual(
      ['config_path', 'deploy_functions', 'max_retries', 'plugins.fio', 'tags', 'timeout_buffer'].sort(),
    );
    // A file without them: nothing to mention, and no grafana block is made up.
    const plain = loadSamplerConfigWithNotes(file(fns));
    expect(plain.unused).toEqual([]);
    expect(plain.config.grafana).toBeUndefined();
    expect(loadSamplerConfig(file(`${fns}grafana: {}\n`)).grafana).toEqual({
      enabled: false,
      url: 'http://localhost:3000',
      org_id: 1,
    });
  });

  it('resolves {host.address} in prometheus_url to the host of gateway_url, else 127.0.0.1', () => {
    const remote = loadSamplerConfig(
      file(
        'gateway_url: http://10.0.0.40:31112\nprometheus_url: "http://{host.address}:30411"\nfunctions: [{ name: figlet }]\n',
      ),
    );
    expect(remote.prometheus_url).toBe('http://10.0.0.40:30411');
    const local = loadSamplerConfig(file(`${fns}prometheus_url: "http://{host.address}:30411"\n`));
    expect(local.prometheus_url).toBe('http://127.0.0.1:30411');
  });
});
