import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../src/core/net.js';
import { SYNTHETIC_GROUPS, writeSyntheticResults } from '../forecast/helpers.js';
import { dfaas } from '../helpers/cli.js';

// Profiling and assigning on the committed profiles (test/fixtures/forecast, made by its
// make-dataset.sh); training and serving run end to end in test/integration/cli-forecast.test.ts.
const FIXTURES = 'test/fixtures/forecast';
const DATA = [`${FIXTURES}/heavy.csv:heavy`, `${FIXTURES}/light.csv:light`];
const dir = mkdtempSync(join(tmpdir(), 'dfaas-cli-forecast-'));
/** The models examples/forecast/make-models.sh trained on the committed dataset. */
const MODELS = 'examples/forecast/models';
const FEATURES = 'rate_group_HIGH_USAGE,rate_group_LOW_USAGE,rate_group_MEDIUM_USAGE,node_type';

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

describe('dfaas forecast predict and serve (in-process)', () => {
  it('predicts every target for each line of a CSV: a table, or JSON with --json', async () => {
    const inputs = join(dir, 'inputs.csv');
    writeFileSync(inputs, `${FEATURES}\n10,50,0,1\n60,60,60,2\n`);
    const table = await dfaas(['forecast', 'predict', '--models', MODELS, '--data', inputs]);
    expect(table.code, table.stderr).toBe(0);
    const [header, rule, ...rows] = table.stdout.trimEnd().split('\n');
    expect(header?.split(/\s+/)).toEqual([
      'line',
      'cpu_usage_group_HIGH_USAGE',
      'cpu_usage_group_LOW_USAGE',
      'cpu_usage_group_MEDIUM_USAGE',
      'cpu_usage_node',
      'latency_node',
      'overloaded_node',
      'overloaded_node_probability',
      'ram_usage_group_HIGH_USAGE',
      'ram_usage_group_LOW_USAGE',
      'ram_usage_group_MEDIUM_USAGE',
      'ram_usage_node',
    ]);
    expect(rule).toMatch(/^-+( +-+)+$/);
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(['2', '3']);

    const json = await dfaas(['--json', 'forecast', 'predict', '--models', MODELS, '--data', inputs]);
    expect(json.code, json.stderr).toBe(0);
    const predictions = JSON.parse(json.stdout) as {
      line: number;
      input: Record<string, number>;
      prediction: Record<string, number>;
    }[];
    expect(predictions.map((p) => p.line)).toEqual([2, 3]);
    expect(predictions[0]?.input).toEqual({
      rate_group_HIGH_USAGE: 10,
      rate_group_LOW_USAGE: 50,
      rate_group_MEDIUM_USAGE: 0,
      node_type: 1,
    });
    // The light node at 60 requests/s of each group is overloaded; 10 and 50 on a mid node is not.
    expect(predictions.map((p) => p.prediction.overloaded_node)).toEqual([0, 1]);
    for (const { prediction } of predictions) {
      expect(prediction.cpu_usage_node).toBeGreaterThan(0);
      expect(prediction.latency_node).toBeGreaterThan(0);
    }

    // The quantiles exist for the node targets alone: those, and the class, answer.
    const upper = await dfaas([
      '--json',
      'forecast',
      'predict',
      '--models',
      MODELS,
      '--data',
      inputs,
      '--model',
      'quantile095',
    ]);
    const [first] = JSON.parse(upper.stdout) as { prediction: Record<string, number> }[];
    expect(Object.keys(first?.prediction ?? {})).toEqual([
      'cpu_usage_node',
      'overloaded_node',
      'overloaded_node_probability',
      'ram_usage_node',
    ]);
    expect(first?.prediction.cpu_usage_node).toBeGreaterThan(predictions[0]?.prediction.cpu_usage_node ?? 0);
  });

  it('exits 2 naming the file, the line and the column of a bad CSV', async () => {
    const bad = join(dir, 'bad-inputs.csv');
    writeFileSync(bad, `${FEATURES}\n10,50,0,1\n10,fifty,0,1\n`);
    const res = await dfaas(['forecast', 'predict', '--models', MODELS, '--data', bad]);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.stderr).toContain(
      `bad input in ${bad}\n  line 3: rate_group_LOW_USAGE: "fifty" is not a number`,
    );
    writeFileSync(bad, 'rate_group_HIGH_USAGE,node_type\n10,1\n');
    const json = await dfaas(['--json', 'forecast', 'predict', '--models', MODELS, '--data', bad]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stderr)).toMatchObject({
      code: 'DFAAS_ERR_BAD_INPUT',
      source: bad,
      issues: [
        {
          field: 'header',
          message: expect.stringMatching(/^no column rate_group_LOW_USAGE, rate_group_MEDIUM_USAGE/),
        },
      ],
    });
    const model = await dfaas(['forecast', 'predict', '--models', MODELS, '--data', bad, '--model', 'q99']);
    expect(model.code).toBe(2);
    expect(model.stderr).toMatch(/--model: unknown model "q99"/);
  });

  it('serves the models from the folder profile and train share, the overload class included', async () => {
    // As the README's flow leaves it: models, the group files, evaluation.json and an evaluation --out.
    const shared = join(dir, 'shared');
    cpSync(MODELS, shared, { recursive: true });
    for (const f of ['group_list.json', 'group_model.json', 'evaluation-split.json'])
      copyFileSync(join('examples/forecast', f), join(shared, f));
    const port = await freeLoopbackPort();
    let answer: unknown;
    const res = await dfaas(['--json', 'forecast', 'serve', '--models', shared, '--port', String(port)], {
      // While the service runs: ask it, then return as Ctrl-C would.
      untilSignal: async () => {
        const http = await fetch(`http://127.0.0.1:${port}/overloaded_node`, {
          method: 'POST',
          body: JSON.stringify({
            rate_group_HIGH_USAGE: 60,
            rate_group_LOW_USAGE: 60,
            rate_group_MEDIUM_USAGE: 60,
            node_type: 2,
          }),
        });
        answer = await http.json();
      },
    });
    expect(res.code, res.stderr).toBe(0);
    const { targets } = JSON.parse(res.stdout) as { targets: string[] };
    expect(targets).toEqual(expect.arrayContaining(['cpu_usage_node', 'latency_node', 'overloaded_node']));
    expect(targets).not.toContain('group_list');
    expect(answer).toEqual([{ overloaded_node: 1, overloaded_node_probability: expect.any(Number) }]);
  });
});

