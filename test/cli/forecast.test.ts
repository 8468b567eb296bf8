import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dfaas } from '../helpers/cli.js';

// Profiling and assigning on the committed profiles (test/fixtures/forecast, made by its
// make-dataset.sh); training and serving run end to end in test/integration/cli-forecast.test.ts.
const FIXTURES = 'test/fixtures/forecast';
const DATA = [`${FIXTURES}/heavy.csv:heavy`, `${FIXTURES}/light.csv:light`];
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-forecast-'));

describe('dfaas forecast profile and assign (in-process)', () => {
  it('profiles the functions into named groups, and assigns a function without retraining', async () => {
    const res = await dfaas(['forecast', 'profile', '--profiles', `${FIXTURES}/profiles`, '--out', dir]);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^group\s+functions\n/);
    expect(res.stdout).toMatch(/principal components keep/);
    const groups = JSON.parse(readFileSync(join(dir, 'group_list.json'), 'utf8')) as Record<string, string[]>;
    expect(Object.keys(groups)).toEqual(['HIGH_USAGE', 'LOW_USAGE', 'MEDIUM_USAGE']);
    expect(Object.values(groups).flat().sort()).toEqual(['eat-memory', 'figlet', 'matmul', 'shasum']);
    // Named by measured use: the function with the most CPU and RAM is not in LOW_USAGE.
    expect(groups.LOW_USAGE).not.toContain('matmul');

    const list = join(dir, 'assigned.json');
    copyFileSync(join(dir, 'group_list.json'), list);
    const assigned = await dfaas([
      '--json',
      'forecast',
      'assign',
      '--profile',
      `${FIXTURES}/profiles/matmul.csv`,
      '--model',
      join(dir, 'group_model.json'),
      '--groups',
      list,
    ]);
    expect(assigned.code, assigned.stderr).toBe(0);
    const { group } = JSON.parse(assigned.stdout) as { group: string };
    expect(groups[group]).toContain('matmul'); // a profiled function lands back in its own group
    expect(JSON.parse(readFileSync(list, 'utf8'))).toEqual(groups);
  });

  it('exits 2 naming the flag or file of bad input, and writes nothing', async () => {
    const badType = await dfaas([
      'forecast',
      'train',
      '--data',
      `${FIXTURES}/heavy.csv:huge`,
      '--groups',
      'x',
      '--out',
      join(dir, 'none'),
    ]);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toMatch(/--data: .*heavy\.csv:huge: node type "huge"/);
    const badGroups = join(dir, 'bad-groups.json');
    copyFileSync(`${FIXTURES}/heavy.csv`, badGroups);
    const bad = await dfaas([
      'forecast',
      'train',
      '--data',
      ...DATA,
      '--groups',
      badGroups,
      '--out',
      join(dir, 'none'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(badGroups);
    const badProfile = await dfaas([
      'forecast',
      'profile',
      '--profiles',
      `${FIXTURES}/heavy.csv`,
      '--out',
      join(dir, 'none'),
    ]);
    expect(badProfile.code).toBe(2);
    expect(badProfile.stderr).toContain(`${FIXTURES}/heavy.csv`);
    const noProfiles = await dfaas([
      'forecast',
      'profile',
      '--profiles',
      join(dir, 'absent'),
      '--out',
      join(dir, 'none'),
    ]);
    expect(noProfiles.code).toBe(2);
    expect(noProfiles.stderr).toContain(join(dir, 'absent'));
    const badModel = await dfaas(['forecast', 'serve', '--models', dir, '--model', 'median']);
    expect(badModel.code).toBe(2);
    expect(badModel.stderr).toMatch(/--model: unknown model "median" \(one of regression/);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });

  it('exits 2 naming the file for a data file, profile or models folder it cannot read', async () => {
    const missing = join(dir, 'missing.csv');
    const groups = join(dir, 'group_list.json');
    writeFileSync(groups, '{"LOW_USAGE": ["figlet"]}');
    const noData = await dfaas([
      'forecast',
      'train',
      '--data',
      `${missing}:heavy`,
      '--groups',
      groups,
      '--out',
      join(dir, 'none'),
    ]);
    expect(noData.code, noData.stderr).toBe(2);
    expect(noData.stderr).toContain(`bad input in ${missing}`);
    expect(noData.stderr).toMatch(/cannot read file/);
    const noModels = await dfaas(['forecast', 'serve', '--models', join(dir, 'no-models'), '--port', '0']);
    expect(noModels.code, noModels.stderr).toBe(2);
    expect(noModels.stderr).toMatch(/no-models: cannot read the models folder.*\(DFAAS_ERR_MODEL_FILE/s);
    const notJson = mkdtempSync(join(tmpdir(), 'dfaas-cli-models-'));
    writeFileSync(join(notJson, 'cpu_usage_node.json'), '{"format": "dfaas-forecast-model", ');
    const broken = await dfaas(['forecast', 'serve', '--models', notJson, '--port', '0']);
    expect(broken.code, broken.stderr).toBe(2);
    expect(broken.stderr).toContain(`${join(notJson, 'cpu_usage_node.json')}: not a dfaas forecast model`);
    expect(existsSync(join(dir, 'none'))).toBe(false);
  });
});
