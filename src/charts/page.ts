/**
 * A self-contained HTML report of charts: each chart is there as its static SVG (readable with
 * scripts off, in any viewer) and is drawn again by the Vega runtime inlined in the page, which
 * adds values on hover (tooltips). Nothing is fetched: the file opens offline, from a mail or an
 * archive, years later.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RenderedChart } from './render.js';

/** HTML text escaped for an element's content or a double-quoted attribute. */
export const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** The Vega runtime's browser build (BSD-3-Clause, University of Washington Interactive Data Lab). */
function vegaRuntime(): string {
  const entry = createRequire(import.meta.url).resolve('vega');
  return readFileSync(join(dirname(entry), 'vega.min.js'), 'utf8');
}

/** Draws each [data-chart] again with Vega (svg renderer, hover on), replacing its static SVG. */
const BOOT = `(() => {
  const specs = JSON.parse(document.getElementById('dfaas-charts').textContent);
  for (const el of document.querySelectorAll('[data-chart]')) {
    const spec = specs[Number(el.dataset.chart)];
    const view = new vega.View(vega.parse(spec), { renderer: 'svg', hover: true });
    el.replaceChildren();
    view.initialize(el).runAsync().then(
      () => { el.dataset.rendered = 'interactive'; },
      (err) => { el.dataset.rendered = 'failed'; console.error(err); },
    );
  }
})();`;

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;color:#222;max-width:1400px}
h1{font-size:20px}h2{font-size:16px;margin-top:2em}h3{font-size:14px}
.row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}figure{margin:0}
figcaption{font-weight:600;margin-bottom:4px;max-width:520px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f4f4f4}.warn{color:#9a3b00}.none{color:#888}code{font-size:12px}`;

/** A page of figures: `figure` places a chart where its HTML goes; `html` writes the document. */
export class ChartPage {
  private readonly charts: object[] = [];

  constructor(private readonly title: string) {}

  figure(caption: string, chart: RenderedChart): string {
    const index = this.charts.push(chart.vega) - 1;
    return `<figure><figcaption>${escapeHtml(caption)}</figcaption><div class="chart" data-chart="${index}">${chart.svg}</div></figure>`;
  }

  /** The whole document around `body` (HTML made with escapeHtml and figure). */
  html(body: string): string {
    // Inside <script>, "</" would end the element: JSON has it only in strings, where <\/ is the same.
    const specs = JSON.stringify(this.charts).replace(/<\//g, '<\\/');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(this.title)}</title>
<style>${STYLE}</style></head><body>
${body}
<script type="application/json" id="dfaas-charts">${specs}</script>
<!-- Vega: Copyright (c) 2015-2023, University of Washington Interactive Data Lab. BSD-3-Clause. -->
<script>${vegaRuntime()}</script>
<script>${BOOT}</script>
</body></html>
`;
  }
}
