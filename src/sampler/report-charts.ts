/**
 * The charts of a sweep's report and of a comparison of sweeps, as Vega-Lite specifications
 * (drawn by src/charts): per function alone, its figures against its rate; per pair of functions,
 * heatmaps over the two rates with the value in each cell, the overloaded cells outlined and the
 * cells not measured marked as such (never shaded like a value); and the overload frontier, stated
 * only as far as the rows support it.
 */
import type { ChartSpec } from '../charts/render.js';
import { configurationKey, type SkippedRow } from '../dataset/sweep-lists.js';
import { dominates } from './plan.js';
import type { MeasuredConfiguration } from './sweep-record.js';

type FunctionFigures = MeasuredConfiguration['functions'][string];

/** A figure of a function loaded alone, as its chart shows it. */
export interface AloneMetric {
  title: string;
  /** The axis title, with the unit. */
  axis: string;
  /** d3-format of its values on hover. */
  format: string;
  pick: (f: FunctionFigures) => number;
}

export const ALONE_METRICS: AloneMetric[] = [
  {
    title: 'success rate',
    axis: 'success rate (share answered 2xx)',
    format: '.3f',
    pick: (f) => f.successRate,
  },
  { title: 'mean latency', axis: 'mean latency (ms)', format: '.0f', pick: (f) => f.meanLatencyMs },
  { title: 'CPU', axis: 'function CPU (% of one core)', format: '.1f', pick: (f) => f.cpuPct },
  { title: 'RAM', axis: 'function RAM (MiB)', format: '.1f', pick: (f) => f.ramBytes / 2 ** 20 },
];

/** A figure of a configuration of two functions, as its heatmap shows it. */
export interface PairMetric {
  title: string;
  /** The legend title, with the unit. */
  legend: string;
  /** d3-format of the value written in each cell. */
  format: string;
  pick: (c: MeasuredConfiguration) => number;
  /** Colours from low to high: success is good high, the others bad high. */
  scheme: string;
}

const loadedMean = (c: MeasuredConfiguration, pick: (f: FunctionFigures) => number) => {
  const values = Object.entries(c.functions)
    .filter(([name]) => (c.rates[name] ?? 0) > 0)
    .map(([, f]) => pick(f))
    .filter(Number.isFinite);
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
};

export const PAIR_METRICS: PairMetric[] = [
  {
    title: 'node CPU',
    legend: 'node CPU (% of one core)',
    format: '.0f',
    pick: (c) => c.nodeCpuPct,
    scheme: 'orangered',
  },
  {
    title: 'node RAM',
    legend: 'node RAM (MiB)',
    format: '.0f',
    pick: (c) => c.nodeRamBytes / 2 ** 20,
    scheme: 'blues',
  },
  {
    title: 'success rate (mean of the loaded functions)',
    legend: 'success rate (share)',
    format: '.2f',
    pick: (c) => loadedMean(c, (f) => f.successRate),
    scheme: 'greens',
  },
  {
    title: 'mean latency (mean of the loaded functions)',
    legend: 'mean latency (ms)',
    format: '.0f',
    pick: (c) => loadedMean(c, (f) => f.meanLatencyMs),
    scheme: 'purples',
  },
];

const orNull = (v: number) => (Number.isFinite(v) ? v : null);
/** `a 10 requests/s, b 20 requests/s` */
export const ratesText = (rates: Record<string, number>) =>
  Object.entries(rates)
    .map(([n, r]) => `${n} ${r} requests/s`)
    .join(', ');

/** One series per line (a function, or a sweep in a comparison): its figure at each rate, alone. */
export interface AlonePoint {
  series: string;
  rate: number;
  value: number | null;
  iterations: number;
}

export function alonePoints(
  series: string,
  fn: string,
  measured: readonly MeasuredConfiguration[],
  metric: AloneMetric,
): AlonePoint[] {
  return measured
    .filter((c) => Object.keys(c.rates).length === 1 && fn in c.rates)
    .map((c) => ({
      series,
      rate: c.rates[fn] as number,
      value: orNull(metric.pick(c.functions[fn] as FunctionFigures)),
      iterations: c.iterations,
    }))
    .sort((x, y) => x.rate - y.rate);
}

/** A line per series through its figure at each rate, with points; missing values leave gaps. */
export function aloneSpec(metric: AloneMetric, points: AlonePoint[], seriesTitle: string): ChartSpec {
  return {
    width: 260,
    height: 180,
    data: { values: points },
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: { field: 'rate', type: 'quantitative', title: 'rate (requests/s)' },
      y: { field: 'value', type: 'quantitative', title: metric.axis },
      color: { field: 'series', type: 'nominal', title: seriesTitle },
      tooltip: [
        { field: 'series', title: seriesTitle },
        { field: 'rate', title: 'rate (requests/s)' },
        { field: 'value', title: metric.axis, format: metric.format },
        { field: 'iterations', title: 'iterations' },
      ],
    },
  };
}

/** One cell of a pair's heatmap. */
export interface PairCell {
  x: number;
  y: number;
  value: number | null;
  status: 'measured' | 'not measured' | 'skipped';
  overloaded: boolean;
  /** What the cell says on hover and to a screen reader (its aria-label). */
  description: string;
  /** The text written in the cell. */
  text: string;
}

