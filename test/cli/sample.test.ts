import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';

describe('dfaas sample: plans and bad input (in-process)', () => {
  it('prints the plan of examples/sample.yaml as {"configs":[{id, rates}]} in execution order', async () => {
    const res = await dfaas(['--json', 'sample', '--config', 'examples/sample.yaml', '--dry-run']);
    expect(res.code, res.stderr).toBe(0);
    const { configs } = JSON.parse(res.stdout) as {
      configs: { id: string; rates: Record<string, number> }[];
    };
    // figlet 0..60 step 20, shasum 0..40 (its max_rate): 4 + 3 singles, then 4 × 3 pairs
    expect(configs).toHaveLength(19);
    expect(configs[0]).toEqual({ id: expect.stringMatching(/^[0-9a-f]{12}$/), rates: { figlet: 0 } });
    expect(configs[7]?.rates).toEqual({ figlet: 0, shasum: 0 });
    expect(configs[18]?.rates).toEqual({ figlet: 60, shasum: 40 });
    const table = await dfaas(['sample', '--config', 'examples/sample.yaml', '--dry-run']);
    expect(table.stdout).toMatch(/^id\s+figlet\s+shasum\n/);
    expect(table.stdout).toMatch(/19 configurations × \d+ iterations/);
  });

  it('exits 2 naming the field of a bad config, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-sample-'));
    const config = join(dir, 'bad.yaml');
    writeFileSync(config, 'functions:\n  - name: a\nrates: { step: -1 }\n');
    const res = await dfaas(['sample', '--config', config, '--dry-run']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(config);
    expect(res.stderr).toMatch(/rates\.step: /);
    expect(readdirSync(dir)).toEqual(['bad.yaml']);
  });

  it('refuses a plan over max_configurations with its count (exit 2), without building it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dfaas-sample-'));
    const config = join(dir, 'huge.yaml');
    writeFileSync(
      config,
      'functions: [{name: a}, {name: b}, {name: c}, {name: d}]\ncombinations: {min_functions: 1, max_functions: 5}\nplatform: {stack: stack.yml}\n',
    );
    const res = await dfaas(['sample', '--config', config, '--dry-run']);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(`bad input in ${config}`);
    expect(res.stderr).toMatch(/max_configurations: the plan has 234,255 configurations, more than 10,000/);
    expect(readdirSync(dir)).toEqual(['huge.yaml']);
  });

  it('refuses an output folder it cannot make (exit 2 naming output_dir) before starting anything', async () => {
    const res = await dfaas([
      'sample',
      '--config',
      'examples/sample.yaml',
      '--output-dir',
      '/proc/dfaas-nope/out',
    ]);
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toMatch(/output_dir: cannot create the folder \/proc\/dfaas-nope/);
    expect(res.stderr).not.toMatch(/sweep on http/); // no gateway was started
  });
});
