import { join } from 'node:path';
import { writeFileAtomic } from '../core/files.js';
import { ratesOf, readResults } from '../dataset/results.js';
import { dominates } from './plan.js';

/**
 * report.html: the sweep's results as plots a person would rather look at than read, in one
 * self-contained file (inline SVG, no script, no CDN): per function alone, success rate, mean
 * latency, CPU and RAM against its rate; per pair of functions, a heatmap of node CPU with the
 * overloaded configurations marked; and the overload frontier (the lightest configurations that
 * overloaded the node). Written with our own small SVG code: a charting library would need a
 * browser or a CDN, and the report must open offline.
 */

// Folds, not Math.max(...xs): spreading a long array into a call overflows the stack.
const maxOf = (xs: number[], start: number) => xs.reduce((m, x) => Math.max(m, x), start);
const minOf = (xs: number[], start: number) => xs.reduce((m, x) => Math.min(m, x), start);

interface Row {
  rates: Record<string, number>;
  /** Node CPU, percent of a core. */
  nodeCpuPct: number;
  fns: Record<string, Record<string, number>>;
  overloaded: boolean;
}

function readRows(resultsPath: string): { functions: string[]; rows: Row[] } {
  const names = new Set<string>();
  const rows = readResults(resultsPath).map((r): Row => {
    const fns: Record<string, Record<string, number>> = {};
    for (const f of r.functions) {
      names.add(f.name);
      fns[f.name] = {
        success: f.successRate,
        latency: f.meanLatencyMs,
        cpu: f.cpuPct,
        ramMiB: f.ramBytes / 2 ** 20,
      };
    }
    return { rates: ratesOf(r), nodeCpuPct: r.node.cpuPct, fns, overloaded: r.node.overloaded };
  });
  return { functions: [...names].sort(), rows };
}

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
const fmt = (v: number) =>
  Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2);

