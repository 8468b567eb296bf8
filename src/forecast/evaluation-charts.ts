/**
 * The charts of the evaluation report, as Vega-Lite specifications (drawn by src/charts): per
 * regression target, the prediction against the actual value with the y = x line (and our trees'
 * q05–q95 band where the target has one), and the residual against the prediction with the zero
 * line. One datum per held-out configuration, in the target's unit for a person (MiB, not bytes);
 * the models' predictions are folded into one point each, coloured and shaped by model.
 */
import type { ChartSpec } from '../charts/render.js';
import { configurationText } from './dataset.js';
import {
  EVALUATED_MODELS,
  type EvaluatedModel,
  evaluatedModels,
  type TargetEvaluation,
} from './evaluation.js';

/** What a regression target measures, as its charts and tables show it. */
export interface Quantity {
  /** e.g. `node CPU`, `HIGH_USAGE group RAM`. */
  title: string;
  unit: string;
  /** From the evaluation's unit (bytes, microwatts) to `unit`. */
  scale: number;
  /** d3-format of a value on hover. */
  format: string;
}

/** The figures of the targets (features.ts, targetsFor), by the start of their names. */
const QUANTITIES = [
  { prefix: 'cpu_usage_', title: 'CPU', unit: '% of one core', scale: 1, format: '.1f' },
  { prefix: 'ram_usage_', title: 'RAM', unit: 'MiB', scale: 2 ** -20, format: '.1f' },
  { prefix: 'power_usage_', title: 'power', unit: 'W', scale: 1e-6, format: '.2f' },
  { prefix: 'latency_', title: 'mean latency', unit: 'ms', scale: 1, format: '.1f' },
];

/** `cpu_usage_node` → node CPU in % of one core; `ram_usage_group_G` → G group RAM in MiB. */
export function quantityOf(target: string): Quantity {
  const q = QUANTITIES.find((x) => target.startsWith(x.prefix));
  if (!q) return { title: target, unit: 'as measured', scale: 1, format: '.3g' };
  const subject = target.slice(q.prefix.length);
  const who = subject === 'node' ? 'node' : `${subject.replace(/^group_/, '')} group`;
  return { title: `${who} ${q.title}`, unit: q.unit, scale: q.scale, format: q.format };
}

/** The same colour for a model in every chart of the report (Tableau 10's first three). */
const COLOURS: Record<EvaluatedModel, string> = { gbt: '#4c78a8', linear: '#f58518', forest: '#54a24b' };

/** One held-out configuration as the charts draw it: each model's prediction under its name. */
export type ChartPoint = {
  configuration: string;
  rows: number;
  actual: number;
  low?: number;
  high?: number;
} & Partial<Record<(typeof EVALUATED_MODELS)[EvaluatedModel], number>>;

export function chartPoints(e: TargetEvaluation, q: Quantity): ChartPoint[] {
  return e.heldOut.map((h) => ({
    configuration: configurationText(h.configuration),
    rows: h.rows,
    actual: h.actual * q.scale,
    ...Object.fromEntries(evaluatedModels(e).map((m) => [EVALUATED_MODELS[m], (h[m] as number) * q.scale])),
    ...(h.low !== undefined && h.high !== undefined ? { low: h.low * q.scale, high: h.high * q.scale } : {}),
  }));
}

const axisTitle = (what: 'actual' | 'predicted', q: Quantity) => `${what} ${q.title} (${q.unit})`;

/**
 * The points of the models' predictions, one per configuration and model: the datum's model
 * fields folded into `model` and `predicted`; a model picked in the legend is shown alone.
 */
