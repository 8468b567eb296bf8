import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedBuiltinsStack } from '../../src/cli/sample-run.js';
import { loadSamplerConfig } from '../../src/config/sampler.js';
import { loadStackForEmbedded } from '../../src/platform/embedded/stack.js';
import { dfaas } from '../helpers/cli.js';

const REFERENCE = 'test/fixtures/sampler/reference-config.yml';

function configFile(text: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'dfaas-sample-ref-'));
  const path = join(dir, 'sample.yaml');
  writeFileSync(path, text);
  return { dir, path };
}

const messages = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { message: string }).message);

describe("dfaas sample: the reference's configuration", () => {
  it('plans the reference example as written (exit 0) without contacting its gateway', async () => {
    const res = await dfaas(['--json', 'sample', '--config', REFERENCE, '--dry-run']);
    expect(res.code, res.stderr).toBe(0);
    const { configs } = JSON.parse(res.stdout) as { configs: { rates: Record<string, number> }[] };
    // figlet 0..100 (its max_rate) and env 0..200, step 10, one function at a time
    expect(configs).toHaveLength(11 + 21);
    // Each key dfaas accepts and does not act on is logged once; nothing is started.
    expect(messages(res.stderr)).toEqual([
      'accepted, not used by dfaas: timeout_buffer',
      'accepted, not used by dfaas: deploy_functions',
    ]);
  });

  it('names an unknown key of the reference layout with its section and the file (exit 2)', async () => {
    const { path } = configFile(
      'common: { timeout_buffer: 10 }\nplugins:\n  dfaas:\n    gateway_url: http://10.0.0.40:31112\n    prometheus_url: http://10.0.0.40:30411\n    functions: [{ name: figlet }]\n    grafana: { enabled: true, token: x }\n    k6_hots: 10.0.0.50\n',
    );
    const res = await dfaas(['sample', '--config', path, '--dry-run']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`bad input in ${path}`);
    expect(res.stderr).toContain('plugins.dfaas.k6_hots: unknown key');
  });
});

describe('dfaas sample: no platform and no gateway_url', () => {
  it('plans on the embedded built-ins of the same names, saying so in one log line', async () => {
    const { dir, path } = configFile(
      'functions:\n  - name: figlet\n  - name: shasum\nrates: { max_rate: 20 }\n',
    );
    const res = await dfaas(['--json', 'sample', '--config', path, '--dry-run']);
    expect(res.code, res.stderr).toBe(0);
    expect((JSON.parse(res.stdout) as { configs: unknown[] }).configs).toHaveLength(6);
    expect(messages(res.stderr)).toEqual([
      'no platform or gateway_url: the embedded platform with the built-in functions figlet, shasum',
    ]);
    expect(readdirSync(dir)).toEqual(['sample.yaml']);
  });

  it('refuses a name that is not a built-in, naming functions[i].name (exit 2)', async () => {
    const { path } = configFile('functions:\n  - name: figlet\n  - name: resize-image\n');
    const res = await dfaas(['sample', '--config', path, '--dry-run']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`bad input in ${path}`);
    expect(res.stderr).toMatch(/functions\[1\]\.name: .*"resize-image" is not a built-in function/);
    expect(res.stderr).not.toMatch(/functions\[0\]/);
  });

  it('runs them from a generated stack the embedded platform loads, with the run id of the file as written', () => {
    const { dir, path } = configFile('functions:\n  - name: figlet\n  - name: env\n');
    const config = loadSamplerConfig(path);
    const run = embeddedBuiltinsStack(config, dir, 'the-run');
    expect(run.run_id).toBe('the-run');
    expect(run.platform?.port).toBe(0);
    const deployments = loadStackForEmbedded(run.platform?.stack ?? '');
    expect(deployments.map((d) => d.service).sort()).toEqual(['env', 'figlet']);
  });
});
