import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Evaluation } from '../../src/forecast/evaluation.js';
import { quantityOf } from '../../src/forecast/evaluation-charts.js';
import { reportPath, writeEvaluationReport } from '../../src/forecast/evaluation-report.js';
import { crossValidate, prepareData, trainAndEvaluate } from '../../src/forecast/train.js';
import { SYNTHETIC_GROUPS, syntheticOptions, writeSyntheticResults } from './helpers.js';

// The synthetic dataset up to 40 requests/s: 25 configurations per node type, 10 held out.
const dir = mkdtempSync(join(tmpdir(), 'dfaas-evaluation-report-'));
const files = [
  { path: writeSyntheticResults(dir, 'heavy', 1, 40), nodeType: 0 },
  { path: writeSyntheticResults(dir, 'light', 2, 40), nodeType: 2 },
];
const data = prepareData(files, SYNTHETIC_GROUPS);

interface VegaSpec {
  data: { name: string; values?: Record<string, unknown>[] }[];
  axes?: { title?: string }[];
}

/** The report's HTML, and its charts' compiled Vega specifications as the page embeds them. */
async function report(evaluation: Evaluation, name: string) {
  const path = await writeEvaluationReport(join(dir, `${name}.json`), evaluation);
  expect(path).toBe(join(dir, `${name}.html`));
  const html = readFileSync(path, 'utf8');
  const json = /<script type="application\/json" id="dfaas-charts">(.*?)<\/script>/s.exec(html)?.[1];
  return { html, specs: JSON.parse(json ?? '[]') as VegaSpec[] };
}

const axisTitles = (spec: VegaSpec) => (spec.axes ?? []).map((a) => a.title).filter(Boolean);
/** The points of a chart: the values of its data that hold configurations. */
const points = (spec: VegaSpec) =>
  spec.data.find((d) => d.values?.[0]?.configuration !== undefined)?.values ?? [];

/**
 * Per regression target, exactly one predicted-vs-actual and one residual chart, each with one
 * datum per held-out configuration, its axes titled with the target's unit.
 */
function expectChartsPerTarget(evaluation: Evaluation, specs: VegaSpec[]) {
  const regression = Object.keys(evaluation.targets).filter(
    (t) => evaluation.targets[t]?.task === 'regression',
  );
  expect(specs).toHaveLength(2 * regression.length);
  for (const target of regression) {
    const q = quantityOf(target);
    const [actual, predicted] = [`actual ${q.title} (${q.unit})`, `predicted ${q.title} (${q.unit})`];
    const vsActual = specs.filter((s) => axisTitles(s).includes(actual));
    const residual = specs.filter(
      (s) =>
        axisTitles(s).includes(predicted) &&
        axisTitles(s).includes(`residual: actual − predicted (${q.unit})`),
    );
    expect(vsActual.map(axisTitles), target).toEqual([[actual, predicted]]);
    expect(residual, target).toHaveLength(1);
    for (const chart of [...vsActual, ...residual])
      expect(points(chart), target).toHaveLength(evaluation.configurations.test);
  }
}

describe('the evaluation report', () => {
  it('draws predicted against actual and the residuals of each regression target, on the held-out configurations', async () => {
    const { evaluation } = trainAndEvaluate(data, { ...syntheticOptions(files), baselines: true });
    expect(evaluation.configurations.test).toBe(10);
    const { html, specs } = await report(evaluation, 'evaluation-split');
    expectChartsPerTarget(evaluation, specs);
    // Units a person reads: CPU in % of one core, RAM in MiB, power in W, latency in ms.
    for (const title of [
      'actual node CPU (% of one core)',
      'actual node RAM (MiB)',
      'actual node power (W)',
      'actual node mean latency (ms)',
      'predicted HIGH_USAGE group RAM (MiB)',
    ])
      expect(html).toContain(title);
    // Our trees beside the baselines, each point a configuration, in MiB: 500 MB + 1 MB per heavy request/s.
    const ram = specs.find((s) => axisTitles(s).includes('actual node RAM (MiB)')) as VegaSpec;
    const first = points(ram)[0] as Record<string, number>;
    expect(Object.keys(first)).toEqual(
      expect.arrayContaining([
        'configuration',
        'rows',
        'actual',
        'boosted trees',
        'linear',
        'random forest',
        'low',
        'high',
      ]),
    );
    expect(first.actual).toBeGreaterThan(500e6 / 2 ** 20);
    expect(first.actual).toBeLessThan(545e6 / 2 ** 20);
    expect(html).toMatch(/q05–q95 band, which holds \d+% of the held-out rows/);
    // The overload class: its held-out configurations counted by what they were and were predicted.
    const gbtRow =
      /<tr><td>boosted trees<\/td><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/.exec(html);
    expect(gbtRow?.slice(1).reduce((a, b) => a + Number(b), 0)).toBe(10);
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // opens offline: no CDN, no remote asset
  });

  it('draws every configuration once under cross-validation, our trees alone without the baselines', async () => {
    const evaluation = crossValidate(data, { ...syntheticOptions(files), folds: 3 });
    expect(evaluation.configurations.test).toBe(50);
    const { specs } = await report(evaluation, 'evaluation-3-fold');
    expectChartsPerTarget(evaluation, specs);
    expect(Object.keys(points(specs[0] as VegaSpec)[0] ?? {})).not.toContain('linear');
  });

  it('sits beside the JSON file: FILE.json → FILE.html', () => {
    expect(reportPath('out/evaluation.json')).toBe('out/evaluation.html');
    expect(reportPath('figures')).toBe('figures.html');
  });
});