/** A scatter of points (x, y) with a line through the mean y per x, axes and 5 ticks each. */
function chart(title: string, points: [number, number][], yLabel: string): string {
  const W = 320;
  const H = 200;
  const m = { l: 48, r: 20, t: 24, b: 32 };
  const finite = points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (finite.length === 0)
    return `<figure><figcaption>${esc(title)}</figcaption><p class="none">no data (nan)</p></figure>`;
  const xs = finite.map((p) => p[0]);
  const ys = finite.map((p) => p[1]);
  // Axes start at 0 (rates and these figures are never negative) and never collapse to a point.
  const x0 = minOf(xs, 0);
  const x1 = maxOf(xs, x0 + 1);
  const y0 = minOf(ys, 0);
  const y1 = maxOf(ys, y0 + 1e-9) * 1.05;
  const sx = (x: number) => m.l + ((x - x0) / (x1 - x0)) * (W - m.l - m.r);
  const sy = (y: number) => H - m.b - ((y - y0) / (y1 - y0)) * (H - m.t - m.b);
  const means = [...new Set(xs)]
    .sort((a, b) => a - b)
    .map((x) => {
      const at = finite.filter((p) => p[0] === x).map((p) => p[1]);
      return [x, at.reduce((a, b) => a + b, 0) / at.length] as const;
    });
  const ticks = (lo: number, hi: number) => Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">
<line x1="${m.l}" y1="${H - m.b}" x2="${W - m.r}" y2="${H - m.b}" class="axis"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${H - m.b}" class="axis"/>
${ticks(x0, x1)
  .map((t) => `<text x="${sx(t)}" y="${H - m.b + 14}" text-anchor="middle">${fmt(t)}</text>`)
  .join('')}
${ticks(y0, y1)
  .map(
    (t) =>
      `<text x="${m.l - 4}" y="${sy(t) + 4}" text-anchor="end">${fmt(t)}</text><line x1="${m.l}" x2="${W - m.r}" y1="${sy(t)}" y2="${sy(t)}" class="grid"/>`,
  )
  .join('')}
<text x="${(m.l + W - m.r) / 2}" y="${H - 4}" text-anchor="middle">rate (req/s)</text>
<text transform="translate(12 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
<polyline class="mean" points="${means.map(([x, y]) => `${sx(x)},${sy(y)}`).join(' ')}"/>
${finite.map(([x, y]) => `<circle cx="${sx(x)}" cy="${sy(y)}" r="3"/>`).join('')}
</svg></figure>`;
}

/** Node CPU over the rate grid of a pair of functions; overloaded cells crossed out. */
function heatmap(a: string, b: string, rows: Row[]): string {
  const cells = rows.filter((r) => Object.keys(r.rates).length === 2 && a in r.rates && b in r.rates);
  if (cells.length === 0) return '';
  const ra = [...new Set(cells.map((r) => r.rates[a] as number))].sort((x, y) => x - y);
  const rb = [...new Set(cells.map((r) => r.rates[b] as number))].sort((x, y) => x - y);
  const cpu = (x: number, y: number) => {
    const at = cells.filter((r) => r.rates[a] === x && r.rates[b] === y);
    const v = at.map((r) => r.nodeCpuPct).filter(Number.isFinite);
    return {
      v: v.length ? v.reduce((s, n) => s + n, 0) / v.length : Number.NaN,
      over: at.some((r) => r.overloaded),
    };
  };
  const all = ra.flatMap((x) => rb.map((y) => cpu(x, y).v)).filter(Number.isFinite);
  const max = maxOf(all, 1);
  const size = 36;
  const left = 60;
  const top = 24;
  const W = left + rb.length * size + 10;
  const H = top + ra.length * size + 30;
  const rects = ra.flatMap((x, i) =>
    rb.map((y, j) => {
      const { v, over } = cpu(x, y);
      const shade = Number.isFinite(v) ? Math.round(255 - (v / max) * 200) : 230;
      const cx = left + j * size;
      const cy = top + i * size;
      return `<rect x="${cx}" y="${cy}" width="${size - 2}" height="${size - 2}" fill="rgb(255,${shade},${shade})"><title>${esc(`${a}=${x} ${b}=${y}: node CPU ${Number.isFinite(v) ? fmt(v) : 'nan'}%${over ? ', overloaded' : ''}`)}</title></rect>${over ? `<text x="${cx + size / 2 - 1}" y="${cy + size / 2 + 4}" text-anchor="middle" class="over">✕</text>` : ''}`;
    }),
  );
  return `<figure><figcaption>node CPU (%), ${esc(a)} (rows) × ${esc(b)} (columns): white 0%, darkest ${fmt(max)}%; ✕ = overloaded</figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
${ra.map((x, i) => `<text x="${left - 6}" y="${top + i * size + size / 2 + 4}" text-anchor="end">${fmt(x)}</text>`).join('')}
${rb.map((y, j) => `<text x="${left + j * size + size / 2}" y="${top - 6}" text-anchor="middle">${fmt(y)}</text>`).join('')}
${rects.join('')}</svg></figure>`;
}

/** The lightest configurations that overloaded the node: overloaded, and dominating no other overloaded one. */
function frontier(rows: Row[]): Record<string, number>[] {
  const over = rows.filter((r) => r.overloaded).map((r) => r.rates);
  const unique = [...new Map(over.map((r) => [JSON.stringify(r), r])).values()];
  return unique.filter((r) => !unique.some((o) => dominates(r, o)));
}

export function writeReport(outputDir: string): string {
  const { functions, rows } = readRows(join(outputDir, 'results.csv'));
  const sections: string[] = [];
  for (const f of functions) {
    const alone = rows.filter((r) => Object.keys(r.rates).length === 1 && f in r.rates);
    if (alone.length === 0) continue;
    const pts = (k: string) =>
      alone.map((r) => [r.rates[f] as number, r.fns[f]?.[k] ?? Number.NaN] as [number, number]);
    sections.push(
      `<section><h2>${esc(f)} alone</h2><div class="row">${chart('success rate', pts('success'), 'success rate')}${chart('mean latency', pts('latency'), 'ms')}${chart('CPU', pts('cpu'), '% of a core')}${chart('RAM', pts('ramMiB'), 'MiB')}</div></section>`,
    );
  }
  const pairs: string[] = [];
  for (let i = 0; i < functions.length; i++) {
    for (let j = i + 1; j < functions.length; j++)
      pairs.push(heatmap(functions[i] as string, functions[j] as string, rows));
  }
  if (pairs.some(Boolean))
    sections.push(`<section><h2>Pairs</h2><div class="row">${pairs.join('')}</div></section>`);
  const front = frontier(rows);
  sections.push(
    `<section><h2>Overload frontier</h2>${
      front.length === 0
        ? '<p>No configuration overloaded the node.</p>'
        : `<p>The lightest configurations that overloaded the node (every heavier one on the same functions will too):</p><ul>${front
            .map(
              (r) =>
                `<li>${esc(
                  Object.entries(r)
                    .map(([n, v]) => `${n} ${v} req/s`)
                    .join(', '),
                )}</li>`,
            )
            .join('')}</ul>`
    }</section>`,
  );
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dfaas sweep report</title><style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:2em}
.row{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}
svg text{font-size:10px;fill:#444}.axis{stroke:#444}.grid{stroke:#ddd}.mean{fill:none;stroke:#1f6feb;stroke-width:2}
circle{fill:#1f6feb;opacity:.6}.over{font-size:16px;fill:#900}.none{color:#888}</style></head><body>
<h1>dfaas sweep report</h1><p>${rows.length} rows from <code>results.csv</code>, ${functions.length} functions.</p>
${sections.join('\n')}</body></html>
`;
  const path = join(outputDir, 'report.html');
  writeFileAtomic(path, html);
  return path;
}
