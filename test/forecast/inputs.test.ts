import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { Forecaster } from '../../src/forecast/forecaster.js';
import { trainGbt } from '../../src/forecast/gbt.js';
import { readFeatureCsv } from '../../src/forecast/inputs.js';
import { MODEL_FORMAT, type ModelFile } from '../../src/forecast/model.js';

const dir = mkdtempSync(join(tmpdir(), 'dfaas-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FEATURES = ['rate_group_HIGH_USAGE', 'rate_group_LOW_USAGE', 'node_type'];

/** A forecaster of one small model taking FEATURES: what is read matters here, not what is predicted. */
const forecaster = new Forecaster(
  new Map<string, ModelFile>([
    [
      'cpu_usage_node',
      {
        format: MODEL_FORMAT,
        version: 1,
        target: 'cpu_usage_node',
        task: 'regression',
        features: FEATURES,
        variant: 'groups',
        groups: {},
        nodeTypes: {},
        training: {
          fingerprint: '',
          rows: 4,
          configurations: 4,
          heldOutConfigurations: 0,
          files: [],
          testFraction: 0.2,
          seed: 1,
        },
        models: {
          regression: trainGbt(
            [
              [0, 0, 0],
              [10, 0, 0],
              [0, 10, 2],
              [10, 10, 2],
            ],
            [1, 40, 10, 50],
            { loss: { kind: 'squared' }, trees: 5, minSamplesLeaf: 1 },
          ),
        },
        evaluation: { r2: 1, mae: 0, mape: 0 },
      },
    ],
  ]),
);

function csv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** The one issue of the ConfigError that reading `path` throws. */
function issueOf(path: string): { source: string; field: string; message: string } {
  try {
    readFeatureCsv(path, forecaster);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    const { source, issues } = err as ConfigError;
    expect(issues).toHaveLength(1);
    return { source, ...(issues[0] as { field: string; message: string }) };
  }
  throw new Error(`${path} was read without an error`);
}

describe('a CSV of forecaster inputs', () => {
  it('reads the features by name, in any order and case, ignoring other columns and CRLF line ends', () => {
    const path = csv(
      'ok.csv',
      'Node_Type,id,rate_group_low_usage,RATE_GROUP_HIGH_USAGE\r\n2,a,50,10\r\n\r\n0,b,0,1.5e1\r\n',
    );
    expect(readFeatureCsv(path, forecaster)).toEqual([
      {
        line: 2,
        input: { rate_group_HIGH_USAGE: 10, rate_group_LOW_USAGE: 50, node_type: 2 },
        x: [10, 50, 2],
      },
      {
        line: 4,
        input: { rate_group_HIGH_USAGE: 15, rate_group_LOW_USAGE: 0, node_type: 0 },
        x: [15, 0, 0],
      },
    ]);
  });

  it('names the file, the line and the column of bad input', () => {
    const header = FEATURES.join(',');
    const missing = csv('missing.csv', 'rate_group_HIGH_USAGE,node_type\n10,1\n');
    expect(issueOf(missing)).toEqual({
      source: missing,
      field: 'header',
      message:
        'no column rate_group_LOW_USAGE (the models take rate_group_HIGH_USAGE, rate_group_LOW_USAGE, node_type)',
    });
    const word = csv('word.csv', `${header}\n10,50,1\n10,many,1\n`);
    expect(issueOf(word)).toEqual({
      source: word,
      field: 'line 3',
      message: 'rate_group_LOW_USAGE: "many" is not a number',
    });
    const empty = csv('empty-cell.csv', `${header}\n10,,1\n`);
    expect(issueOf(empty).message).toBe('rate_group_LOW_USAGE: "" is not a number');
    const negative = csv('negative.csv', `${header}\n10,50,-1\n`);
    expect(issueOf(negative)).toMatchObject({ source: negative, field: 'line 2' });
    expect(issueOf(negative).message).toMatch(/^node_type: /);
    const short = csv('short.csv', `${header}\n10,50\n`);
    expect(issueOf(short)).toEqual({
      source: short,
      field: 'line 2',
      message: "2 cells, expected 3 (the header's)",
    });
    expect(issueOf(csv('header-only.csv', `${header}\n`)).message).toBe('no input below the header');
    expect(issueOf(join(dir, 'absent.csv')).message).toMatch(/^cannot read file/);
  });
});
