/**
 * `dfaas bench report`: benchmark runs from the results store as one self-contained HTML file
 * (../charts/page.ts: static SVG charts drawn again by the inlined Vega runtime, nothing fetched)
 * and, beside it with the same name, a `.tex` file of the statistics tables. The runs are the
 * ones `--run` names (uuid or meta identifier, several to compare), by default the latest of each
 * experiment. The report says what each run was (experiment, provider, time scale, when, dfaas
 * version, parameters, what it found), then per experiment: SeBS's latency statistics per run,
 * function and cold/warm group, the cold-start signals' agreement, the errors, and the charts
 * the runs have data for (./report-charts.ts), runs compared side by side in each.
 */
import { ChartPage, escapeHtml } from '../charts/page.js';
import { type ChartSpec, renderChart } from '../charts/render.js';
import { writeFileAtomic } from '../core/files.js';
import {
  burstPoints,
  burstSpec,
  coldWarmSpec,
  latencyOverTimeSpec,
  lifecyclePoints,
  lifecycleSpec,
  lifetimePoints,
  lifetimeSpec,
  perInstanceSpec,
  probePoints,
  probesSpec,
  type TimelinePoint,
  throughputSpec,
  timelineSpec,
} from './report-charts.js';
import {
  type CallPoint,
  callPoints,
  errorTypes,
  loadReportRuns,
  type ReportRun,
  runColdSignals,
  type StatisticsRow,
  statisticsRows,
} from './report-data.js';
import { latexDocument, STATISTICS_COLUMNS } from './report-latex.js';
import type { ResultsStore } from './store/contract.js';

export interface BenchReportOptions {
  /** Experiment uuids or meta identifiers; none: the latest run of each experiment. */
  runs: readonly string[];
  /** The HTML file; the LaTeX tables go beside it, with `.tex` for its extension. */
  out: string;
}

export interface BenchReportResult {
  report: string;
  latex: string;
  /** The runs shown, in the report's order. */
  runs: { uuid: string; label: string; experiment: string; invocations: number; errors: number }[];
  /** The charts drawn, by caption, in the report's order. */
  charts: string[];
}

/** The .tex beside `out`: its extension (.html, .htm) replaced, or added. */
export function latexPathOf(out: string): string {
  return /\.html?$/i.test(out) ? out.replace(/\.html?$/i, '.tex') : `${out}.tex`;
}

/** Experiments whose runs are load shapes: their calls over time are charted. */
const LOAD_SHAPES = new Set(['scenario-pyramid', 'growing-load-spikes']);
const LOAD_SHAPE_TABLES = ['Pyramid', 'Pyramid_level', 'Load_spike'];

export async function writeBenchReport(
  store: ResultsStore,
  opts: BenchReportOptions,
): Promise<BenchReportResult> {
  const runs = await loadReportRuns(store, opts.runs);
  const page = new ChartPage('dfaas bench report');
  const charts: string[] = [];
  const figure = async (caption: string, spec: ChartSpec) => {
    charts.push(caption);
    return page.figure(caption, await renderChart(spec));
  };
  const experiments = [...new Set(runs.map((r) => r.experiment))];
  const statistics: { experiment: string; rows: StatisticsRow[] }[] = [];
  const sections: string[] = [];
  for (const experiment of experiments) {
    const mine = runs.filter((r) => r.experiment === experiment);
    const section = await experimentSection(experiment, mine, figure);
    statistics.push({ experiment, rows: section.statistics });
    sections.push(section.html);
  }
  const body = [
    '<h1>dfaas bench report</h1>',
    `<p>From the results store ${escapeHtml(`${store.kind} ${store.location}`)}, made ${escapeHtml(new Date().toISOString())}.
${opts.runs.length === 0 ? 'The latest run of each experiment.' : `The runs named: ${escapeHtml(opts.runs.join(', '))}.`}</p>`,
    runsSection(runs),
    ...sections,
  ].join('\n');
  const latex = latexPathOf(opts.out);
  writeFileAtomic(opts.out, page.html(body));
  writeFileAtomic(latex, latexDocument(statistics));
  return {
    report: opts.out,
    latex,
    runs: runs.map((r) => ({
      uuid: r.uuid,
      label: r.label,
      experiment: r.experiment,
      invocations: r.invocations.length,
      errors: r.errors.length,
    })),
    charts,
  };
}

const code = (v: unknown) => `<code>${escapeHtml(JSON.stringify(v ?? {}))}</code>`;

