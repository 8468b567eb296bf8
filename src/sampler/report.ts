import { join } from 'node:path';
import { ChartPage, escapeHtml } from '../charts/page.js';
import { renderChart } from '../charts/render.js';
import { writeFileAtomic } from '../core/files.js';
import type { RunManifest } from './manifest.js';
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

/** report.html, beside results.csv. */
export const REPORT_FILE = 'report.html';

/**
 * report.html: a sweep's results as charts a person would rather look at than read, rebuilt from
 * the folder alone (results.csv, skipped.csv, run.json), so it can be made again for a finished,
 * interrupted or running sweep without a platform (`dfaas sample report DIR`). One self-contained
 * file (./../charts/page.ts): what the run was (configuration, host, dates, idle baseline, what was
 * skipped and why), each function alone, each pair as heatmaps, and the overload frontier.
 */
export async function writeReport(outputDir: string): Promise<string> {
  const record = readSweepRecord(outputDir);
  const measured = measuredConfigurations(record.rows);
  const page = new ChartPage(`dfaas sweep report: ${record.label}`);
  const sections = [
    `<h1>dfaas sweep report: ${escapeHtml(record.label)}</h1>`,
    runSection(record, measured),
    await aloneSection(page, record, measured),
    await pairsSection(page, record, measured),
    frontierSection(measured),
    skippedSection(record),
  ];
  const path = join(outputDir, REPORT_FILE);
  writeFileAtomic(path, page.html(sections.join('\n')));
  return path;
}

const fmtDuration = (seconds: number) =>
  seconds >= 3600
    ? `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`
    : seconds >= 60
      ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`
      : `${Math.round(seconds)} s`;

/** The rates a configuration plans, in words. */
function ratesPlanned(r: NonNullable<RunManifest['config']>['rates']): string {
  const s = r.strategy;
  switch (s.type) {
    case 'custom':
      return `${s.values.join(', ')} requests/s`;
    case 'exponential':
      return `${s.base}^${s.min_power} to ${s.base}^${s.max_power} requests/s`;
    case 'random':
      return `${s.count} random rates in ${r.min_rate}–${r.max_rate} requests/s (seed ${s.seed})`;
    default:
      return `${r.min_rate}–${r.max_rate} requests/s, step ${r.step}`;
  }
}

const table = (rows: [string, string][]) =>
  `<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${v}</td></tr>`).join('')}</table>`;

/** What the run was: its state, configuration, host, dates and idle baseline. */
function runSection(record: SweepRecord, measured: MeasuredConfiguration[]): string {
  const m = record.manifest;
  const c = m?.config;
  const rows: [string, string][] = [
    ['state', escapeHtml(m?.state ?? 'unknown (no run.json)')],
    ['rows', `${record.rows.length} in results.csv, ${measured.length} configurations`],
    ['skipped', `${record.skipped.length} configurations (below)`],
  ];
  if (c) {
    rows.push(
      ['functions', escapeHtml(c.functions.map((f) => f.name).join(', '))],
      [
        'rates',
        escapeHtml(
          `${ratesPlanned(c.rates)}, ${c.combinations.min_functions} to ${c.combinations.max_functions - (c.combinations.exclusive ? 1 : 0)} functions at once`,
        ),
      ],
      ['each run', escapeHtml(`${c.duration} of load, ${c.iterations} iterations`)],
      [
        'cooldown',
        escapeHtml(
          `idle within ${c.cooldown.idle_threshold_pct}% of the baseline, checked every ${c.cooldown.sleep_step_seconds} s, at most ${c.cooldown.max_wait_seconds} s`,
        ),
      ],
    );
  }
  if (m?.host)
    rows.push([
      'host',
      escapeHtml(
        `${m.host.name ?? ''} ${m.host.os}, ${m.host.cpus} CPUs, ${(m.host.memoryBytes / 2 ** 30).toFixed(1)} GiB; dfaas ${m.dfaas}, Node.js ${m.node}`,
      ),
    ]);
  if (m?.startedAt) {
    const end = m.finishedAt ?? m.interruptedAt;
    rows.push([
      'when',
      escapeHtml(
        `started ${m.startedAt}${end ? `, ${m.finishedAt ? 'finished' : 'interrupted'} ${end} (${fmtDuration((Date.parse(end) - Date.parse(m.startedAt)) / 1000)})` : ''}`,
      ),
    ]);
  }
  const b = m?.baseline;
  if (b)
    rows.push([
      'idle baseline',
      `${escapeHtml(`node CPU ${b.cpuPct.toFixed(1)}% of one core (${(b.cpuPct / b.cores).toFixed(1)}% of ${b.cores} cores), RAM ${(b.ramBytes / 2 ** 20).toFixed(0)} MiB (${b.ramPct.toFixed(1)}%), measured ${b.measuredAt}`)}${
        b.busy
          ? `<br><strong class="warn">the node was not idle: ${escapeHtml(b.busyReasons.join('; '))}</strong>`
          : ''
      }`,
    ]);
  if (m?.state === 'interrupted')
    rows.push(['note', '<strong class="warn">interrupted: rerun the same command to resume</strong>']);
  return `<section><h2>The run</h2>${table(rows)}</section>`;
}

