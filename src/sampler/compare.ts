import { join } from 'node:path';
import { ChartPage, escapeHtml } from '../charts/page.js';
import { renderChart } from '../charts/render.js';
import { ensureDir, writeFileAtomic } from '../core/files.js';
import { csvText } from '../dataset/cells.js';
import { pairsOf } from './report.js';
import {
  ALONE_METRICS,
  alonePoints,
  aloneSpec,
  frontierStatement,
  heatmapSpec,
  PAIR_METRICS,
  pairCells,
  ratesText,
} from './report-charts.js';
import {
  type MeasuredConfiguration,
  measuredConfigurations,
  readSweepRecord,
  type SweepRecord,
} from './sweep-record.js';

export interface Comparison {
  /** compare.html */
  report: string;
  /** differences.csv */
  differences: string;
  /** The sweeps' labels, in the order given. */
  labels: string[];
  /** Configurations measured in at least two of the sweeps. */
  shared: number;
}

/** A figure the table of differences compares, with its unit. */
interface Figure {
  metric: string;
  unit: string;
  value: (c: MeasuredConfiguration) => number;
}

function figures(functions: readonly string[]): Figure[] {
  const fn =
    (name: string, pick: (f: MeasuredConfiguration['functions'][string]) => number) =>
    (c: MeasuredConfiguration) =>
      c.functions[name] && (c.rates[name] ?? 0) > 0 ? pick(c.functions[name]) : Number.NaN;
  return [
    { metric: 'node_cpu', unit: '% of one core', value: (c) => c.nodeCpuPct },
    { metric: 'node_ram', unit: 'MiB', value: (c) => c.nodeRamBytes / 2 ** 20 },
    { metric: 'overloaded', unit: '0 or 1', value: (c) => (c.overloaded ? 1 : 0) },
    ...functions.flatMap((n) => [
      { metric: `success_rate_${n}`, unit: 'share answered 2xx', value: fn(n, (f) => f.successRate) },
      { metric: `mean_latency_${n}`, unit: 'ms', value: fn(n, (f) => f.meanLatencyMs) },
      { metric: `cpu_${n}`, unit: '% of one core', value: fn(n, (f) => f.cpuPct) },
      { metric: `ram_${n}`, unit: 'MiB', value: fn(n, (f) => f.ramBytes / 2 ** 20) },
    ]),
  ];
}

const num = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : 'nan');

/** Folder names, made unique (`run`, `run-2`) so each sweep has its own label. */
function uniqueLabels(records: readonly SweepRecord[]): string[] {
  const seen = new Map<string, number>();
  return records.map((r) => {
    const n = (seen.get(r.label) ?? 0) + 1;
    seen.set(r.label, n);
    return n === 1 ? r.label : `${r.label}-${n}`;
  });
}

/**
 * Compares sweeps side by side from their folders alone: compare.html (each function alone with
 * one line per sweep, each pair's node-CPU heatmap per sweep, the overload frontiers, the largest
 * differences) and differences.csv (per configuration measured in at least two sweeps and per
 * figure: its value in each sweep and the change from the first).
 */
export async function writeComparison(dirs: readonly string[], outDir: string): Promise<Comparison> {
  const records = dirs.map((d) => readSweepRecord(d));
  const labels = uniqueLabels(records);
  const measured = records.map((r) => measuredConfigurations(r.rows));
  const functions = [...new Set(records.flatMap((r) => r.functions))].sort();

  // The table of differences: configurations in two sweeps or more.
  const byKey = measured.map((m) => new Map(m.map((c) => [c.key, c])));
  const keys = [...new Set(measured.flatMap((m) => m.map((c) => c.key)))].filter(
    (k) => byKey.filter((m) => m.has(k)).length >= 2,
  );
  const header = ['configuration', 'metric', 'unit', ...labels, ...labels.slice(1).map((l) => `change_${l}`)];
  const lines: string[] = [];
  const changes: Change[] = [];
  for (const key of keys) {
    const present = byKey.map((m) => m.get(key));
    const rates = (present.find(Boolean) as MeasuredConfiguration).rates;
    const configuration = Object.entries(rates)
      .map(([n, r]) => `${n}=${r}`)
      .join(' ');
    for (const figure of figures(functions)) {
      const values = present.map((c) => (c ? figure.value(c) : Number.NaN));
      if (values.every((v) => !Number.isFinite(v))) continue;
      const first = values[0] as number;
      const deltas = values.slice(1).map((v) => v - first);
      deltas.forEach((change, i) => {
        if (Number.isFinite(change) && change !== 0)
          changes.push({
            configuration,
            metric: figure.metric,
            unit: figure.unit,
            change,
            relative: first === 0 ? Number.POSITIVE_INFINITY : Math.abs(change / first),
            label: labels[i + 1] as string,
          });
      });
      lines.push(
        [configuration, figure.metric, figure.unit, ...values.map(num), ...deltas.map(num)].join(','),
      );
    }
  }
  ensureDir(outDir, { source: 'command line', field: '--out' });
  const differences = join(outDir, 'differences.csv');
  writeFileAtomic(differences, csvText([header.join(','), ...lines]));

  const page = new ChartPage(`dfaas sweep comparison: ${labels.join(' vs ')}`);
  const sections: string[] = [
    `<h1>dfaas sweep comparison: ${escapeHtml(labels.join(' vs '))}</h1>`,
    runsTable(records, labels),
  ];
  for (const fn of functions) {
    const charts = await Promise.all(
      ALONE_METRICS.map(async (metric) => {
        const points = measured.flatMap((m, i) => alonePoints(labels[i] as string, fn, m, metric));
        if (points.length === 0) return '';
        return page.figure(
          `${fn} alone: ${metric.title}`,
          await renderChart(aloneSpec(metric, points, 'sweep')),
        );
      }),
    );
    if (charts.some(Boolean))
      sections.push(
        `<section><h2>${escapeHtml(fn)} alone</h2><div class="row">${charts.join('')}</div></section>`,
      );
  }
  for (const [a, b] of pairsOf(functions, measured.flat())) {
    const rows = await Promise.all(
      PAIR_METRICS.map(async (metric) => {
        const maps = await Promise.all(
          records.map(async (r, i) => {
            const cells = pairCells(a, b, measured[i] as MeasuredConfiguration[], r.skipped, metric);
            if (cells.length === 0) return '';
            return page.figure(
              `${metric.title}: ${labels[i]}`,
              await renderChart(heatmapSpec(a, b, metric, cells)),
            );
          }),
        );
        return `<div class="row">${maps.join('')}</div>`;
      }),
    );
    sections.push(`<section><h2>${escapeHtml(a)} × ${escapeHtml(b)}</h2>${rows.join('')}</section>`);
  }
  sections.push(frontiers(measured, labels), largestChanges(changes));
  const report = join(outDir, 'compare.html');
  writeFileAtomic(report, page.html(sections.join('\n')));
  return { report, differences, labels, shared: keys.length };
}

