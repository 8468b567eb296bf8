import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChartPage, escapeHtml } from '../../charts/page.js';
import { type ChartSpec, renderChart } from '../../charts/render.js';
import { writeFileAtomic } from '../../core/files.js';
import type { RunAnalysis } from '../analysis/success.js';
import type { EventsResult } from '../engines/events/result.js';
import type { SimRunSummary } from '../run.js';
import { outcomeTable } from './outcome-table.js';

/**
 * A run's HTML report (`report.html` in its folder), from the files the run wrote: the indexes or
 * outcomes per strategy, and per strategy over time — rounds: each function's success rate over the
 * instants (the framework's comparison_<fn>.png) and the nodes predicted overloaded (its
 * comparison_nodes.png); events: success and forwarded share per window.
 */

const width = 420;
const height = 220;

function lineChart(values: object[], x: string, y: string, yTitle: string, xTitle: string): ChartSpec {
  return {
    width,
    height,
    data: { values },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: x, type: 'quantitative', title: xTitle, axis: { tickMinStep: 1 } },
      y: { field: y, type: 'quantitative', title: yTitle },
      color: { field: 'strategy', type: 'nominal', title: 'strategy' },
    },
  };
}

function indexTable(summary: SimRunSummary): string {
  const { header, rows } = outcomeTable(summary.engine, summary.strategies);
  return `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;
}

async function roundsFigures(page: ChartPage, analyses: Record<string, RunAnalysis>): Promise<string> {
  const first = Object.values(analyses)[0];
  if (first === undefined) return '';
  const parts: string[] = [];
  const nodes = Object.entries(analyses).flatMap(([strategy, a]) =>
    a.instants.map((i, t) => ({ strategy, t, overloaded: i.overloadedNodes })),
  );
  parts.push(
    page.figure(
      'Nodes predicted overloaded, before shedding',
      await renderChart(lineChart(nodes, 't', 'overloaded', 'overloaded nodes', 'instant')),
    ),
  );
  for (const fn of first.functions) {
    const values = Object.entries(analyses).flatMap(([strategy, a]) =>
      a.instants.map((i, t) => ({ strategy, t, success: i.functions[fn]?.success ?? 1 })),
    );
    const offered = Object.values(analyses).some((a) =>
      a.instants.some((i) => (i.functions[fn]?.offered ?? 0) > 0),
    );
    if (!offered) continue;
    parts.push(
      page.figure(
        `Success rate of ${fn} over the instants`,
        await renderChart(lineChart(values, 't', 'success', 'success rate', 'instant')),
      ),
    );
  }
  return `<div class="row">${parts.join('')}</div>`;
}

async function eventsFigures(page: ChartPage, results: Record<string, EventsResult>): Promise<string> {
  const values = Object.entries(results).flatMap(([strategy, r]) => {
    const windows = Object.values(r.nodes)[0]?.offered.length ?? 0;
    return Array.from({ length: windows }, (_, w) => {
      let offered = 0;
      let served = 0;
      let forwarded = 0;
      for (const n of Object.values(r.nodes)) {
        offered += n.offered[w] ?? 0;
        served += n.served[w] ?? 0;
        forwarded += n.forwarded[w] ?? 0;
      }
      return {
        strategy,
        s: (w * r.windowMs) / 1000,
        success: offered > 0 ? served / offered : 1,
        forwarded: served > 0 ? forwarded / served : 0,
      };
    });
  });
  const success = await renderChart(lineChart(values, 's', 'success', 'success rate', 'simulated time, s'));
  const forwarded = await renderChart(
    lineChart(values, 's', 'forwarded', 'forwarded share of served', 'simulated time, s'),
  );
  return `<div class="row">${page.figure('Success rate per window', success)}${page.figure('Forwarded share per window', forwarded)}</div>`;
}

/** Writes `<dir>/report.html` for a run folder and returns its path. */
export async function writeSimReport(dir: string): Promise<string> {
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as SimRunSummary;
  const page = new ChartPage(`dfaas sim run: ${summary.nodes} nodes`);
  const figures =
    summary.engine === 'rounds' && existsSync(join(dir, 'analysis.json'))
      ? await roundsFigures(page, JSON.parse(readFileSync(join(dir, 'analysis.json'), 'utf8')))
      : existsSync(join(dir, 'events.json'))
        ? await eventsFigures(page, JSON.parse(readFileSync(join(dir, 'events.json'), 'utf8')))
        : '';
  const body = `<h1>dfaas sim run</h1>
<p>${escapeHtml(
    `${summary.engine} engine · ${summary.nodes} nodes · ${summary.instants} instants · seed ${summary.seed} · node model ${summary.model}${summary.compat === 'framework' ? ' · the framework’s strategies and defects (--compat framework)' : ''}`,
  )}</p>
<h2>Strategies</h2>${indexTable(summary)}
<h2>Over time</h2>${figures}`;
  const file = join(dir, 'report.html');
  writeFileAtomic(file, page.html(body));
  return file;
}