async function aloneSection(
  page: ChartPage,
  record: SweepRecord,
  measured: MeasuredConfiguration[],
): Promise<string> {
  const alone = record.functions.filter((f) =>
    measured.some((c) => Object.keys(c.rates).length === 1 && f in c.rates),
  );
  if (alone.length === 0) return '';
  const figures = await Promise.all(
    ALONE_METRICS.map(async (metric) => {
      const points = alone.flatMap((f) => alonePoints(f, f, measured, metric));
      return page.figure(
        `${metric.title} of each function alone`,
        await renderChart(aloneSpec(metric, points, 'function')),
      );
    }),
  );
  return `<section><h2>Each function alone</h2><div class="row">${figures.join('')}</div></section>`;
}

/** The pairs of functions measured together, in name order. */
export function pairsOf(
  functions: readonly string[],
  measured: readonly MeasuredConfiguration[],
): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i < functions.length; i++)
    for (let j = i + 1; j < functions.length; j++) {
      const [a, b] = [functions[i] as string, functions[j] as string];
      if (measured.some((c) => Object.keys(c.rates).length === 2 && a in c.rates && b in c.rates))
        pairs.push([a, b]);
    }
  return pairs;
}

async function pairsSection(
  page: ChartPage,
  record: SweepRecord,
  measured: MeasuredConfiguration[],
): Promise<string> {
  const pairs = pairsOf(record.functions, measured);
  if (pairs.length === 0) return '';
  const blocks = await Promise.all(
    pairs.map(async ([a, b]) => {
      const figures = await Promise.all(
        PAIR_METRICS.map(async (metric) =>
          page.figure(
            `${metric.title}: ${a} × ${b}`,
            await renderChart(heatmapSpec(a, b, metric, pairCells(a, b, measured, record.skipped, metric))),
          ),
        ),
      );
      return `<h3>${escapeHtml(a)} × ${escapeHtml(b)}</h3><div class="row">${figures.join('')}</div>`;
    }),
  );
  return `<section><h2>Pairs</h2><p>Each cell is a configuration, the mean of its iterations. A black outline: the
node was overloaded (in more than half the iterations). A white cell with a dashed outline was not measured
(— : not run; skip: skipped, with its reason on hover).</p>${blocks.join('')}</section>`;
}

function frontierSection(measured: MeasuredConfiguration[]): string {
  const { lightest, heavierNotOverloaded } = frontierStatement(measured);
  const list = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  if (lightest.length === 0)
    return '<section><h2>Overload frontier</h2><p>No configuration measured overloaded the node.</p></section>';
  return `<section><h2>Overload frontier</h2><p>The lightest configurations measured to overload the node (no lighter
measured configuration on the same functions did):</p>${list(lightest.map(ratesText))}${
    heavierNotOverloaded.length === 0
      ? '<p>Every heavier configuration measured on the same functions overloaded it too.</p>'
      : `<p class="warn">Heavier configurations that did <strong>not</strong> overload the node, so the frontier is not a clean line here (noise, or a measurement to repeat):</p>${list(
          heavierNotOverloaded.map((h) => `${ratesText(h.heavier)} (heavier than ${ratesText(h.than)})`),
        )}`
  }</section>`;
}

function skippedSection(record: SweepRecord): string {
  if (record.skipped.length === 0)
    return '<section><h2>Skipped</h2><p>No configuration was skipped.</p></section>';
  const rows = record.skipped.map(
    (s) =>
      `<tr><td>${escapeHtml(ratesText(s.rates))}</td><td>${escapeHtml(s.reason)}</td><td>${s.iteration ?? ''}</td><td>${escapeHtml(s.skippedAt ?? '')}</td></tr>`,
  );
  return `<section><h2>Skipped</h2><table><tr><th>configuration</th><th>reason</th><th>iteration</th><th>when</th></tr>${rows.join('')}</table></section>`;
}