function runsTable(records: readonly SweepRecord[], labels: readonly string[]): string {
  const rows = records.map((r, i) => {
    const m = r.manifest;
    return `<tr><td>${escapeHtml(labels[i] as string)}</td><td><code>${escapeHtml(r.dir)}</code></td><td>${escapeHtml(m?.state ?? 'unknown')}</td><td>${r.rows.length}</td><td>${r.skipped.length}</td><td>${escapeHtml(m?.host ? `${m.host.name ?? ''} ${m.host.cpus} CPUs` : '')}</td><td>${escapeHtml(m?.startedAt ?? '')}</td><td>${m?.baseline ? (m.baseline.busy ? '<span class="warn">busy</span>' : 'idle') : ''}</td></tr>`;
  });
  return `<section><h2>The sweeps</h2><table><tr><th>sweep</th><th>folder</th><th>state</th><th>rows</th><th>skipped</th><th>host</th><th>started</th><th>baseline</th></tr>${rows.join('')}</table></section>`;
}

function frontiers(measured: readonly MeasuredConfiguration[][], labels: readonly string[]): string {
  const cells = measured.map((m) => {
    const { lightest, heavierNotOverloaded } = frontierStatement(m);
    return `<td>${lightest.length === 0 ? 'none overloaded' : lightest.map((r) => escapeHtml(ratesText(r))).join('<br>')}${
      heavierNotOverloaded.length > 0
        ? `<br><span class="warn">${heavierNotOverloaded.length} heavier not overloaded</span>`
        : ''
    }</td>`;
  });
  return `<section><h2>Overload frontiers</h2><p>The lightest configurations measured to overload the node, per sweep.</p><table><tr>${labels.map((l) => `<th>${escapeHtml(l)}</th>`).join('')}</tr><tr>${cells.join('')}</tr></table></section>`;
}

/** A figure of a configuration that changed from the first sweep. */
interface Change {
  configuration: string;
  metric: string;
  unit: string;
  change: number;
  /** |change| relative to the first sweep's value (infinite from 0): how the changes are ranked. */
  relative: number;
  label: string;
}

/** The 20 largest changes from the first sweep, relative to the first sweep's value (figures differ in units). */
function largestChanges(changes: Change[]): string {
  if (changes.length === 0)
    return '<section><h2>Differences</h2><p>No configuration measured in two sweeps differs (differences.csv).</p></section>';
  const top = [...changes]
    .sort((x, y) => y.relative - x.relative || Math.abs(y.change) - Math.abs(x.change))
    .slice(0, 20);
  return `<section><h2>Largest differences</h2><p>From the first sweep; all of them in <code>differences.csv</code>.</p><table><tr><th>configuration</th><th>figure</th><th>sweep</th><th>change</th><th>relative</th></tr>${top
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.configuration)}</td><td>${escapeHtml(`${c.metric} (${c.unit})`)}</td><td>${escapeHtml(c.label)}</td><td>${c.change > 0 ? '+' : ''}${c.change.toFixed(3)}</td><td>${Number.isFinite(c.relative) ? `${(100 * c.relative).toFixed(0)}%` : 'from 0'}</td></tr>`,
    )
    .join('')}</table></section>`;
}
