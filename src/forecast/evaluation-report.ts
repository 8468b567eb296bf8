/**
 * The evaluation as a person looks at it: an HTML report beside the evaluation's JSON
 * (evaluation.html beside evaluation.json; `evaluate --out FILE.json` → FILE.html), one
 * self-contained file that opens offline (src/charts/page.ts). Per regression target its scores
 * and two charts of the held-out configurations (evaluation-charts.ts): predicted against actual,
 * and the residuals; for the overload class, which configurations each model got right and wrong.
 * Scores alone hide where a model errs (a good R² from the many light configurations can hide
 * misses on the few heavy ones), and the plots show it.
 */
import { ChartPage, escapeHtml } from '../charts/page.js';
import { renderChart } from '../charts/render.js';
import { writeFileAtomic } from '../core/files.js';
import { configurationText } from './dataset.js';
import {
  EVALUATED_MODELS,
  type EvaluatedModel,
  type Evaluation,
  evaluatedModels,
  heldOutText,
  type TargetEvaluation,
} from './evaluation.js';
import { chartPoints, predictedVsActualSpec, quantityOf, residualSpec } from './evaluation-charts.js';
import type { ClassificationScores, RegressionScores } from './scores.js';

/** The report's path beside an evaluation's JSON file: its name with .html for .json. */
export function reportPath(jsonPath: string): string {
  return `${jsonPath.replace(/\.json$/i, '')}.html`;
}

/** Writes the report beside the evaluation's JSON file (reportPath); returns its path. */
export async function writeEvaluationReport(jsonPath: string, evaluation: Evaluation): Promise<string> {
  const path = reportPath(jsonPath);
  writeFileAtomic(path, await evaluationReport(evaluation));
  return path;
}

/** The report as one HTML document. */
export async function evaluationReport(evaluation: Evaluation): Promise<string> {
  const page = new ChartPage('dfaas forecast evaluation');
  const sections = await Promise.all(
    Object.entries(evaluation.targets).map(([target, e]) =>
      e.task === 'regression' ? regressionSection(page, target, e) : classificationSection(target, e),
    ),
  );
  return page.html(
    [
      '<h1>dfaas forecast evaluation</h1>',
      `<p>${escapeHtml(heldOutText(evaluation))}.<br>features: ${escapeHtml(evaluation.features.join(', '))}</p>`,
      `<p>Each point is a held-out configuration: the mean of its rows' measured values (its iterations)
against what a model trained without it predicted (the same for all its rows, which share their features).
Hover a point for its configuration; click a model in a legend to show it alone.</p>`,
      ...sections,
    ].join('\n'),
  );
}

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

const table = (header: string[], rows: string[][]) =>
  `<table><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</table>`;

const heading = (title: string, target: string) =>
  `<h2>${escapeHtml(title)} <code>${escapeHtml(target)}</code></h2>`;

/** A regression target: each model's scores (MAE in the charts' unit), then the two charts. */
async function regressionSection(page: ChartPage, target: string, e: TargetEvaluation): Promise<string> {
  const q = quantityOf(target);
  const points = chartPoints(e, q);
  const coverage = e.intervalCoverage === undefined ? undefined : `${fixed(e.intervalCoverage * 100, 0)}%`;
  const scores = table(
    ['model', 'R²', `MAE (${q.unit})`, 'MAPE %', 'q05–q95 band holds'],
    evaluatedModels(e).map((m) => {
      const s = e[m] as RegressionScores;
      const band = m === 'gbt' ? (coverage ?? '') : '';
      return [EVALUATED_MODELS[m], fixed(s.r2, 3), fixed(s.mae * q.scale, 2), fixed(s.mape, 1), band];
    }),
  );
  const [vsActual, residuals] = await Promise.all([
    renderChart(predictedVsActualSpec(e, q, points)),
    renderChart(residualSpec(e, q, points)),
  ]);
  return `<section>${heading(q.title, target)}${scores}<div class="row">${page.figure(
    `Predicted against actual, ${points.length} held-out configurations: on the dashed line a prediction is exact${
      coverage
        ? `; the bars are the boosted trees' q05–q95 band, which holds ${coverage} of the held-out rows`
        : ''
    }`,
    vsActual,
  )}${page.figure(
    'Residuals (actual − predicted) against the prediction: above the dashed line the model predicted too little, below too much',
    residuals,
  )}</div></section>`;
}

/**
 * The overload class: per model, the held-out configurations by what they were and what it
 * predicted, and its scores; then the configurations our trees got wrong, by name.
 */
function classificationSection(target: string, e: TargetEvaluation): string {
  const count = (model: EvaluatedModel, actual: number, predicted: number) =>
    String(e.heldOut.filter((h) => h.actual === actual && h[model] === predicted).length);
  const confusion = table(
    [
      'model',
      'overloaded, predicted so',
      'overloaded, missed',
      'coping, predicted overloaded',
      'coping, predicted so',
      'accuracy',
      'precision',
      'recall',
      'F1',
    ],
    evaluatedModels(e).map((m) => {
      const s = e[m] as ClassificationScores;
      return [
        EVALUATED_MODELS[m],
        count(m, 1, 1),
        count(m, 1, 0),
        count(m, 0, 1),
        count(m, 0, 0),
        ...[s.accuracy, s.precision, s.recall, s.f1].map((v) => fixed(v, 3)),
      ];
    }),
  );
  const wrong = (actual: number, what: string) => {
    const names = e.heldOut.filter((h) => h.actual === actual && h.gbt !== actual);
    return names.length === 0
      ? ''
      : `<p>${what}:</p><ul>${names.map((h) => `<li>${escapeHtml(configurationText(h.configuration))}</li>`).join('')}</ul>`;
  };
  return `<section>${heading('overload', target)}<p>The ${e.heldOut.length} held-out configurations by what
they were (overloaded in all their iterations, or coping) and what each model predicted; the scores are
over their rows, as in the JSON.</p>${confusion}${wrong(1, 'Overloads the boosted trees missed')}${wrong(0, 'False alarms of the boosted trees')}</section>`;
}
