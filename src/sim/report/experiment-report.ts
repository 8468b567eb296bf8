import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChartPage, escapeHtml } from '../../charts/page.js';
import { type ChartSpec, renderChart } from '../../charts/render.js';
import { writeFileAtomic } from '../../core/files.js';
import type { IndexName } from '../analysis/indexes.js';
import type { ExperimentSummary } from '../experiment.js';

/**
 * An experiment's HTML report (`report.html` in its folder): each index across the overload
 * percentages, a line per strategy, with the 95 % confidence interval over the replications as a
 * band (none with a single replication).
 */

const CHARTED: readonly IndexName[] = [
  'Mean success rate',
  'Mean success rate (stress period)',
  'Mean node power consumption',
  'Max node power consumption',
  'Tot. rejected requests',
];

function chart(summary: ExperimentSummary, index: IndexName): ChartSpec {
  const values = summary.groups.map((g) => {
    const s = g.indexes[index];
    const half = s.halfWidth ?? 0;
    return {
      strategy: g.strategy,
      percentage: g.percentage,
      mean: s.mean,
      low: s.mean - half,
      high: s.mean + half,
      n: s.n,
    };
  });
  const x = { field: 'percentage', type: 'quantitative', title: 'most nodes overloaded, %' } as const;
  const color = { field: 'strategy', type: 'nominal', title: 'strategy' } as const;
  return {
    width: 420,
    height: 220,
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.15 },
        encoding: { x, y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' }, color },
      },
      {
        mark: { type: 'line', point: true, tooltip: true },
        encoding: { x, y: { field: 'mean', type: 'quantitative', title: index }, color },
      },
    ],
  };
}

/** Writes `<dir>/report.html` for an experiment folder (its experiment.json) and returns its path. */
export async function writeExperimentReport(dir: string): Promise<string> {
  const summary = JSON.parse(readFileSync(join(dir, 'experiment.json'), 'utf8')) as ExperimentSummary;
  // experiment.json writes NaN (no power model) as null.
  for (const g of summary.groups)
    for (const s of Object.values(g.indexes)) if (s.mean === null) s.mean = Number.NaN;
  const page = new ChartPage('dfaas sim experiment');
  const figures: string[] = [];
  for (const index of CHARTED) {
    if (summary.groups.every((g) => Number.isNaN(g.indexes[index].mean))) continue;
    figures.push(
      page.figure(`${index}, mean and 95 % confidence interval`, await renderChart(chart(summary, index))),
    );
  }
  const replications = Math.max(...summary.groups.map((g) => g.rows));
  const body = `<h1>dfaas sim experiment</h1>
<p>${escapeHtml(`${summary.runs} runs · ${replications} replication(s) per percentage · ${summary.groups.length} (percentage, strategy) groups`)}</p>
<div class="row">${figures.join('')}</div>`;
  const file = join(dir, 'report.html');
  writeFileAtomic(file, page.html(body));
  return file;
}