function when(run: ReportRun): string {
  if (!(run.start > 0)) return 'unknown';
  const start = new Date(run.start * 1000).toISOString();
  if (!(run.end > 0)) return `${start}, not ended (running, or its process died)`;
  return `${start}, ${(run.end - run.start).toFixed(1)} s`;
}

/** Every run shown: what it was, where, when, with what, and what it found. */
function runsSection(runs: readonly ReportRun[]): string {
  if (runs.length === 0)
    return '<section><h2>Runs</h2><p class="none">No runs in the results store.</p></section>';
  const header = [
    'run',
    'experiment',
    'provider',
    'time scale',
    'when (start, duration)',
    'status',
    'calls, errors, retries',
    'dfaas, Node.js',
    'seed',
    'parameters',
    'found',
  ];
  const rows = runs.map((r) => {
    const status =
      r.status === 'failed'
        ? `<strong class="warn">failed${r.message ? `: ${escapeHtml(r.message)}` : ''}</strong>`
        : escapeHtml(r.status);
    const cells = [
      `${escapeHtml(r.label)}<br><code>${escapeHtml(r.uuid)}</code>`,
      escapeHtml(r.experiment),
      escapeHtml(
        r.providerUrl && r.providerUrl !== r.provider ? `${r.provider} ${r.providerUrl}` : r.provider,
      ),
      escapeHtml(String(r.timeScale)),
      escapeHtml(when(r)),
      status,
      escapeHtml(
        `${r.invocations.length}, ${r.errors.length}, ${Number.isFinite(r.retries) ? r.retries : 0}`,
      ),
      escapeHtml(`${r.dfaasVersion || '?'}, ${r.nodeVersion || '?'}`),
      escapeHtml(r.seed === undefined ? '' : String(r.seed)),
      code(r.params),
      code(r.summary),
    ];
    return `<tr data-run="${escapeHtml(r.uuid)}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<section><h2>Runs</h2><table class="runs"><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr>${rows.join('')}</table>
<p>Compare runs: <code>dfaas bench report --run ID --run ID</code> (an Experiment uuid, or a meta identifier for every experiment of one command). Every row of a run: <code>dfaas bench export --run ID</code>.</p></section>`;
}

type Figure = (caption: string, spec: ChartSpec) => Promise<string>;

async function experimentSection(
  experiment: string,
  runs: readonly ReportRun[],
  figure: Figure,
): Promise<{ html: string; statistics: StatisticsRow[] }> {
  const parts: string[] = [`<h2>${escapeHtml(experiment)}</h2>`];
  if (runs[0]?.description) parts.push(`<p>${escapeHtml(runs[0].description)}</p>`);
  const withCalls = runs.filter((r) => r.invocations.length > 0);
  for (const run of runs.filter((r) => r.invocations.length === 0))
    parts.push(
      `<p class="none" data-no-invocations="${escapeHtml(run.uuid)}">${escapeHtml(run.label)}: no invocations recorded${
        run.errors.length > 0 ? ` (${run.errors.length} failed calls, below)` : ''
      }, so no latency statistics or call charts.</p>`,
    );
  const points = new Map(withCalls.map((r) => [r.uuid, callPoints(r)]));
  const all = [...points.values()].flat();
  const statistics = withCalls.flatMap((r) => statisticsRows(r, points.get(r.uuid) ?? []));
  if (statistics.length > 0) parts.push(statisticsTable(statistics));
  if (withCalls.length > 0) parts.push(agreementTable(withCalls));
  const errors = errorsTable(runs);
  if (errors) parts.push(errors);
  parts.push(await chartsOf(experiment, runs, withCalls, all, figure));
  parts.push(rowsTable(runs));
  return {
    html: `<section data-experiment="${escapeHtml(experiment)}">${parts.join('\n')}</section>`,
    statistics,
  };
}

function statisticsTable(rows: readonly StatisticsRow[]): string {
  const head = STATISTICS_COLUMNS.map((c) => `<th>${escapeHtml(c.title)}</th>`).join('');
  const body = rows
    .map(
      (r) =>
        `<tr data-run="${escapeHtml(r.run)}" data-function="${escapeHtml(r.function)}" data-group="${r.group}">${STATISTICS_COLUMNS.map(
          (c) => {
            const raw = c.raw?.(r);
            return `<td${raw === undefined ? '' : ` data-value="${raw}"`}>${escapeHtml(c.cell(r))}</td>`;
          },
        ).join('')}</tr>`,
    )
    .join('');
  return `<h3>Latency (ms)</h3><table class="statistics"><tr>${head}</tr>${body}</table>
<p>Latency: execution_start − invocation_start of each entry (the function's start as seen from the call), in ms.
SeBS's statistics: std of the population, CV = std / mean; the Student-t interval of the mean; Le Boudec's interval of the
median, n/a at 20 samples or fewer. A call is cold by the replica's own marker (is_cold) where it has one, else by the
platform's cold-start header, else by identity (its instance had not answered before in the run).</p>`;
}

function agreementTable(runs: readonly ReportRun[]): string {
  const rows = runs.map((run) => {
    const signals = runColdSignals(run);
    const agreeing = signals.filter((s) => s.agree).length;
    const cold = (pick: (s: (typeof signals)[number]) => boolean | undefined) =>
      signals.some((s) => pick(s) !== undefined) ? String(signals.filter((s) => pick(s)).length) : 'n/a';
    const disagreeing = signals.filter((s) => !s.agree);
    const shown = disagreeing
      .slice(0, 5)
      .map(
        (s) =>
          `${s.function_name} ${s.identifier}: identity ${s.byIdentity ? 'cold' : 'warm'}${
            s.byMarker === undefined ? '' : `, marker ${s.byMarker ? 'cold' : 'warm'}`
          }${s.byPlatform === undefined ? '' : `, platform ${s.byPlatform ? 'cold' : 'warm'}`}`,
      );
    const more = disagreeing.length > shown.length ? `; ${disagreeing.length - shown.length} more` : '';
    const share = signals.length === 0 ? 1 : agreeing / signals.length;
    return `<tr data-run="${escapeHtml(run.uuid)}"><td>${escapeHtml(run.label)}</td><td>${signals.length}</td><td>${cold(
      (s) => s.byIdentity,
    )}</td><td>${cold((s) => s.byMarker)}</td><td>${cold((s) => s.byPlatform)}</td><td${
      share < 1 ? ' class="warn"' : ''
    }>${agreeing} (${(share * 100).toFixed(1)}%)</td><td>${escapeHtml(shown.join('; ') + more)}</td></tr>`;
  });
  return `<h3>Cold starts, told three ways</h3><table class="agreement"><tr><th>run</th><th>calls</th><th>cold by identity</th><th>cold by marker</th><th>cold by platform</th><th>all signals agree</th><th>where they disagree</th></tr>${rows.join('')}</table>`;
}

function errorsTable(runs: readonly ReportRun[]): string | undefined {
  const rows = runs.flatMap((run) =>
    errorTypes(run).map(
      (e) =>
        `<tr><td>${escapeHtml(run.label)}</td><td>${escapeHtml(e.type)}</td><td>${e.count}</td><td>${escapeHtml(e.message)}</td></tr>`,
    ),
  );
  if (rows.length === 0) return undefined;
  return `<h3>Failed calls</h3><table class="errors"><tr><th>run</th><th>type</th><th>calls</th><th>first message</th></tr>${rows.join('')}</table>`;
}

/** How many rows each run has in each table: the tables without a chart are there to export. */
function rowsTable(runs: readonly ReportRun[]): string {
  const items = runs.map((run) => {
    const counts = [
      ['Invocation', run.invocations.length],
      ['Error', run.errors.length],
      ...[...run.tables.entries()].map(([name, rows]) => [name, rows.length]),
    ] as [string, number][];
    return `<li>${escapeHtml(run.label)}: ${escapeHtml(counts.map(([t, n]) => `${t} ${n}`).join(', '))}</li>`;
  });
  return `<h3>Rows stored</h3><ul class="rows">${items.join('')}</ul>`;
}

async function chartsOf(
  experiment: string,
  runs: readonly ReportRun[],
  withCalls: readonly ReportRun[],
  points: readonly CallPoint[],
  figure: Figure,
): Promise<string> {
  const figures: string[] = [];
  const labels = (rs: readonly ReportRun[]) => rs.map((r) => r.label);
  const callRuns = labels(withCalls);
  const { drawn: finite, note } = sampled(
    points.filter((p) => Number.isFinite(p.latencyMs)),
    callRuns,
  );
  if (finite.length > 0) {
    figures.push(
      await figure(
        `${experiment}: latency of cold and warm calls per function (box: min, quartiles, median, max; a point per call)${note}`,
        coldWarmSpec(finite, callRuns),
      ),
      await figure(
        `${experiment}: latency over the run, cold and warm calls${note}`,
        latencyOverTimeSpec(finite, callRuns),
      ),
      await figure(`${experiment}: latency per instance${note}`, perInstanceSpec(finite, callRuns)),
    );
  }
  const workRuns = labels(withCalls.filter((r) => points.some((p) => p.run === r.label && hasWork(p))));
  const work = sampled(points.filter(hasWork), workRuns);
  if (work.drawn.length > 0)
    figures.push(
      await figure(
        `${experiment}: loop iterations against the compute time asked, one at a time and concurrent${work.note}`,
        throughputSpec(work.drawn, workRuns),
      ),
    );
  const bursts = runs.flatMap((r) => burstPoints(r.label, r.tables.get('Cc_bench') ?? []));
  const burstRuns = labels(runs.filter((r) => r.tables.has('Cc_bench')));
  if (bursts.length > 0)
    figures.push(
      await figure(
        `${experiment}: success rate against the calls released together (Cc_bench)`,
        burstSpec(bursts, burstRuns, 'successRate'),
      ),
      await figure(
        `${experiment}: mean latency against the calls released together (Cc_bench)`,
        burstSpec(bursts, burstRuns, 'latencyMs'),
      ),
    );
  const shaped = runs.filter(
    (r) => LOAD_SHAPES.has(r.experiment) || LOAD_SHAPE_TABLES.some((t) => r.tables.has(t)),
  );
  const timeline = shaped.flatMap((r) => timelinePoints(r));
  if (timeline.length > 0)
    figures.push(
      await figure(
        `${experiment}: calls started over the run (the load's shape), answered or failed`,
        timelineSpec(timeline, labels(shaped.filter((r) => timeline.some((p) => p.run === r.label)))),
      ),
    );
  const probes = runs.flatMap((r) => probePoints(r.label, r.tables.get('Coldstart') ?? []));
  if (probes.length > 0)
    figures.push(
      await figure(
        `${experiment}: the idle-time search's probes (ringed: the idle time found)`,
        probesSpec(probes, labels(runs.filter((r) => r.tables.has('Coldstart')))),
      ),
    );
  const lifetimes = runs.flatMap((r) => lifetimePoints(r.label, r.tables.get('Function_lifetime') ?? []));
  if (lifetimes.length > 0)
    figures.push(
      await figure(
        `${experiment}: how long the first instance lived (Function_lifetime)`,
        lifetimeSpec(lifetimes),
      ),
    );
  const lifecycle = runs.flatMap((r) => lifecyclePoints(r.label, r.tables.get('Function_lifecycle') ?? []));
  if (lifecycle.length > 0)
    figures.push(
      await figure(
        `${experiment}: instances serving each load step (Function_lifecycle)`,
        lifecycleSpec(lifecycle, labels(runs.filter((r) => r.tables.has('Function_lifecycle')))),
      ),
    );
  if (figures.length === 0) return '<p class="none">No data to chart.</p>';
  return `<h3>Charts</h3><div class="row">${figures.join('')}</div>`;
}

/** A call that did busy work: the iterations it managed, in the time it was asked to. */
const hasWork = (p: CallPoint) => (p.throughput ?? 0) > 0 && (p.throughputTime ?? 0) > 0;

/** Calls drawn per run at most: a page of charts stays light enough to open (the statistics use every call). */
export const MAX_POINTS_PER_RUN = 5000;

/** At most MAX_POINTS_PER_RUN of each run's points, evenly spread over the run; a caption note when fewer. */
function sampled(
  points: readonly CallPoint[],
  runs: readonly string[],
): { drawn: CallPoint[]; note: string } {
  const notes: string[] = [];
  const drawn = runs.flatMap((run) => {
    const mine = points.filter((p) => p.run === run);
    if (mine.length <= MAX_POINTS_PER_RUN) return mine;
    notes.push(`${MAX_POINTS_PER_RUN} of ${run}'s ${mine.length} calls, evenly spread`);
    return Array.from(
      { length: MAX_POINTS_PER_RUN },
      (_, i) => mine[Math.floor((i * mine.length) / MAX_POINTS_PER_RUN)] as CallPoint,
    );
  });
  return { drawn, note: notes.length > 0 ? ` — drawn: ${notes.join('; ')}` : '' };
}

/** The run's client calls (roots) and failed calls on its timeline. */
function timelinePoints(run: ReportRun): TimelinePoint[] {
  const start = run.start > 0 ? run.start : Number(run.invocations[0]?.invocation_start ?? 0);
  const at = (v: unknown) => (Number(v) - start) * run.timeScale;
  return [
    ...run.invocations
      .filter((r) => Number(r.level ?? 0) === 0 && Number.isFinite(Number(r.invocation_start)))
      .map((r) => ({ run: run.label, t: at(r.invocation_start), outcome: 'answered' as const })),
    ...run.errors
      .filter((r) => Number.isFinite(Number(r.invocation_start)))
      .map((r) => ({ run: run.label, t: at(r.invocation_start), outcome: 'failed' as const })),
  ];
}
