/**
 * The report's statistics as LaTeX, for a paper: one booktabs `tabular` per experiment, a row per
 * run, function and cold/warm group, as faas-benchmarker's pandas `to_latex` wrote its tables
 * (`\toprule`, `\midrule`, `\bottomrule`; text escaped, so `function_name` reads as it is). The
 * document that \input's it needs `\usepackage{booktabs}`.
 */
import type { StatisticsRow } from './report-data.js';
import type { Interval } from './stats.js';

/** Text as LaTeX typesets it verbatim: its special characters escaped. */
export function latexEscape(text: string): string {
  return text.replace(/[\\{}&%$#_~^]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\textbackslash{}';
      case '~':
        return '\\textasciitilde{}';
      case '^':
        return '\\textasciicircum{}';
      default:
        return `\\${c}`;
    }
  });
}

/** A statistic as the tables write it (ms, or % for the CV): 3 significant figures at least, n/a for none. */
export function formatStat(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return 'n/a';
  const a = Math.abs(v);
  return v.toFixed(a >= 100 ? 1 : a >= 1 ? 2 : 3);
}

/** An interval as `low–high`, n/a when the sample is too small for it. */
export function formatInterval(i: Interval | undefined, dash = '–'): string {
  return i ? `${formatStat(i.low)}${dash}${formatStat(i.high)}` : 'n/a';
}

/** The columns of the statistics tables (HTML and LaTeX), each with how a row gives its text. */
export const STATISTICS_COLUMNS: {
  title: string;
  cell: (r: StatisticsRow, dash?: string) => string;
  raw?: (r: StatisticsRow) => number | undefined;
}[] = [
  { title: 'run', cell: (r) => r.run },
  { title: 'function', cell: (r) => r.function },
  { title: 'calls', cell: (r) => r.group },
  { title: 'n', cell: (r) => String(r.stats.count), raw: (r) => r.stats.count },
  { title: 'mean', cell: (r) => formatStat(r.stats.mean), raw: (r) => r.stats.mean },
  { title: 'median', cell: (r) => formatStat(r.stats.median), raw: (r) => r.stats.median },
  { title: 'std', cell: (r) => formatStat(r.stats.std), raw: (r) => r.stats.std },
  { title: 'CV (%)', cell: (r) => formatStat(r.stats.cv), raw: (r) => r.stats.cv },
  { title: 'p50', cell: (r) => formatStat(r.stats.p50), raw: (r) => r.stats.p50 },
  { title: 'p90', cell: (r) => formatStat(r.stats.p90), raw: (r) => r.stats.p90 },
  { title: 'p95', cell: (r) => formatStat(r.stats.p95), raw: (r) => r.stats.p95 },
  { title: 'p99', cell: (r) => formatStat(r.stats.p99), raw: (r) => r.stats.p99 },
  { title: 'mean 95% CI', cell: (r, d) => formatInterval(r.stats.meanCi?.[0.95], d) },
  { title: 'mean 99% CI', cell: (r, d) => formatInterval(r.stats.meanCi?.[0.99], d) },
  { title: 'median 95% CI', cell: (r, d) => formatInterval(r.stats.medianCi?.[0.95], d) },
  { title: 'median 99% CI', cell: (r, d) => formatInterval(r.stats.medianCi?.[0.99], d) },
];

/** One experiment's statistics as a booktabs tabular, preceded by comment lines saying what it is. */
export function latexTable(experiment: string, rows: readonly StatisticsRow[]): string {
  const spec = STATISTICS_COLUMNS.map((c) => (c.raw ? 'r' : 'l')).join('');
  const line = (cells: string[]) => `${cells.join(' & ')} \\\\`;
  return [
    `% ${experiment}: latency (ms, execution_start - invocation_start) by run, function and cold/warm calls`,
    `% SeBS's statistics: std of the population; CI of the mean by Student's t; CI of the median by`,
    `% Le Boudec (n/a at 20 samples or fewer)`,
    `\\begin{tabular}{${spec}}`,
    '\\toprule',
    line(STATISTICS_COLUMNS.map((c) => latexEscape(c.title))),
    '\\midrule',
    ...rows.map((r) =>
      line(
        STATISTICS_COLUMNS.map((c, i) => {
          const text = latexEscape(c.cell(r, '--'));
          // A number's minus sign, not a hyphen (the run, function and group columns are text).
          return i < 3 ? text : text.replace(/(^|--)-(?=\d)/g, '$1$-$');
        }),
      ),
    ),
    '\\bottomrule',
    '\\end{tabular}',
  ].join('\n');
}

/** The .tex file: a table per experiment (in the report's order), or a comment when no run has calls. */
export function latexDocument(
  sections: readonly { experiment: string; rows: readonly StatisticsRow[] }[],
): string {
  const tables = sections.filter((s) => s.rows.length > 0).map((s) => latexTable(s.experiment, s.rows));
  return `${[
    '% dfaas bench report: statistics tables (\\usepackage{booktabs})',
    ...(tables.length === 0 ? ['% no run shown has calls: no statistics'] : tables.flatMap((t) => ['', t])),
  ].join('\n')}\n`;
}