/**
 * The cells of the grid of rates of `a` (rows) and `b` (columns) over the configurations loading
 * both: measured ones with their value, the others marked as not measured (or skipped, with why).
 */
export function pairCells(
  a: string,
  b: string,
  measured: readonly MeasuredConfiguration[],
  skipped: readonly SkippedRow[],
  metric: PairMetric,
): PairCell[] {
  const pair = measured.filter((c) => Object.keys(c.rates).length === 2 && a in c.rates && b in c.rates);
  const xs = [...new Set(pair.map((c) => c.rates[b] as number))].sort((p, q) => p - q);
  const ys = [...new Set(pair.map((c) => c.rates[a] as number))].sort((p, q) => p - q);
  const byKey = new Map(pair.map((c) => [c.key, c]));
  const skippedBy = new Map(skipped.map((s) => [configurationKey(s.rates), s.reason]));
  return ys.flatMap((y) =>
    xs.map((x): PairCell => {
      const rates = { [a]: y, [b]: x };
      const key = configurationKey(rates);
      const c = byKey.get(key);
      if (!c) {
        const reason = skippedBy.get(key);
        return {
          x,
          y,
          value: null,
          status: reason === undefined ? 'not measured' : 'skipped',
          overloaded: false,
          description: `${ratesText(rates)}: not measured${reason === undefined ? '' : ` (skipped: ${reason})`}`,
          text: reason === undefined ? '—' : 'skip',
        };
      }
      const v = metric.pick(c);
      return {
        x,
        y,
        value: orNull(v),
        status: 'measured',
        overloaded: c.overloaded,
        description: `${ratesText(rates)}: ${metric.legend} ${Number.isFinite(v) ? v.toFixed(2) : 'nan'}${c.overloaded ? ', overloaded' : ''} (${c.iterations} iterations)`,
        // Nothing loaded (every rate 0): no success or latency to show, which is not a failed query.
        text: Number.isFinite(v) ? '' : Object.values(rates).every((r) => r === 0) ? 'no load' : 'nan',
      };
    }),
  );
}

/**
 * A pair's heatmap: `a`'s rate up, `b`'s across; measured cells coloured by value with the value
 * written in them and overloaded ones outlined in black; cells not measured white with a dashed
 * outline and a dash (or "skip"), out of the colour scale.
 */
export function heatmapSpec(a: string, b: string, metric: PairMetric, cells: PairCell[]): ChartSpec {
  const size = 34;
  const columns = new Set(cells.map((c) => c.x)).size;
  const rows = new Set(cells.map((c) => c.y)).size;
  const position = {
    x: { field: 'x', type: 'ordinal' as const, title: `${b} (requests/s)` },
    y: { field: 'y', type: 'ordinal' as const, title: `${a} (requests/s)`, sort: 'descending' as const },
  };
  return {
    width: Math.max(120, columns * size),
    height: Math.max(80, rows * size),
    data: { values: cells },
    encoding: { ...position, description: { field: 'description' }, tooltip: { field: 'description' } },
    layer: [
      {
        transform: [{ filter: "datum.status === 'measured' && datum.value !== null" }],
        mark: { type: 'rect' },
        encoding: {
          color: {
            field: 'value',
            type: 'quantitative',
            title: metric.legend,
            scale: { scheme: metric.scheme },
          },
          stroke: { condition: { test: 'datum.overloaded', value: '#000000' }, value: null },
          strokeWidth: { condition: { test: 'datum.overloaded', value: 3 }, value: 0 },
        },
      },
      {
        transform: [{ filter: "datum.status !== 'measured' || datum.value === null" }],
        mark: { type: 'rect', fill: '#ffffff', stroke: '#888888', strokeDash: [3, 2] },
      },
      {
        transform: [{ filter: "datum.status === 'measured' && datum.value !== null" }],
        // The cell's rect says it all to a screen reader: its text is not read twice.
        mark: { type: 'text', fontSize: 9, aria: false },
        encoding: { text: { field: 'value', type: 'quantitative', format: metric.format } },
      },
      {
        transform: [{ filter: "datum.text !== ''" }],
        mark: { type: 'text', fontSize: 9, color: '#666666', aria: false },
        encoding: { text: { field: 'text' } },
      },
    ],
  } as ChartSpec;
}

/** The overload frontier as far as the rows support it. */
export interface FrontierStatement {
  /** The lightest configurations measured to overload the node: none lighter on the same functions did. */
  lightest: Record<string, number>[];
  /** Heavier configurations than one of those that did not overload the node (the frontier is not monotone there). */
  heavierNotOverloaded: { heavier: Record<string, number>; than: Record<string, number> }[];
}

export function frontierStatement(measured: readonly MeasuredConfiguration[]): FrontierStatement {
  const over = measured.filter((c) => c.overloaded);
  const lightest = over.filter((c) => !over.some((o) => dominates(c.rates, o.rates)));
  const heavierNotOverloaded = lightest.flatMap((l) =>
    measured
      .filter((c) => !c.overloaded && dominates(c.rates, l.rates))
      .map((c) => ({ heavier: c.rates, than: l.rates })),
  );
  return { lightest: lightest.map((c) => c.rates), heavierNotOverloaded };
}