describe('dfaas forecast train and evaluate on weak data (in-process)', () => {
  it('warn, and still train, when the data is small and never overloaded', async () => {
    // 9 configurations (rates 0, 10, 20 of each function), far below the synthetic overload.
    const weak = mkdtempSync(join(dir, 'weak-'));
    const data = `${writeSyntheticResults(weak, 'heavy', 1, 20)}:heavy`;
    const groups = join(weak, 'group_list.json');
    writeFileSync(groups, JSON.stringify(SYNTHETIC_GROUPS));
    const warnings = [
      'only 9 configurations (fewer than 30)',
      'no overloaded configuration among the 9: overloaded_node cannot learn when the node overloads',
    ];
    const trained = await dfaas(['forecast', 'train', '--data', data, '--groups', groups, '--out', weak]);
    expect(trained.code, trained.stderr).toBe(0);
    const logged = (stderr: string) =>
      stderr
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { level: string; message: string })
        .filter((l) => l.level === 'warn')
        .map((l) => l.message);
    expect(logged(trained.stderr)).toEqual(warnings.map((w) => expect.stringContaining(w)));
    const evaluated = await dfaas(['forecast', 'evaluate', '--data', data, '--groups', groups]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(logged(evaluated.stderr)).toEqual(warnings.map((w) => expect.stringContaining(w)));
  });
});

describe('dfaas forecast train and evaluate write their report (in-process)', () => {
  it('writes evaluation.html beside evaluation.json, and FILE.html beside evaluate --out FILE.json', async () => {
    const out = mkdtempSync(join(dir, 'report-'));
    const data = `${writeSyntheticResults(out, 'heavy', 1, 20)}:heavy`;
    const groups = join(out, 'group_list.json');
    writeFileSync(groups, JSON.stringify(SYNTHETIC_GROUPS));
    const trained = await dfaas(['forecast', 'train', '--data', data, '--groups', groups, '--out', out]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/wrote \d+ models, evaluation\.json and evaluation\.html to /);
    expect(readFileSync(join(out, 'evaluation.html'), 'utf8')).toContain(
      '<h1>dfaas forecast evaluation</h1>',
    );

    const split = join(out, 'evaluation-split.json');
    const evaluated = await dfaas([
      'forecast',
      'evaluate',
      '--data',
      data,
      '--groups',
      groups,
      '--out',
      split,
    ]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toContain(`wrote ${split} and evaluation-split.html`);
    expect(existsSync(join(out, 'evaluation-split.html'))).toBe(true);
    // The JSON keeps every field it had, and adds each held-out configuration's predictions.
    const saved = JSON.parse(readFileSync(split, 'utf8')) as { targets: Record<string, object> };
    expect(Object.keys(saved.targets.cpu_usage_node ?? {})).toEqual([
      'task',
      'gbt',
      'linear',
      'forest',
      'intervalCoverage',
      'heldOut',
    ]);

    // The models folder, reports and all, still loads as models.
    const inputs = join(out, 'inputs.csv');
    writeFileSync(inputs, `${FEATURES}\n10,10,0,0\n`);
    const predicted = await dfaas(['forecast', 'predict', '--models', out, '--data', inputs]);
    expect(predicted.code, predicted.stderr).toBe(0);
  });
});