function predictionPoints(
  models: EvaluatedModel[],
  q: Quantity,
  position: { x: object; y: object },
  extraTransforms: object[] = [],
  extraTooltip: object[] = [],
) {
  const names = models.map((m) => EVALUATED_MODELS[m]);
  return {
    transform: [{ fold: names, as: ['model', 'predicted'] }, ...extraTransforms],
    params: [{ name: 'shown', select: { type: 'point', fields: ['model'] }, bind: 'legend' }],
    // Hundreds of points, each described to a screen reader, would drown the chart's own
    // description and double the file: the values are on hover and in the JSON.
    mark: { type: 'point', filled: true, size: 36, aria: false },
    encoding: {
      ...position,
      color: {
        field: 'model',
        type: 'nominal',
        title: 'model',
        scale: { domain: names, range: models.map((m) => COLOURS[m]) },
      },
      shape: { field: 'model', type: 'nominal', title: 'model', scale: { domain: names } },
      opacity: { condition: { param: 'shown', value: 0.75 }, value: 0.08 },
      tooltip: [
        { field: 'configuration', title: 'configuration' },
        { field: 'rows', title: 'rows (iterations)' },
        { field: 'model', title: 'model' },
        { field: 'actual', title: axisTitle('actual', q), format: q.format },
        { field: 'predicted', title: axisTitle('predicted', q), format: q.format },
        ...extraTooltip,
      ],
    },
  };
}

const SIZE = 300;
/** The reference lines: y = x, and residual 0. */
const REFERENCE = { type: 'rule', color: '#444444', strokeDash: [5, 4] };

/**
 * Predicted (up) against actual (across) on the same scale, so the dashed y = x line is where a
 * prediction is exact; our trees' q05–q95 band, where there is one, as a vertical bar at each
 * configuration's actual value, which holds that value when it crosses the line.
 */
export function predictedVsActualSpec(e: TargetEvaluation, q: Quantity, points: ChartPoint[]): ChartSpec {
  const models = evaluatedModels(e);
  const values = points.flatMap((p) =>
    [p.actual, p.low, p.high, ...models.map((m) => p[EVALUATED_MODELS[m]])].filter(
      (v): v is number => v !== undefined,
    ),
  );
  // A reduce, not Math.min(...values): spreading thousands of values can overflow the stack.
  const lo = values.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  const hi = values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
  const scale = { domain: [lo, hi], nice: true, zero: false };
  const x = { field: 'actual', type: 'quantitative', title: axisTitle('actual', q), scale };
  const y = (field: string) => ({ field, type: 'quantitative', title: axisTitle('predicted', q), scale });
  const band = points.some((p) => p.low !== undefined)
    ? [
        {
          transform: [{ filter: 'isValid(datum.low)' }],
          mark: { type: 'rule', color: COLOURS.gbt, opacity: 0.3, strokeWidth: 2, aria: false },
          encoding: {
            x,
            y: y('low'),
            y2: { field: 'high' },
            tooltip: [
              { field: 'configuration', title: 'configuration' },
              { field: 'actual', title: axisTitle('actual', q), format: q.format },
              { field: 'low', title: `q05 (${q.unit})`, format: q.format },
              { field: 'high', title: `q95 (${q.unit})`, format: q.format },
            ],
          },
        },
      ]
    : [];
  return {
    width: SIZE,
    height: SIZE,
    data: { values: points },
    layer: [
      ...band,
      {
        // Its own one datum: drawn from the points' data, the line would be drawn once per point.
        data: { values: [{}] },
        mark: REFERENCE,
        encoding: {
          x: { datum: lo, type: 'quantitative', title: axisTitle('actual', q), scale },
          y: { datum: lo, type: 'quantitative', title: axisTitle('predicted', q), scale },
          x2: { datum: hi },
          y2: { datum: hi },
        },
      },
      predictionPoints(models, q, { x, y: y('predicted') }),
    ],
  } as ChartSpec;
}

/** The residual, actual − predicted, against the prediction: above the dashed zero line, the model predicted too little. */
export function residualSpec(e: TargetEvaluation, q: Quantity, points: ChartPoint[]): ChartSpec {
  const title = `residual: actual − predicted (${q.unit})`;
  return {
    width: SIZE,
    height: SIZE,
    data: { values: points },
    layer: [
      {
        data: { values: [{}] },
        mark: REFERENCE,
        encoding: { y: { datum: 0, type: 'quantitative', title } },
      },
      predictionPoints(
        evaluatedModels(e),
        q,
        {
          x: {
            field: 'predicted',
            type: 'quantitative',
            title: axisTitle('predicted', q),
            scale: { zero: false },
          },
          y: { field: 'residual', type: 'quantitative', title },
        },
        [{ calculate: 'datum.actual - datum.predicted', as: 'residual' }],
        [{ field: 'residual', title, format: q.format }],
      ),
    ],
  } as ChartSpec;
}
